"""The API's settings: a rate of "count/seconds" with a working default, refused early when
mistyped, and counted in the shared cache only when there is one (REDIS_URL)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CODE = (
    "import json, khabar.settings as s; print(json.dumps([s.KHABAR_API_RATE, "
    "s.KHABAR_API_RATE_IN_CACHE, s.KHABAR_NINJS_URI_PREFIX]))"
)


def load(tmp_path, **env):
    environment = {"PATH": os.environ["PATH"], "KHABAR_DATA_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, env=environment,
                          capture_output=True, text=True)  # fmt: skip


def test_defaults_and_redis(tmp_path):
    assert json.loads(load(tmp_path).stdout) == [[600, 60], False, "urn:khabar:news:"]
    with_redis = load(tmp_path, REDIS_URL="redis://127.0.0.1:6379/2", KHABAR_API_RATE="50/10")
    assert json.loads(with_redis.stdout)[:2] == [[50, 10], True]


def test_a_mistyped_rate_stops_the_start_with_its_name(tmp_path):
    result = load(tmp_path, KHABAR_API_RATE="600 a minute")
    assert result.returncode != 0 and "KHABAR_API_RATE" in result.stderr
