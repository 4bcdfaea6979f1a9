"""The training set `cer-live train` reads, and the files that explain it.

DIR/labels.csv (UTF-8, header `crop,label,label_name,source,frame,filled,prompt,model`):
crop relative to DIR; label an ABAW id 0..6 or empty (no name, disagreement, no reply);
filled true/false. DIR/labels.meta.json names the producer, the settings and the counts.
DIR/replies.jsonl holds every raw reply with what was parsed from it; DIR/frames.csv says,
per chosen frame, whose face it shows and why it has no label of its own. Each file is
written to a temporary name and renamed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ... import PRODUCER
from ...atomic import write_text
from ...classes import COMPOUND_CLASSES
from .fill import Row

LABELS_HEADER = ("crop", "label", "label_name", "source", "frame", "filled", "prompt", "model")
FRAMES_HEADER = ("source", "frame", "crop", "face_from", "status", "own_label")


def write_atomic(path: Path, text: str) -> None:
    write_text(path, text)


def _csv(header: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_labels(out_dir: Path, rows: list[Row]) -> None:
    lines = (
        (
            r.crop,
            "" if r.label is None else r.label,
            "" if r.label is None else COMPOUND_CLASSES[r.label],
            r.source,
            r.frame,
            "true" if r.filled else "false",
            r.prompt,
            r.model,
        )
        for r in rows
        if r.crop
    )
    write_atomic(out_dir / "labels.csv", _csv(LABELS_HEADER, lines))


def write_frames(out_dir: Path, frames: list[tuple[Any, ...]]) -> None:
    write_atomic(out_dir / "frames.csv", _csv(FRAMES_HEADER, frames))


def write_replies(out_dir: Path, replies: list[dict[str, Any]]) -> None:
    write_atomic(out_dir / "replies.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in replies))


def write_meta(out_dir: Path, settings: dict[str, Any], counts: dict[str, Any]) -> None:
    meta = {"producer": PRODUCER, "classes": list(COMPOUND_CLASSES), "settings": settings, "counts": counts}
    write_atomic(out_dir / "labels.meta.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
