"""A basic-emotion member's raw output -> the seven basic probabilities, extras and valence-arousal.

A member names its own classes (`output.classes`, the first columns of its output, in order) and,
when they are not already the canonical names, maps each to one (`output.map`, e.g. "Anger" ->
"angry", "Contempt" -> "contempt"). `output.activation` says whether those columns are
probabilities already ("none") or logits ("softmax": a softmax over all the member's classes,
Contempt included, as the model was trained).

The seven basic probabilities feed the compound rule (classes.composition_matrix: each compound
is the mean of its two components' probabilities). Contempt is in no compound; it is kept as an
extra basic score (FaceScores.extra), reported beside the seven and never dropped, so the seven
basic probabilities of an eight-class member sum to one minus contempt.

`output.valence_arousal` gives the two output columns a member regresses valence and arousal
into; they are clipped to [-1, 1], the range of the AffectNet and ABAW labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..classes import BASIC_CLASSES, COMPOUND_COMPONENTS, EXTRA_BASIC_CLASSES
from ..errors import PackError
from .softmax import softmax

ACTIVATIONS = ("none", "softmax")
VA_RANGE = (-1.0, 1.0)


@dataclass(frozen=True)
class BasicOutput:
    """What the manifest says about a basic member's output columns."""

    classes: tuple[str, ...]  # canonical names, in the member's column order
    activation: str = "none"
    va: tuple[int, int] | None = None  # columns of valence and arousal


def read_basic_output(out: dict[str, Any], own: tuple[str, ...], where: str) -> BasicOutput:
    """Checks `map`, `activation` and `valence_arousal` of a basic_probabilities output."""
    mapping = out.get("map")
    if mapping is None:
        classes = own
    elif not isinstance(mapping, dict) or set(mapping) != set(own):
        raise PackError(f"{where}: output.map must name each of the classes {list(own)} exactly once")
    else:
        classes = tuple(str(mapping[c]) for c in own)
    needed = {c for pair in COMPOUND_COMPONENTS for c in pair}
    allowed = set(BASIC_CLASSES) | set(EXTRA_BASIC_CLASSES)
    if len(set(classes)) != len(classes) or not needed <= set(classes) or not set(classes) <= allowed:
        raise PackError(
            f"{where}: basic classes {list(classes)} must be drawn from {sorted(allowed)}, each once,"
            " and hold every compound component; fix output.classes or output.map"
        )
    activation = out.get("activation", "none")
    if activation not in ACTIVATIONS:
        raise PackError(f"{where}: output.activation '{activation}' is not one of {ACTIVATIONS}")
    va = out.get("valence_arousal")
    if va is not None:
        ok = isinstance(va, list) and len(va) == 2 and all(type(i) is int and i >= len(classes) for i in va)
        if not ok or va[0] == va[1]:
            raise PackError(
                f"{where}: output.valence_arousal must be two distinct output columns after the "
                f"{len(classes)} class columns, e.g. [{len(classes)}, {len(classes) + 1}]"
            )
        va = (va[0], va[1])
    return BasicOutput(classes, activation, va)


class BasicHead:
    """Splits a member's (N, outputs) array into basic (N, 7), extras (N, E) or None, and VA (N, 2) or None."""

    def __init__(self, spec: BasicOutput) -> None:
        self.spec = spec
        self.n = len(spec.classes)
        self._order = np.array([spec.classes.index(c) if c in spec.classes else -1 for c in BASIC_CLASSES])
        self._extra = np.array([spec.classes.index(c) if c in spec.classes else -1 for c in EXTRA_BASIC_CLASSES])

    @property
    def has_extra(self) -> bool:
        return bool((self._extra >= 0).any())

    def split(self, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        scores = out[:, : self.n]
        if self.spec.activation == "softmax":
            scores = softmax(scores)
        basic = np.where(self._order >= 0, scores[:, self._order.clip(0)], 0.0).astype(np.float32)
        extra = None
        if self.has_extra:
            extra = np.where(self._extra >= 0, scores[:, self._extra.clip(0)], 0.0).astype(np.float32)
        va = None if self.spec.va is None else np.clip(out[:, list(self.spec.va)], *VA_RANGE).astype(np.float32)
        return basic, extra, va
