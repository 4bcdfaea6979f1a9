"""From chosen frames and stored replies to rows, counts and the audit trail."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ...classes import COMPOUND_CLASSES
from .decide import DISAGREE, LABELLED, NO_FACE, Decision, decide
from .fill import Row, fill
from .prompts import Prompt
from .scan import FramePlan
from .store import Key, Store


@dataclass
class Assembled:
    rows: list[Row]
    frames: list[tuple[Any, ...]]
    replies: list[dict[str, Any]]
    counts: dict[str, Any] = field(default_factory=dict)


def keys_of(plan: FramePlan, prompts: tuple[Prompt, ...], model: str) -> tuple[Key, ...]:
    if plan.crop is None:
        return ()
    return tuple(Key(plan.crop.sha256, p.id, model) for p in prompts)


def assemble(
    plans: list[FramePlan], prompts: tuple[Prompt, ...], model: str, store: Store, rule: str, fill_within: int
) -> Assembled:
    all_keys = {k for plan in plans for k in keys_of(plan, prompts, model)}
    results = store.results(all_keys)
    rows: list[Row] = []
    decisions: list[Decision | None] = []
    for plan in plans:
        keys = keys_of(plan, prompts, model)
        decision = decide(keys, results, rule) if keys else None
        decisions.append(decision)
        label = decision.label if decision else None
        prompt_id = decision.prompt if decision else "+".join(p.id for p in prompts)
        rows.append(Row(plan.crop.rel if plan.crop else "", label, plan.source, plan.frame, prompt_id, model))
    filled = fill(rows, fill_within)
    frames = [
        (
            p.source,
            p.frame,
            p.crop.rel if p.crop else "",
            "" if p.face_from is None else p.face_from,
            d.status if d else NO_FACE,
            "" if r.label is None else r.label,
        )
        for p, d, r in zip(plans, decisions, rows, strict=False)
    ]
    replies = _replies(plans, prompts, model, results, rule)
    counts = _counts(filled, decisions, prompts, replies)
    return Assembled(filled, frames, replies, counts)


def _replies(
    plans: list[FramePlan], prompts: tuple[Prompt, ...], model: str, results: dict, rule: str
) -> list[dict[str, Any]]:
    from .parse import parse_reply

    out, seen = [], set()
    for plan in plans:
        for key in keys_of(plan, prompts, model):
            if key in seen or key not in results:
                continue
            seen.add(key)
            r = results[key]
            parsed = parse_reply(r.reply, rule)
            out.append(
                {
                    "crop": plan.crop.rel if plan.crop else "",
                    "sha256": key.sha256,
                    "prompt": key.prompt,
                    "model": key.model,
                    "reply": r.reply,
                    "names": list(parsed.names),
                    "label": parsed.label,
                    "input_tokens": r.input_tokens,
                    "output_tokens": r.output_tokens,
                    "cost_usd": round(r.cost, 8),
                    "mode": r.mode,
                    "request_id": r.request_id,
                    "retries": r.retries,
                }
            )
    return out


def _counts(
    rows: list[Row], decisions: list[Decision | None], prompts: tuple[Prompt, ...], replies: list[dict]
) -> dict[str, Any]:
    status = Counter(d.status if d else NO_FACE for d in decisions)
    dist = Counter(COMPOUND_CLASSES[r.label] for r in rows if r.label is not None and r.crop)
    answered_pairs = [d for d in decisions if d and all(p is not None for p in d.parsed)]
    counts: dict[str, Any] = {
        "frames": len(rows),
        "with_crop": sum(1 for r in rows if r.crop),
        "own_label": status[LABELLED],
        "filled": sum(1 for r in rows if r.filled),
        "unlabelled": sum(1 for r in rows if r.crop and r.label is None),
        "status": dict(status),
        "label_distribution": {name: dist.get(name, 0) for name in COMPOUND_CLASSES},
        "replies": len(replies),
        "parse_failures": sum(1 for r in replies if r["label"] is None),
    }
    if len(prompts) > 1:
        # Agreement among frames where both prompts gave a class name.
        agree, disagree = status[LABELLED], status[DISAGREE]
        counts["agreement"] = {
            "frames_with_both_answers": len(answered_pairs),
            "agree": agree,
            "disagree": disagree,
            "rate": round(agree / (agree + disagree), 4) if agree + disagree else None,
        }
    return counts
