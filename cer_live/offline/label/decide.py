"""One frame's label from its replies: one prompt, or two that must agree (--consensus)."""

from __future__ import annotations

from dataclasses import dataclass

from .parse import Parsed, parse_reply
from .store import Key, Result

# Why a frame has no label of its own.
LABELLED, NO_NAME, PENDING, DISAGREE, NO_FACE = "labelled", "no_name", "pending", "disagree", "no_face"


@dataclass(frozen=True)
class Decision:
    label: int | None
    status: str
    prompt: str  # the prompt id, or "paper1+paper2" under consensus
    parsed: tuple[Parsed | None, ...]  # per prompt; None where no reply yet


def decide(keys: tuple[Key, ...], results: dict[Key, Result], rule: str) -> Decision:
    prompt = "+".join(k.prompt for k in keys)
    parsed = tuple(parse_reply(results[k].reply, rule) if k in results else None for k in keys)
    if any(p is None for p in parsed):
        return Decision(None, PENDING, prompt, parsed)
    labels = {p.label for p in parsed if p is not None}
    if None in labels:
        return Decision(None, NO_NAME, prompt, parsed)
    if len(labels) > 1:
        return Decision(None, DISAGREE, prompt, parsed)
    return Decision(labels.pop(), LABELLED, prompt, parsed)
