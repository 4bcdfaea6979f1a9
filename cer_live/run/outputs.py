"""The output folder and every file a run will write: planned and checked before any is opened.

Names are unique by construction, no output may land on a file the run reads, and a previous
run's results are never replaced without `--overwrite`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..atomic import write_text
from ..errors import OutputError
from ..sinks.abaw_csv import AbawCsvSink
from ..sinks.base import Sink, SinkSet
from ..sinks.faces_csv import FacesCsvSink, ScoreColumns
from ..sinks.files import write_failure
from ..sinks.jsonl import JsonlSink
from ..sinks.pictures import AnnotatedPicturesSink
from ..sinks.video import AnnotatedVideoSink
from ..sources.base import FrameSource
from ..sources.video_file import VideoFileSource

SUMMARY = "summary.json"
NAME_MAX = 255  # bytes in one file name: Linux, macOS and Windows file systems alike


class Planned(Protocol):
    """What output planning needs of a source (a planned `SourceSpec` or an open source)."""

    @property
    def name(self) -> str: ...

    @property
    def files(self) -> tuple[Path, ...]: ...

    @property
    def independent(self) -> bool: ...


# kind -> file name suffix; the annotated video goes last (it is the one --no-video drops)
_KINDS = {"jsonl": ".jsonl", "csv": ".csv", "faces_csv": ".faces.csv", "mp4": ".mp4"}


def unique_names(names: Iterable[str]) -> list[str]:
    """One stem per source; a repeat gets the first free `-N`, never a name another source has."""
    names = list(names)
    taken = set(names)
    used: set[str] = set()
    out = []
    for name in names:
        stem, n = name, 1
        while stem in used or (stem != name and stem in taken):
            n += 1
            stem = f"{name}-{n}"
        used.add(stem)
        out.append(stem)
    return out


@dataclass(frozen=True)
class OutputPlan:
    """Where each source's files go; made and checked before anything is written."""

    out_dir: Path
    stems: tuple[str, ...]
    video: bool
    # stem -> {frame name -> annotated picture}, for sources of independent images
    pictures: dict[str, dict[str, Path]] = field(default_factory=dict)

    def files(self, stem: str) -> dict[str, Path]:
        """The source's record files, and its annotated video unless --no-video or it has pictures."""
        kinds = [k for k in _KINDS if k != "mp4" or (self.video and stem not in self.pictures)]
        return {kind: self.out_dir / f"{stem}{_KINDS[kind]}" for kind in kinds}

    def picture_files(self, stem: str) -> dict[str, Path]:
        return self.pictures.get(stem, {}) if self.video else {}

    def all_files(self) -> list[Path]:
        return [self.out_dir / SUMMARY] + [
            p for stem in self.stems for p in [*self.files(stem).values(), *self.picture_files(stem).values()]
        ]


def picture_names(out_dir: Path, stem: str, source: Planned) -> dict[str, Path]:
    """One annotated picture per input image, in the input's format: `OUT/NAME.ext` for a
    single image, `OUT/NAME/<file name>` for a folder (names in one folder never clash).
    Keys are the frames' names, which the source makes from its own name."""
    images = source.files
    if len(images) == 1 and not getattr(source, "from_folder", False):
        return {f"{source.name}/{images[0].name}": out_dir / f"{stem}{images[0].suffix.lower()}"}
    return {f"{source.name}/{p.name}": out_dir / stem / p.name for p in images}


def plan_outputs(out_dir: Path, sources: Sequence[Planned], video: bool, overwrite: bool) -> OutputPlan:
    stems = tuple(unique_names(s.name for s in sources))
    pictures = {stem: picture_names(out_dir, stem, s) for stem, s in zip(stems, sources, strict=False) if s.independent}
    plan = OutputPlan(out_dir, stems, video, pictures)
    _check_name_lengths(plan)
    inputs = {_key(p) for s in sources for p in s.files}
    for path in plan.all_files():
        if _key(path) in inputs:
            raise OutputError(f"output '{path}' would replace the input it is read from; choose another --out")
    if not overwrite:
        existing = [p for p in plan.all_files() if p.exists()]
        if existing:
            more = f" and {len(existing) - 1} more file{'s' if len(existing) > 2 else ''}" if len(existing) > 1 else ""
            raise OutputError(
                f"'{existing[0]}'{more} already hold{'' if more else 's'} results of an earlier run; "
                "pass --overwrite to replace them or choose another --out"
            )
    return plan


def _check_name_lengths(plan: OutputPlan) -> None:
    """A name the file system refuses would fail after the files before it were written: check them all now."""
    for path in plan.all_files():
        for part in path.relative_to(plan.out_dir).parts:
            size = len(os.fsencode(part))
            if size > NAME_MAX:
                longest = max(len(suffix) for suffix in _KINDS.values())
                raise OutputError(
                    f"output name '{part[:40]}...' would be {size} bytes, more than the {NAME_MAX} a file name may "
                    f"hold; rename the input to at most {NAME_MAX - longest} bytes, or name it in a --sources list"
                )


def _key(path: Path) -> str:
    """Two names for one file (a symlink, '..') compare equal."""
    return os.path.realpath(path)


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
        raise OutputError(
            f"output folder '{path}' is not writable ({exc.strerror}); fix its permissions or choose another --out"
        ) from exc
    return path


def open_sinks(
    plan: OutputPlan,
    stem: str,
    source: FrameSource,
    header: dict[str, Any],
    watermark: str,
    basic: bool | ScoreColumns = True,
    resume: bool = False,
) -> list[Sink]:
    """The source's file sinks; if one cannot be opened, those already open are closed.
    `basic`: the pack gives basic-emotion probabilities (the faces table gets their columns);
    a ScoreColumns says so, and whether it gives contempt and valence-arousal too.
    `resume`: the record files carry on after what a restarted worker left (cut back to whole
    frames first); a video cannot be appended to, so the caller leaves it out then."""
    files = plan.files(stem)
    sinks: list[Sink] = []
    try:
        files["jsonl"].parent.mkdir(parents=True, exist_ok=True)
        sinks.append(JsonlSink(files["jsonl"], header, resume))
        sinks.append(AbawCsvSink(files["csv"], resume))
        cols = basic if isinstance(basic, ScoreColumns) else ScoreColumns(basic=basic)
        sinks.append(FacesCsvSink(files["faces_csv"], cols.basic, resume, cols.extra, cols.va))
        if "mp4" in files:
            audio = source.path if isinstance(source, VideoFileSource) else None  # a file's sound is kept
            sinks.append(AnnotatedVideoSink(files["mp4"], source.fps, watermark, audio_from=audio))
        if plan.picture_files(stem):
            sinks.append(AnnotatedPicturesSink(plan.picture_files(stem), watermark))
    except (OSError, OutputError) as exc:
        SinkSet(sinks).close()
        if isinstance(exc, OutputError):
            raise
        raise OutputError(
            f"cannot write outputs for '{stem}' in '{plan.out_dir}' ({exc.strerror}); check the folder"
        ) from exc
    return sinks


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Written to a temporary name and renamed, so a reader never sees half a file."""
    try:
        write_text(path, json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise write_failure(path, exc) from exc
