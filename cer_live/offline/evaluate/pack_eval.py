"""A pack's members, and every fusion rule, scored on a labelled set of aligned crops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ..datasets.items import LabelledSet
from ..metrics import Scores
from ..runtime import FUSION_RULES, BackendOptions, Member, Pack, fuse, to_tensor

Tick = Callable[[int], None]


@dataclass(frozen=True)
class PackScores:
    members: dict[str, Scores]
    fusion: dict[str, Scores]  # rule -> scores
    pack_rule: str


def _resized(crops: list[np.ndarray], size: tuple[int, int]) -> np.ndarray:
    """Crops are aligned already; they only need the member's input size (width, height)."""
    out = []
    for crop in crops:
        if crop.shape[1::-1] == size:
            out.append(crop)
        else:
            shrink = crop.shape[1] > size[0]
            out.append(cv2.resize(crop, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR))
    return np.stack(out)


def member_probs(
    pack: Pack, data: LabelledSet, backend: str, options: BackendOptions, batch: int, tick: Tick
) -> np.ndarray:
    """(members, images, 7) compound probabilities in the canonical class order."""
    members = [Member(spec, backend, options) for spec in pack.members]
    groups: dict[tuple, list[int]] = {}
    for index, member in enumerate(members):
        groups.setdefault(member.spec.preprocess_key, []).append(index)
    chunks = []
    try:
        for start in range(0, len(data.items), batch):
            items = data.items[start : start + batch]
            crops = [cv2.imread(str(i.path), cv2.IMREAD_COLOR) for i in items]
            out = np.empty((len(members), len(items), 7), np.float32)
            for indices in groups.values():
                spec = members[indices[0]].spec
                tensor = to_tensor(_resized(crops, spec.size), spec.colour, spec.mean, spec.std)
                for index in indices:
                    out[index] = members[index].run(tensor)[0]
            chunks.append(out)
            tick(len(items))
    finally:
        for member in members:
            member.engine.close()
    return np.concatenate(chunks, axis=1)


def score_pack(pack: Pack, data: LabelledSet, probs: np.ndarray) -> PackScores:
    y_true = data.labels()
    members = {spec.name: Scores.from_labels(y_true, probs[i].argmax(1)) for i, spec in enumerate(pack.members)}
    weights = np.array([spec.weight for spec in pack.members])
    fusion = {
        rule: Scores.from_labels(y_true, np.nan_to_num(fuse(probs, rule, weights), nan=-1).argmax(1))
        for rule in FUSION_RULES
    }
    return PackScores(members, fusion, pack.fusion)
