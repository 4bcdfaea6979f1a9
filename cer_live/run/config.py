"""A run's settings: frozen, and checked as a whole when made, before anything is opened."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import CerLiveError
from ..face_common.detector_config import DETECTORS
from ..faces.detect_schedule import MODES as DETECT_MODES
from ..faces.detect_schedule import DetectScheduleConfig
from ..faces.schedule import ScheduleConfig
from ..faces.smooth import SmoothingConfig
from ..faces.state import FaceOptions
from ..models import backends
from ..serve.address import ServeAddress, check_token, parse_serve
from ..sources.images import IMAGE_MODES
from ..sources.stream import StreamOptions
from ..validate import TIMEOUT, Range, show_value
from .queues import POLICIES
from .source_list import TRANSPORTS, SourceEntry

FUSIONS = ("pack", "majority", "mean", "weighted_mean")
PRECISIONS = ("auto", "fp32", "fp16", "int8")
_DEVICE = re.compile(r"^(cpu|cuda(:\d+)?)$")


class ConfigError(CerLiveError):
    """A bad setting, named by its RunConfig field; the command line names its option instead."""

    def __init__(self, field: str, template: str) -> None:
        self.field, self.template = field, template  # `template` holds "{field}" where the name goes
        super().__init__(template.format(field=field))

    def named(self, name: str) -> CerLiveError:
        """The same error, with the setting called `name` (an option such as '--max-streams')."""
        return CerLiveError(self.template.format(field=name))


# Every number a run takes, with its range and unit (validate.py words the message).
_NUMBERS: tuple[tuple[str, Range], ...] = (
    ("batch_wait_ms", Range(0, 1000, "milliseconds")),
    ("max_streams", Range(1, 1024, "sources", integer=True)),
    ("fallback_age", Range(0, 100_000, "frames (0 = off)", integer=True)),
    ("det_size", Range(64, 4096, "pixels (the long side)", integer=True)),
    ("max_yaw", Range(0, 90, "degrees", low_open=True)),
    ("full_every", Range(1, 100_000, "frames", integer=True)),
    ("regions_per_frame", Range(0, 100_000, "faces (0 = every known face)", integer=True)),
    ("threads", Range(1, 256, "threads", integer=True)),
    ("reconnect_limit", Range(0, 1_000_000, "attempts", integer=True)),
    ("timeout", TIMEOUT),
    ("every", Range(1, 100_000, "frames", integer=True)),
    ("min_iou", Range(0, 1)),
)


def _bad(field: str, value: object, fix: str) -> ConfigError:
    return ConfigError(field, f"bad {{field}} {value}; {fix}")


@dataclass(frozen=True)
class RunConfig:
    """What `cer-live run` does; a program that embeds cer-live builds one of these."""

    sources: tuple[str, ...]
    out: Path | None = None
    pack: str = "default"
    protagonist: bool = False
    video: bool = True
    smooth: str = "ema:0.4"
    fallback_age: int = FaceOptions.fallback_age
    det_size: int | None = None
    detector: str | None = None  # None: the pack's detector.kind
    max_yaw: float | None = None  # faces turned further (degrees) keep their label out of the smoothed track
    detect: str = (
        DetectScheduleConfig.mode
    )  # auto: regions around known faces + periodic scans; full: whole frame every frame
    full_every: int = DetectScheduleConfig.full_every  # auto: frames between full-resolution scans of the whole frame
    regions_per_frame: int = DetectScheduleConfig.regions_per_frame  # auto: known faces re-detected per frame
    threads: int = 2
    backend: str = "auto"
    device: str = "cpu"
    precision: str = "auto"  # settled per member: fp16 on CUDA where the member has it
    fusion: str = "pack"
    every: int = ScheduleConfig.every
    min_iou: float = ScheduleConfig.min_iou
    show: bool | None = None  # None: on for live sources when a display exists
    policy: str | None = None  # None: 'latest' for live sources, 'all' for files
    transport: str = StreamOptions.transport
    reconnect_limit: int | None = None
    timeout: float = StreamOptions.open_timeout_s
    overwrite: bool = False
    recursive: bool = False
    images: str = "auto"  # a folder of images: auto, sequence (one video) or independent (photos)
    source_list: tuple[SourceEntry, ...] = ()  # from --sources FILE.toml: a name and options each
    batch_wait_ms: float = 8.0  # how long a batch waits for the other sources' frames
    max_streams: int = 16  # sources analysed at once; more wait for a free place
    serve: str | None = None  # [HOST:]PORT of the live browser preview
    serve_token: str | None = field(default=None, repr=False)  # never shown: it is a credential
    ray: str | None = None  # run on a Ray cluster: its address, or 'local'/'auto' to start one here
    smoothing: SmoothingConfig = field(init=False, repr=False, compare=False)
    serve_address: ServeAddress | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.sources, (str, Path)):
            object.__setattr__(self, "sources", (str(self.sources),))
        object.__setattr__(self, "sources", tuple(str(s) for s in self.sources))
        object.__setattr__(self, "source_list", tuple(self.source_list))
        object.__setattr__(self, "serve_address", None if self.serve is None else parse_serve(str(self.serve)))
        if self.serve_address is not None:
            check_token(self.serve_address, self.serve_token)
        if self.out is not None:
            object.__setattr__(self, "out", Path(self.out))
        object.__setattr__(self, "backend", backends.canonical(self.backend))
        object.__setattr__(self, "smoothing", SmoothingConfig.parse(self.smooth))
        self._check_numbers()
        self._check_choices()

    def _check_numbers(self) -> None:
        if not self.sources and not self.source_list:
            raise ConfigError("sources", "no {field} given; name a video, an image, a folder, a webcam or a stream URL")
        for name, rule in _NUMBERS:
            value = getattr(self, name)
            if value is not None and not rule.allows(value):
                raise ConfigError(name, f"bad {{field}} {show_value(value)}; give {rule.describe()}")

    def _check_choices(self) -> None:
        if not _DEVICE.match(self.device):
            raise _bad("device", f"'{self.device}'", "give cpu, cuda or cuda:N")
        for option, value, choices in (
            ("precision", self.precision, PRECISIONS),
            ("fusion", self.fusion, FUSIONS),
            ("transport", self.transport, TRANSPORTS),
            ("images", self.images, IMAGE_MODES),
            ("detect", self.detect, DETECT_MODES),
        ):
            if value not in choices:
                raise _bad(option, f"'{value}'", f"choose one of: {', '.join(choices)}")
        if self.detector is not None and self.detector not in DETECTORS:
            raise _bad("detector", f"'{self.detector}'", f"choose one of: {', '.join(DETECTORS)}")
        if self.policy is not None and self.policy not in POLICIES:
            raise _bad("policy", f"'{self.policy}'", f"choose one of: {', '.join(POLICIES)}")

    @property
    def entries(self) -> tuple[SourceEntry, ...]:
        """Every source as named: the SOURCE arguments, then the --sources list."""
        return tuple(SourceEntry(spec) for spec in self.sources) + self.source_list

    @property
    def faces(self) -> FaceOptions:
        return FaceOptions(
            protagonist_only=self.protagonist,
            schedule=ScheduleConfig(self.every, self.min_iou),
            smoothing=self.smoothing,
            fallback_age=self.fallback_age,
            max_yaw=self.max_yaw,
            detect=DetectScheduleConfig(
                mode=self.detect,
                full_every=self.full_every,
                full_size=self.det_size,
                regions_per_frame=self.regions_per_frame,
            ),
        )

    def faces_for(self, detects_regions: bool) -> FaceOptions:
        """The face options for a front end; one that cannot re-detect in regions detects in full."""
        if detects_regions or self.detect == "full":
            return self.faces
        return replace(self.faces, detect=replace(self.faces.detect, mode="full"))

    def settings(self, pack_name: str, det_size: int, fusion: str, detect: str) -> dict[str, Any]:
        """What the outputs record about how they were made."""
        return {
            "pack": pack_name,
            "protagonist_only": self.protagonist,
            "smooth": self.smooth,
            "fallback_age": self.fallback_age,
            "detector": self.detector or "pack",
            "max_yaw": self.max_yaw,
            # auto scans the whole frame at its own size unless --det-size caps it
            "det_size": "frame" if detect == "auto" and self.det_size is None else det_size,
            "detect": detect,
            "full_every": self.full_every,
            "regions_per_frame": self.regions_per_frame,
            "threads": self.threads,
            "backend": self.backend,
            "device": self.device,
            "precision": self.precision,
            "fusion": fusion,
            "every": self.every,
            "min_iou": self.min_iou,
            "policy": self.policy or "auto",
            "images": self.images,
            "batch_wait_ms": self.batch_wait_ms,
        }
