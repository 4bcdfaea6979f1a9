"""What one bench run measures: parsed and checked before anything runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BenchArgError

BACKENDS = ("onnxruntime", "torch", "tensorrt")
ALIASES = {"ort": "onnxruntime", "trt": "tensorrt"}
QUICK = {
    "faces": "1,2,4,8",
    "batch": "1,4,16",
    "resolution": "640x360,1280x720",
    "frames": 48,
    "clip_frames": 36,
    "repeats": 3,
}
FULL = {
    "faces": "1,2,4,8,16",
    "batch": "1,2,4,8,16,32,64",
    "resolution": "640x360,1280x720,1920x1080",
    "frames": 0,
    "clip_frames": 120,
    "repeats": 5,
}
MAX_BATCH = 1024
MAX_FACES = 64


@dataclass(frozen=True)
class BenchConfig:
    out: Path
    pack: str = "default"
    backends: tuple[str, ...] = BACKENDS
    source: str = "sample"  # a video file, "sample" (the bundled clip) or "synthetic" (tiled faces)
    faces: tuple[int, ...] = (1, 2, 4, 8)
    batch: tuple[int, ...] = (1, 4, 16)
    resolutions: tuple[tuple[int, int], ...] = ((640, 360), (1280, 720))
    repeats: int = 3
    frames: int = 48  # frames of the source per repeat; 0 = all
    clip_frames: int = 36  # frames of each synthetic clip in the faces and resolution sweeps
    warmup: int = 8  # frames (or calls) run before timing starts
    threads: int = 2
    det_size: int | None = None
    peer_python: str | None = None  # the interpreter of a separate environment where `fer` is installed
    live: bool = True  # the loopback RTSP latency run, when the server is installed
    live_seconds: float = 3.0
    full: bool = False
    force: bool = False


def _ints(flag: str, text: str, low: int, high: int) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        values = ()
    if not values or any(not low <= v <= high for v in values):
        raise BenchArgError(
            f"bad {flag} '{text}'; give a comma list of whole numbers from {low} to {high}, e.g. {flag} 1,4,16"
        )
    return tuple(sorted(set(values)))


def parse_batches(text: str) -> tuple[int, ...]:
    return _ints("--batch", text, 1, MAX_BATCH)


def parse_faces(text: str) -> tuple[int, ...]:
    return _ints("--faces", text, 1, MAX_FACES)


def parse_resolutions(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for item in (v.strip() for v in text.split(",")):
        width, sep, height = item.lower().partition("x")
        if not (
            sep and width.isdigit() and height.isdigit() and 64 <= int(width) <= 7680 and 64 <= int(height) <= 4320
        ):
            raise BenchArgError(
                f"bad --resolution '{item}' in '{text}'; give WIDTHxHEIGHT pairs from 64x64 to 7680x4320, e.g. 640x360,1280x720"
            )
        out.append((int(width), int(height)))
    return tuple(dict.fromkeys(out))


def parse_backends(text: str) -> tuple[str, ...]:
    if text.strip() == "all":
        return BACKENDS
    names = [ALIASES.get(v.strip(), v.strip()) for v in text.split(",") if v.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if not names or unknown:
        raise BenchArgError(
            f"unknown backend '{', '.join(unknown) or text}' in --backend; choose 'all' or a comma list of {', '.join(BACKENDS)}"
        )
    return tuple(dict.fromkeys(names))
