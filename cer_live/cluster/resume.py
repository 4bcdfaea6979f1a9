"""Where a restarted stream worker carries on: after the last frame its files hold whole.

The sinks write each frame to the JSONL first, then to the two tables, so every frame before
the JSONL's last one is whole in all three files. That last frame is cut from all of them and
written again, so no frame is ever duplicated, and a file source loses none.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

RESTART_EVENT = "worker_restarted"


@dataclass(frozen=True)
class ResumePoint:
    frame: int  # the first frame to write again
    restarts: int  # restarts recorded in the file before this one
    lost_before: int  # frames lost in earlier restarts (live sources)
    last_write: float  # wall time (epoch s) of the last whole write, to size a live source's gap


def _whole_lines(path: Path) -> list[str]:
    """The file's lines, less a partial last one (a write cut by the kill), which is dropped on disk."""
    data = path.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    if len(whole) != len(data):
        with open(path, "r+b") as f:
            f.truncate(len(whole))
    return whole.decode("utf-8").splitlines()


def find(files: dict[str, Path], run_id: str) -> ResumePoint | None:
    """None unless this run already wrote to the source's JSONL; else cuts the files back."""
    jsonl = files["jsonl"]
    if not jsonl.exists() or jsonl.stat().st_size == 0:
        return None
    last_write = jsonl.stat().st_mtime
    lines = _whole_lines(jsonl)
    if not lines or json.loads(lines[0]).get("run_id") != run_id:
        return None
    records = [json.loads(line) for line in lines[1:]]
    frames = [r["frame"] for r in records if "frame" in r]
    restarts = [r for r in records if r.get("event") == RESTART_EVENT]
    point = ResumePoint(
        frames[-1] if frames else 0, len(restarts), sum(r.get("lost_frames", 0) for r in restarts), last_write
    )
    names = {r["image"] for r in records if r.get("frame", -1) >= point.frame}
    _cut(jsonl, lambda line: json.loads(line).get("frame", -1) >= point.frame)
    if "csv" in files and files["csv"].exists():
        _cut(files["csv"], lambda line: line.split(",", 1)[0] in names)
    if "faces_csv" in files and files["faces_csv"].exists():
        _cut(
            files["faces_csv"],
            lambda line: line.split(",", 1)[0].isdigit() and int(line.split(",", 1)[0]) >= point.frame,
        )
    return point


def _cut(path: Path, from_here: object) -> None:
    """Truncates the file at its first line (after the header) for which `from_here` is true."""
    lines = _whole_lines(path)
    offset = len(lines[0].encode("utf-8")) + 1 if lines else 0
    for line in lines[1:]:
        if from_here(line):  # type: ignore[operator]
            break
        offset += len(line.encode("utf-8")) + 1
    with open(path, "r+b") as f:
        f.truncate(offset)
        os.fsync(f.fileno())
