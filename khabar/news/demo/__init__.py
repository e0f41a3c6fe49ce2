"""The demo stories, text we wrote ourselves, kept as JSON beside this reader.

Plain data for whoever needs sample news: the newsroom's seed_demo command loads it into
the database, search's relevance sets judge it. Nothing here touches the database.

`articles_*.json` is the Arabic edition (search's relevance sets read that glob, so the other
editions' files are named after their edition: `fa.json`, `en.json`).
"""

import json
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
EDITION_CODES = ("ar", "fa", "en")


def load_stories() -> list[dict]:
    stories = []
    for path in sorted(DEMO_DIR.glob("articles_*.json")):
        stories += json.loads(path.read_text(encoding="utf-8"))["articles"]
    return stories


def load_edition_stories(edition: str) -> list[dict]:
    """The demo stories of one edition: "ar", "fa" or "en".

    A Persian or English story is either news of its own, placed in time by `days_ago` and
    `time` as the Arabic ones are, or a translation: `translation_of` names an Arabic story's
    `key`, and `after_minutes` says how long after the original the translation went out.
    """
    if edition == "ar":
        return load_stories()
    path = DEMO_DIR / f"{edition}.json"
    if not path.exists():
        raise ValueError(f"No demo stories for the edition {edition!r}.")
    return json.loads(path.read_text(encoding="utf-8"))["articles"]


def count_all_stories() -> int:
    """How many stories the demo loader creates on an empty database, every edition together."""
    return sum(len(load_edition_stories(code)) for code in EDITION_CODES)
