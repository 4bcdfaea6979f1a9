"""Class names found in a reply, and the rule that turns them into one ABAW label.

Rule (the reference recipe's `Label_processing.py`, written down): count each class name
in the reply; if "Happily Surprised" occurs at all it wins, else if "Sadly Fearful" occurs
it wins, else the most frequent name wins, ties going to the earlier name in the recipe's
list (Happily Surprised, Sadly Fearful, Sadly Angry, Sadly Surprised, Fearfully Surprised,
Angrily Surprised, Disgustedly Surprised). Matching is case-insensitive, on whole words,
accepts "Disgustingly" (the paper's prompt) and "Disgustedly", and a space, hyphen or
underscore between the two words. `strict` instead gives no label when two different
names occur. A reply with no name gives no label: it is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...classes import COMPOUND_CLASSES

RULES = ("reference", "strict")
_RECIPE_ORDER = (
    "Happily Surprised",
    "Sadly Fearful",
    "Sadly Angry",
    "Sadly Surprised",
    "Fearfully Surprised",
    "Angrily Surprised",
    "Disgustedly Surprised",
)
_PRIORITY = ("Happily Surprised", "Sadly Fearful")
_ADVERB = {"Disgustedly": r"disgust(?:ed|ing)ly"}


def _pattern(name: str) -> re.Pattern[str]:
    adverb, emotion = name.split()
    left = _ADVERB.get(adverb, re.escape(adverb.lower()))
    return re.compile(rf"\b{left}[\s_-]+{re.escape(emotion.lower())}\b", re.IGNORECASE)


_PATTERNS = {name: _pattern(name) for name in COMPOUND_CLASSES}


@dataclass(frozen=True)
class Parsed:
    label: int | None  # ABAW id, or None when no name (or, under `strict`, several) occurs
    names: tuple[str, ...]  # every distinct class name found, in recipe order


def counts(reply: str) -> dict[str, int]:
    found = {name: len(_PATTERNS[name].findall(reply)) for name in _RECIPE_ORDER}
    return {name: n for name, n in found.items() if n}


def parse_reply(reply: str, rule: str = "reference") -> Parsed:
    found = counts(reply)
    names = tuple(found)
    if not found or (rule == "strict" and len(found) > 1):
        return Parsed(None, names)
    winner = next((p for p in _PRIORITY if p in found), None)
    if winner is None:
        winner = max(found, key=lambda n: (found[n], -_RECIPE_ORDER.index(n)))
    return Parsed(COMPOUND_CLASSES.index(winner), names)
