"""What the overlay says about a face, in words: honest about near-ties and about the basic emotion.

The rule: the label names the top compound and its probability. When the runner-up is within
`NEAR_TIE` of it (the `margin` in JSONL and faces.csv), the call is a near-tie and the label
names both, "Sadly Fearful ~ Sadly Angry", with both probabilities. When the pack composes
compounds from basic emotions, the top basic emotion is shown beside the compound, because a
compound built that way can hide what was seen (a plain smile is half "Happily Surprised").
"""

from __future__ import annotations

import numpy as np

from ..classes import BASIC_CLASSES
from ..messages import FaceResult

NEAR_TIE = 0.05  # top-1 minus top-2 compound probability below which the label shows both


def is_near_tie(margin: float) -> bool:
    return margin < NEAR_TIE


def label_lines(face: FaceResult) -> list[str]:
    """One or two lines: the compound call, then the numbers behind it."""
    scores = face.smoothed
    _, name, prob = scores.top
    _, second, prob2 = scores.runner_up
    detail = []
    if is_near_tie(scores.margin):
        first = f"#{face.track_id} {name} ~ {second}"
        detail.append(f"{prob:.2f} vs {prob2:.2f}")
    else:
        first = f"#{face.track_id} {name} {prob:.2f}"
    if scores.basic is not None:
        basic = int(np.argmax(scores.basic))
        detail.append(f"{BASIC_CLASSES[basic]} {float(scores.basic[basic]):.2f}")
    if scores.va is not None:  # valence, arousal: the dial in the box's corner shows them too
        detail.append(f"V {float(scores.va[0]):+.2f} A {float(scores.va[1]):+.2f}")
    if face.fallback:
        detail.append("(held)")
    lines = [first, "  ".join(detail)] if detail else [first]
    if face.detection.pose is not None:
        yaw, pitch, roll = face.detection.pose
        turned = "" if face.pose_ok else "  turned away: not smoothed"
        lines.append(f"yaw {yaw:+.0f} pitch {pitch:+.0f} roll {roll:+.0f}{turned}")
    return lines
