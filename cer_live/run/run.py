"""The run object: a config in, a summary out; it owns the pack, models, sources, state and sinks.

Start-up checks everything that can be checked, in an order that writes nothing until the
last check has passed: options, pack, display, sources, output names, then the engines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from .. import PRODUCER
from ..classes import BASIC_CLASSES, COMPOUND_CLASSES
from ..errors import CerLiveError
from ..faces.state import FaceOptions, SourceFaces
from ..install import install_hint
from ..messages import FrameResult
from ..models.packs import Pack
from ..sinks.base import Sink, SinkSet
from ..sinks.faces_csv import ScoreColumns
from ..sinks.window import LiveWindow, check_display, has_display
from ..sources.base import FrameSource
from .analyser import Analyser
from .batcher import Batcher
from .build import analyser_for, load_run_pack
from .config import RunConfig
from .multi import OUT_QUEUE, run_lanes
from .outputs import SUMMARY, OutputPlan, open_sinks, plan_outputs, prepare_out_dir, unique_names, write_json
from .pipeline import Lane, announce_once, run_source
from .plan import SourceSpec, plan_sources
from .report import SourceReport
from .signals import StopRequests
from .summary import RunSummary

log = logging.getLogger(__name__)
PREVIEW_LINGER_S = 1.5


class Progress(Protocol):
    """How a caller follows a run: one call when a source starts, one per frame written."""

    def source_started(self, name: str, expected_frames: int | None) -> None: ...

    def frame_done(self, name: str, frames: int) -> None: ...


class _CallbackSink(Sink):
    """Hands every result to the embedding program."""

    name = "callback"

    def __init__(self, stem: str, callback: Callable[[str, FrameResult], None]) -> None:
        self.stem, self.callback = stem, callback

    def write(self, result: FrameResult) -> None:
        self.callback(self.stem, result)


@dataclass
class _Opened:
    pack: Pack
    specs: list[SourceSpec]  # planned; each is opened by its lane
    stems: list[str]
    show: bool
    plan: OutputPlan | None
    preview: Any = None  # the browser preview's server, when --serve
    detector: dict[str, Any] | None = None  # the front end that runs and its models' hashes
    members: list[dict[str, str]] | None = None  # each member's precision and file hash, as run


class Run:
    """`Run(config).execute()` runs every source and returns the summary (also written to disk).

    Several sources run at once; `on_result` is then called from each source's own writer
    thread (one thread per source, results of one source in order)."""

    def __init__(
        self,
        config: RunConfig,
        on_result: Callable[[str, FrameResult], None] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.config = config
        self.on_result = on_result
        self.progress = progress

    def execute(self) -> RunSummary:
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        t0 = time.perf_counter()
        with StopRequests() as stopping:
            opened = self._open()
            analyser = self._analyser(opened.pack)
            opened.detector = analyser.detector_identity
            opened.members = analyser.member_identity
            try:
                if stopping.requested:  # Ctrl-C while the models loaded: stop before writing anything
                    raise KeyboardInterrupt
                faces = self.config.faces_for(analyser.detects_regions)
                settings = self.config.settings(
                    opened.pack.name, analyser.detector.config.input_long_side, opened.pack.fusion, faces.detect.mode
                )
                settings = ran_precision(settings, opened.members)
                if analyser.member_threads is not None:  # members side by side or one after another
                    settings = {**settings, "member_threads": analyser.member_threads}
                opened.preview = self._preview(opened)  # binds its port before any output is written
                if opened.plan is not None:
                    prepare_out_dir(opened.plan.out_dir)
                reports = self._run_all(opened, analyser, faces, settings, started, lambda: stopping.requested)
            finally:
                analyser.close()
                if opened.preview is not None:
                    # An open page polls each second: let it see the sources end before the server goes.
                    opened.preview.stop(linger_s=0.0 if stopping.requested else PREVIEW_LINGER_S)
        summary = RunSummary(
            started, time.perf_counter() - t0, stopping.requested, settings, tuple(reports),
            opened.plan and opened.plan.out_dir, analyser.batches.summary(),
        )  # fmt: skip
        if opened.plan is not None:
            write_json(opened.plan.out_dir / SUMMARY, summary.as_dict())
        return summary

    def _open(self) -> _Opened:
        """Every check that needs no engine; nothing is written, and no source is left open."""
        c = self.config
        pack = load_run_pack(c)
        if c.max_yaw is not None and (c.detector or pack.detector.kind) == "retinaface":
            raise CerLiveError(
                "--max-yaw needs a head pose, which only the MediaPipe front end gives; "
                "add --detector mediapipe (or mediapipe-short), or drop --max-yaw"
            )
        if c.show:
            check_display(c.out is not None)
        specs = plan_sources(c)
        if c.show and len(specs) > 1:
            # The window's toolkit wants the main thread, and several sources write from threads of their own.
            raise CerLiveError(
                f"--show takes one source and {len(specs)} were given; watch several in a browser with --serve PORT"
            )
        show = c.show if c.show is not None else len(specs) == 1 and specs[0].live and has_display()
        if c.out is None and not show and c.serve is None:
            raise CerLiveError(
                "nothing to write to: give --out DIR for files, --show for a live window or --serve PORT for a browser"
            )
        plan = plan_outputs(c.out, specs, c.video, c.overwrite) if c.out is not None else None
        stems = list(plan.stems) if plan is not None else unique_names(s.name for s in specs)
        return _Opened(pack, specs, stems, show, plan)

    def _preview(self, opened: _Opened) -> Any:
        address = self.config.serve_address
        if address is None:
            return None
        try:
            from ..serve.server import start_preview  # aiohttp only when asked for
        except ImportError as exc:
            raise CerLiveError(
                f"--serve needs the serve extra ({exc.name} is missing); {install_hint('serve')}"
            ) from None

        labels, lives = [s.label for s in opened.specs], [s.live for s in opened.specs]
        return start_preview(address, self.config.serve_token, opened.stems, labels, lives)

    def _analyser(self, pack: Pack) -> Analyser:
        return analyser_for(self.config, pack)

    def _run_all(
        self,
        opened: _Opened,
        analyser: Analyser,
        face_options: FaceOptions,
        settings: dict[str, Any],
        started: str,
        stop: Callable[[], bool],
    ) -> list[SourceReport]:
        if len(opened.specs) > 1:
            return self._run_concurrently(opened, analyser, face_options, settings, started, stop)
        reports: list[SourceReport] = []
        for i, spec in enumerate(opened.specs):
            if stop():
                break
            source = spec.open()
            try:
                sinks, faces = self._begin(opened, i, source, face_options, settings, started)
            except BaseException:
                source.close()
                raise
            with sinks:  # from here on the capture thread owns (and closes) the source
                report = run_source(analyser, source, faces, sinks, self._on_frame(opened.stems[i]), spec.policy, stop)
            report.images = spec.image_mode
            reports.append(report)
        return reports

    def _begin(
        self,
        opened: _Opened,
        i: int,
        source: FrameSource,
        face_options: FaceOptions,
        settings: dict[str, Any],
        started: str,
    ) -> tuple[SinkSet, SourceFaces]:
        """A source's sinks and face state, made once every check has passed (so errors stand alone)."""
        stem, spec = opened.stems[i], opened.specs[i]
        sinks = self._sinks(
            opened,
            stem,
            source,
            source_header(opened.pack, source, settings, started, spec, opened.detector, opened.members),
        )
        if self.progress is not None:
            self.progress.source_started(stem, source.expected_frames)
        _say_image_mode(spec)
        return sinks, SourceFaces(face_options, look_ahead=not source.live, independent=source.independent)

    def _run_concurrently(
        self,
        opened: _Opened,
        analyser: Analyser,
        face_options: FaceOptions,
        settings: dict[str, Any],
        started: str,
        stop: Callable[[], bool],
    ) -> list[SourceReport]:
        """One lane per source, `max_streams` at a time, all served by one batching analyser;
        a lane opens its source when it starts, and its capture thread closes it."""
        batcher = Batcher(analyser, self.config.batch_wait_ms / 1000)
        announce = announce_once()

        def make_lane(i: int) -> Lane:
            spec = opened.specs[i]
            source = spec.open()
            try:
                sinks, faces = self._begin(opened, i, source, face_options, settings, started)
            except BaseException:
                source.close()
                raise
            lane = Lane(
                source,
                faces,
                sinks,
                self._on_frame(opened.stems[i]),
                spec.policy,
                stop,
                out_size=OUT_QUEUE,
                on_stop=announce,
            )
            lane.report.images = spec.image_mode
            batcher.add(lane)
            return lane

        return run_lanes(batcher, make_lane, len(opened.specs), self.config.max_streams, stop)

    def _sinks(self, opened: _Opened, stem: str, source: FrameSource, header: dict[str, Any]) -> SinkSet:
        watermark = f"{PRODUCER} | pack {opened.pack.name}"
        sinks: list[Sink] = []
        if opened.show:
            sinks.append(LiveWindow(f"cer-live: {source.label}", watermark))
        if self.on_result is not None:
            sinks.append(_CallbackSink(stem, self.on_result))
        if opened.preview is not None:
            sinks.append(opened.preview.sink(stem, watermark))
        if opened.plan is not None:
            basic = ScoreColumns.of(opened.pack.members)
            sinks.extend(open_sinks(opened.plan, stem, source, header, watermark, basic))
        return SinkSet(sinks)

    def _on_frame(self, stem: str) -> Callable[[int], None] | None:
        progress = self.progress
        if progress is None:
            return None
        return lambda n: progress.frame_done(stem, n)


