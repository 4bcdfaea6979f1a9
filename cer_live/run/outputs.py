"""The output folder: checked before any work starts, and the sinks opened for each source."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import OutputError
from ..sinks.abaw_csv import AbawCsvSink
from ..sinks.base import Sink, SinkSet
from ..sinks.jsonl import JsonlSink
from ..sinks.video import AnnotatedVideoSink
from ..sources.base import FrameSource


def prepare_out_dir(path: Path) -> Path:
    """Creates the folder and proves it writable, so a run never fails after hours of work."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise OutputError(f"output path '{path}' is a file, not a folder; choose another --out") from exc
    except OSError as exc:
        raise OutputError(f"cannot create output folder '{path}' ({exc.strerror}); choose another --out") from exc
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".cer-live-probe-"):
            pass
    except OSError as exc:
        raise OutputError(f"output folder '{path}' is not writable ({exc.strerror}); fix its permissions or choose another --out") from exc
    return path


def unique_names(sources: list[FrameSource]) -> list[str]:
    """Output stems, one per source; a repeated stem gets a numeric suffix."""
    seen: dict[str, int] = {}
    names = []
    for source in sources:
        count = seen.get(source.name, 0) + 1
        seen[source.name] = count
        names.append(source.name if count == 1 else f"{source.name}-{count}")
    return names


def open_sinks(out_dir: Path, stem: str, source: FrameSource, header: dict[str, Any], video: bool, watermark: str) -> SinkSet:
    sinks: list[Sink] = []
    try:
        sinks.append(JsonlSink(out_dir / f"{stem}.jsonl", header))
        sinks.append(AbawCsvSink(out_dir / f"{stem}.csv"))
        if video:
            sinks.append(AnnotatedVideoSink(out_dir / f"{stem}.mp4", source.fps, watermark))
    except OSError as exc:
        for sink in sinks:
            sink.close()
        raise OutputError(f"cannot write outputs for '{stem}' in '{out_dir}' ({exc.strerror}); check the folder") from exc
    return SinkSet(sinks)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Written to a temporary name and renamed, so a reader never sees half a file."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
