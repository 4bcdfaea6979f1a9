"""Plan, then open: every source a run will read, checked and described, none kept open.

`plan_sources` opens each source once to check it (a stream must answer, a video must decode),
notes what the run needs to know about it, and closes it before the next one is looked at. A
lane opens its source again when it starts (`SourceSpec.open`) and closes it when it ends, so
a folder of a thousand videos read two at a time holds two open, never a thousand. Both the
single-process run and the cluster's driver plan this way; a cluster worker opens its spec on
its own node.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CerLiveError
from ..sources import StreamOptions, iter_sources
from ..sources.base import FrameSource
from ..sources.images import ImageSequenceSource
from ..sources.stream import StreamSource
from ..sources.video_file import VideoFileSource
from .source_list import SourceEntry

if TYPE_CHECKING:
    from .config import RunConfig

log = logging.getLogger(__name__)
KINDS = ("video", "images", "stream")


@dataclass(frozen=True)
class SourceSpec:
    """One source as planned: how to open it again, and what its outputs and lane need to know."""

    kind: str  # video, images or stream (webcams included)
    target: str = field(repr=False)  # the file, or the URL (which may hold credentials)
    name: str  # the stem its outputs take before names are made unique
    label: str  # what logs may show
    live: bool
    files: tuple[Path, ...]
    fps: float
    expected_frames: int | None
    independent: bool
    policy: str | None  # its list entry's, else the run's; None: by the source's kind
    stream: StreamOptions
    images: str = "auto"  # the --images mode asked for
    image_mode: str | None = None  # for images: 'sequence' or 'independent', as planned
    image_why: str = ""
    from_folder: bool = False  # images read from a folder: their pictures go to OUT/NAME/, even one

    def open(self) -> FrameSource:
        """The source, opened (and checked) again; its reader closes it when it is done."""
        source: FrameSource
        if self.kind == "stream":
            source = StreamSource(self.target, self.stream)
        elif self.kind == "video":
            source = VideoFileSource(Path(self.target), self.name)
        else:
            source = ImageSequenceSource(list(self.files), self.name, self.images, from_folder=self.from_folder)
        source.name = self.name
        return source

    def settings(self) -> dict[str, Any]:
        """What its outputs record of the options it was read with."""
        out: dict[str, Any] = {"kind": self.kind, "policy": self.policy or ("latest" if self.live else "all")}
        if self.kind == "stream":
            out.update(
                transport=self.stream.transport,
                timeout=self.stream.open_timeout_s,
                reconnect_limit=self.stream.reconnect_limit,
            )
        return out


def plan_sources(config: RunConfig) -> list[SourceSpec]:
    """Every source of the run in order (SOURCE arguments, then the --sources list), each
    opened once to be checked and closed again; warnings (skipped files) are logged."""
    specs: list[SourceSpec] = []
    for entry in config.entries:
        specs.extend(_plan_entry(entry, config))
    return specs


def stream_options(entry: SourceEntry, config: RunConfig) -> StreamOptions:
    timeout = entry.timeout or config.timeout
    limit = entry.reconnect_limit if entry.reconnect_limit is not None else config.reconnect_limit
    return StreamOptions(entry.transport or config.transport, timeout, timeout, limit)


def _plan_entry(entry: SourceEntry, config: RunConfig) -> list[SourceSpec]:
    stream = stream_options(entry, config)
    warnings: list[str] = []
    found: list[SourceSpec] = []
    for source in iter_sources(entry.spec, warnings, stream, recursive=config.recursive, images=config.images):
        try:
            found.append(_describe(source, entry.policy or config.policy, stream, config.images))
        finally:
            source.close()
    for warning in warnings:
        log.warning(warning)
    if entry.name is not None:
        # A list entry's name is the stem of its outputs; a folder's sources keep theirs under it.
        one = len(found) == 1
        found = [replace(s, name=entry.name if one else f"{entry.name}-{s.name}") for s in found]
    return found


def _describe(source: FrameSource, policy: str | None, stream: StreamOptions, images: str) -> SourceSpec:
    common = {
        "name": source.name,
        "label": source.label,
        "live": source.live,
        "files": tuple(source.files),
        "fps": source.fps,
        "expected_frames": source.expected_frames,
        "independent": source.independent,
        "policy": policy,
        "stream": stream,
        "images": images,
    }
    if isinstance(source, StreamSource):
        return SourceSpec("stream", source.spec, **common)
    if isinstance(source, VideoFileSource):
        return SourceSpec("video", str(source.path), **common)
    if isinstance(source, ImageSequenceSource):
        return SourceSpec(
            "images",
            source.label,
            image_mode=source.mode,
            image_why=source.why,
            from_folder=source.from_folder,
            **common,
        )
    raise CerLiveError(f"cannot plan a source of type {type(source).__name__}")
