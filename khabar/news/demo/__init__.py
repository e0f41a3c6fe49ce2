"""The demo stories, text we wrote ourselves, kept as JSON beside this reader.

Plain data for whoever needs sample news: the newsroom's seed_demo command loads it into
the database, search's relevance sets judge it. Nothing here touches the database.
"""

import json
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent


def load_stories() -> list[dict]:
    stories = []
    for path in sorted(DEMO_DIR.glob("articles_*.json")):
        stories += json.loads(path.read_text(encoding="utf-8"))["articles"]
    return stories
