"""A labelled set of aligned face crops: paths, ABAW ids, and what was left out and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..runtime import COMPOUND_CLASSES

NUM_CLASSES = len(COMPOUND_CLASSES)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


@dataclass(frozen=True)
class Item:
    path: Path
    label: int  # ABAW id 0..6


@dataclass(frozen=True)
class LabelledSet:
    name: str
    items: tuple[Item, ...]
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count

    def counts(self) -> np.ndarray:
        """Images per ABAW class (7,), the loss's priors come from these."""
        return np.bincount([i.label for i in self.items], minlength=NUM_CLASSES).astype(np.int64)

    def labels(self) -> np.ndarray:
        return np.array([i.label for i in self.items], np.int64)

    def with_items(
        self, items: list[Item], name: str | None = None, skipped: dict[str, int] | None = None
    ) -> LabelledSet:
        return replace(
            self, items=tuple(items), name=name or self.name, skipped=self.skipped if skipped is None else skipped
        )

    def split(self, fraction: float, seed: int) -> tuple[LabelledSet, LabelledSet]:
        """Stratified (train, val): each class gives round(fraction * n) images, at least one
        when it has two or more, so that every class that can be scored is."""
        rng = np.random.default_rng(seed)
        train: list[Item] = []
        val: list[Item] = []
        for label in range(NUM_CLASSES):
            members = [i for i in self.items if i.label == label]
            order = rng.permutation(len(members))
            take = min(max(round(fraction * len(members)), 1 if len(members) > 1 else 0), len(members))
            val.extend(members[j] for j in sorted(order[:take]))
            train.extend(members[j] for j in sorted(order[take:]))
        return (
            self.with_items(train, f"{self.name} (train {1 - fraction:.0%})"),
            self.with_items(val, f"{self.name} (val {fraction:.0%})", skipped={}),
        )


def add_skip(skipped: Counter[str] | dict[str, int], reason: str) -> None:
    skipped[reason] = skipped.get(reason, 0) + 1


def is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