def _say_image_mode(spec: SourceSpec) -> None:
    """How images are read, and how to change it."""
    if spec.image_mode is None:
        return
    what = (
        "one sequence (tracks, smoothing, a video)"
        if spec.image_mode == "sequence"
        else "independent pictures (each on its own)"
    )
    other = "independent" if spec.image_mode == "sequence" else "sequence"
    log.info(
        "'%s': %d image(s) read as %s: %s; --images %s to change",
        spec.label,
        len(spec.files),
        what,
        spec.image_why,
        other,
    )


def source_header(
    pack: Pack,
    source: FrameSource,
    settings: dict[str, Any],
    started: str,
    spec: SourceSpec,
    detector: dict[str, Any] | None,
    members: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The first record of a source's JSONL: what made it, from what, with which models.

    `members`: each member's precision and the sha256 of the file that ran (an INT8 or FP16
    variant); without it, the pack's FP32 hashes."""
    models = (detector or {}).get("models") or [{"sha256": pack.detector.sha256}]
    return {
        "producer": PRODUCER,
        "started": started,
        "source": source.label,
        "name": source.name,
        "fps": source.fps,
        "pack": pack.name,
        "detector": detector,
        "detector_sha256": models[0]["sha256"],
        "members": members or [{"name": m.name, "sha256": m.sha256} for m in pack.members],
        "compound_classes": list(COMPOUND_CLASSES),
        "basic_classes": list(BASIC_CLASSES),
        "settings": settings,
        "source_settings": spec.settings(),
        **({"images": spec.image_mode} if spec.image_mode else {}),
    }


def ran_precision(settings: dict[str, Any], members: list[dict[str, str]] | None) -> dict[str, Any]:
    """Settings with the precision that ran ('auto' resolved; 'mixed' when members differ,
    each member's own is in the header) and the one that was asked for."""
    ran = sorted({m["precision"] for m in members or []})
    if not ran:
        return settings
    return {**settings, "precision": ran[0] if len(ran) == 1 else "mixed", "precision_asked": settings["precision"]}


__all__ = ["Progress", "Run", "RunConfig", "RunSummary"]
