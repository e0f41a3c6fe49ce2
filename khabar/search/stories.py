"""The demo stories (khabar/news/demo/articles_*.json) as plain dicts: what the seed_demo
command publishes, and part of the Arabic relevance set's corpus (relevance.corpus), whose
judgments name them by key. A plain module, so that neither imports the other's command."""

import json
from pathlib import Path

import khabar.news

DEMO_DIR = Path(khabar.news.__file__).resolve().parent / "demo"


def load_stories() -> list[dict]:
    stories = []
    for path in sorted(DEMO_DIR.glob("articles_*.json")):
        stories += json.loads(path.read_text(encoding="utf-8"))["articles"]
    return stories
