"""Class vocabularies and the one place where compound expressions map to their parts."""

from __future__ import annotations

import numpy as np

# ABAW 6th challenge compound expression order; the submission format uses these ids.
COMPOUND_CLASSES: tuple[str, ...] = (
    "Fearfully Surprised",
    "Happily Surprised",
    "Sadly Surprised",
    "Disgustedly Surprised",
    "Angrily Surprised",
    "Sadly Fearful",
    "Sadly Angry",
)

BASIC_CLASSES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

# Basic classes a member may score beyond the seven: reported beside them, never part of a compound.
EXTRA_BASIC_CLASSES: tuple[str, ...] = ("contempt",)

# Dimensional affect some members regress (ABAW's valence-arousal track), in this order.
AFFECT_DIMENSIONS: tuple[str, ...] = ("valence", "arousal")

# Each compound is a pair of basic emotions, in COMPOUND_CLASSES order.
COMPOUND_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("fear", "surprise"),
    ("happy", "surprise"),
    ("sad", "surprise"),
    ("disgust", "surprise"),
    ("angry", "surprise"),
    ("sad", "fear"),
    ("sad", "angry"),
)

# RAF-DB compound labels 1..11 (its EmoLabel list); None marks classes outside the ABAW seven.
RAFDB_COMPOUND_TO_ABAW: dict[int, int | None] = {
    1: 1,  # Happily Surprised
    2: None,  # Happily Disgusted
    3: 5,  # Sadly Fearful
    4: 6,  # Sadly Angry
    5: 2,  # Sadly Surprised
    6: None,  # Sadly Disgusted
    7: None,  # Fearfully Angry
    8: 0,  # Fearfully Surprised
    9: 4,  # Angrily Surprised
    10: None,  # Angrily Disgusted
    11: 3,  # Disgustedly Surprised
}


def composition_matrix(basic_order: tuple[str, ...] | list[str]) -> np.ndarray:
    """Matrix M (7 compounds x len(basic_order)) so that compound = basic @ M.T.

    Each compound score is the mean of its two component probabilities (the rule the
    HSEmotion team used at ABAW 6), so each row holds two entries of 0.5.
    """
    index = {name: i for i, name in enumerate(basic_order)}
    missing = sorted({c for pair in COMPOUND_COMPONENTS for c in pair} - set(index))
    if missing:
        raise ValueError(f"basic classes lack {missing} needed by the compound rule")
    matrix = np.zeros((len(COMPOUND_CLASSES), len(basic_order)), dtype=np.float32)
    for row, (a, b) in enumerate(COMPOUND_COMPONENTS):
        matrix[row, index[a]] += 0.5
        matrix[row, index[b]] += 0.5
    return matrix


def compose(basic: np.ndarray, basic_order: tuple[str, ...] | list[str]) -> np.ndarray:
    """Compound scores (N, 7) from basic-emotion probabilities (N, B)."""
    return basic @ composition_matrix(basic_order).T
