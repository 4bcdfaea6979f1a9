"""A run's settings: frozen, and checked as a whole when made, before anything is opened."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CerLiveError
from ..faces.detector_config import DETECTORS
from ..faces.schedule import ScheduleConfig
from ..faces.smooth import SmoothingConfig
from ..faces.state import FaceOptions
from ..models import backends
from ..sources.images import IMAGE_MODES
from .queues import POLICIES

FUSIONS = ("pack", "majority", "mean", "weighted_mean")
PRECISIONS = ("auto", "fp32", "fp16")
TRANSPORTS = ("tcp", "udp")
_DEVICE = re.compile(r"^(cpu|cuda(:\d+)?)$")


def _bad(option: str, value: object, fix: str) -> CerLiveError:
    return CerLiveError(f"bad {option} {value}; {fix}")


@dataclass(frozen=True)
class RunConfig:
    """What `cer-live run` does; a program that embeds cer-live builds one of these."""

    sources: tuple[str, ...]
    out: Path | None = None
    pack: str = "default"
    protagonist: bool = False
    video: bool = True
    smooth: str = "ema:0.4"
    fallback_age: int = 12
    det_size: int | None = None
    detector: str | None = None  # None: the pack's detector.kind
    max_yaw: float | None = None  # faces turned further (degrees) keep their label out of the smoothed track
    threads: int = 2
    backend: str = "auto"
    device: str = "cpu"
    precision: str = "auto"  # settled per member: fp16 on CUDA where the member has it
    fusion: str = "pack"
    every: int = 1
    min_iou: float = 0.6
    show: bool | None = None  # None: on for live sources when a display exists
    policy: str | None = None  # None: 'latest' for live sources, 'all' for files
    transport: str = "tcp"
    reconnect_limit: int | None = None
    timeout: float = 5.0
    overwrite: bool = False
    recursive: bool = False
    images: str = "auto"  # a folder of images: auto, sequence (one video) or independent (photos)
    ray: str | None = None  # run on a Ray cluster: its address, or 'local'/'auto' to start one here
    smoothing: SmoothingConfig = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.sources, (str, Path)):
            object.__setattr__(self, "sources", (str(self.sources),))
        object.__setattr__(self, "sources", tuple(str(s) for s in self.sources))
        if self.out is not None:
            object.__setattr__(self, "out", Path(self.out))
        object.__setattr__(self, "backend", backends.canonical(self.backend))
        object.__setattr__(self, "smoothing", SmoothingConfig.parse(self.smooth))
        self._check_numbers()
        self._check_choices()

    def _check_numbers(self) -> None:
        if not self.sources:
            raise CerLiveError("no SOURCE given; name a video, an image, a folder, a webcam or a stream URL")
        if self.fallback_age < 0:
            raise _bad("--fallback-age", self.fallback_age, "give 0 (off) or a number of frames")
        if self.det_size is not None and not 64 <= self.det_size <= 4096:
            raise _bad("--det-size", self.det_size, "give a long side between 64 and 4096 pixels")
        if self.max_yaw is not None and not 0 < self.max_yaw <= 90:
            raise _bad("--max-yaw", self.max_yaw, "give degrees in (0, 90]")
        if self.threads < 1:
            raise _bad("--threads", self.threads, "give 1 or more")
        if self.reconnect_limit is not None and self.reconnect_limit < 0:
            raise _bad("--reconnect-limit", self.reconnect_limit, "give 0 or more attempts")
        if self.timeout <= 0:
            raise _bad("--timeout", self.timeout, "give seconds > 0")
        if self.every < 1 or not 0.0 <= self.min_iou <= 1.0:
            raise CerLiveError(f"bad --every {self.every} / --min-iou {self.min_iou}; give K >= 1 and an IoU in [0, 1]")

    def _check_choices(self) -> None:
        if not _DEVICE.match(self.device):
            raise _bad("--device", f"'{self.device}'", "give cpu, cuda or cuda:N")
        for option, value, choices in (
            ("--precision", self.precision, PRECISIONS),
            ("--fusion", self.fusion, FUSIONS),
            ("--transport", self.transport, TRANSPORTS),
            ("--images", self.images, IMAGE_MODES),
        ):
            if value not in choices:
                raise _bad(option, f"'{value}'", f"choose one of: {', '.join(choices)}")
        if self.detector is not None and self.detector not in DETECTORS:
            raise _bad("--detector", f"'{self.detector}'", f"choose one of: {', '.join(DETECTORS)}")
        if self.policy is not None and self.policy not in POLICIES:
            raise _bad("--policy", f"'{self.policy}'", f"choose one of: {', '.join(POLICIES)}")

    @property
    def faces(self) -> FaceOptions:
        return FaceOptions(
            self.protagonist, ScheduleConfig(self.every, self.min_iou), self.smoothing, self.fallback_age, self.max_yaw
        )

    def settings(self, pack_name: str, det_size: int, fusion: str) -> dict[str, Any]:
        """What the outputs record about how they were made."""
        return {
            "pack": pack_name,
            "protagonist_only": self.protagonist,
            "smooth": self.smooth,
            "fallback_age": self.fallback_age,
            "det_size": det_size,
            "detector": self.detector or "pack",
            "max_yaw": self.max_yaw,
            "threads": self.threads,
            "backend": self.backend,
            "device": self.device,
            "precision": self.precision,
            "fusion": fusion,
            "every": self.every,
            "min_iou": self.min_iou,
            "policy": self.policy or "auto",
            "images": self.images,
        }
