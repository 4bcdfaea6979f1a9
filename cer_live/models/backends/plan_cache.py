"""Where built TensorRT plans are kept, under which key, and when one may be trusted.

Kept apart from the TensorRT backend (and free of its imports) so that the cache rules are
tested on machines without TensorRT.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ...atomic import write_bytes
from ...cache import cache_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanKey:
    """What a serialised plan depends on; any difference means a rebuild."""

    onnx_sha256: str
    tensorrt_version: str
    gpu_name: str
    compute_capability: str  # e.g. "9.0"
    precision: str
    batch_profile: tuple[int, int, int]  # min, opt, max

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "model"


class PlanCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def plan_path(self, label: str, key: PlanKey) -> Path:
        return self.root / f"{_slug(label)}-{key.digest()[:20]}.plan"

    def timing_cache_path(self, key: PlanKey) -> Path:
        # Timing data depends on the GPU and TensorRT version, not on the model: one file serves all members.
        return (
            self.root
            / f"timing-{_slug(key.tensorrt_version)}-{_slug(key.gpu_name)}-sm{_slug(key.compute_capability)}.cache"
        )

    def load(self, label: str, key: PlanKey) -> bytes | None:
        """The cached plan if its sidecar names this exact key and its bytes are intact."""
        path = self.plan_path(label, key)
        meta_path = path.with_suffix(".json")
        if not path.is_file() or not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable TensorRT plan %s (%s); rebuilding", path.name, exc)
            return None
        if meta.get("key") != json.loads(json.dumps(asdict(key))):
            log.warning("TensorRT plan %s was built for another setup; rebuilding", path.name)
            return None
        if meta.get("plan_sha256") != hashlib.sha256(data).hexdigest():
            log.warning("TensorRT plan %s is corrupt (sha256 mismatch); rebuilding", path.name)
            return None
        return data

    def store(self, label: str, key: PlanKey, plan: bytes, producer: str) -> Path:
        path = self.plan_path(label, key)
        meta = {
            "producer": producer,
            "key": asdict(key),
            "plan_sha256": hashlib.sha256(plan).hexdigest(),
        }
        atomic_write(path, plan)
        atomic_write(path.with_suffix(".json"), json.dumps(meta, indent=2).encode())
        return path

    def load_timing(self, key: PlanKey) -> bytes:
        path = self.timing_cache_path(key)
        try:
            return path.read_bytes()
        except OSError:
            return b""

    def store_timing(self, key: PlanKey, data: bytes) -> None:
        atomic_write(self.timing_cache_path(key), data)


def atomic_write(path: Path, data: bytes) -> None:
    """A killed build never leaves half a plan."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, data)


def default_cache_dir() -> Path:
    return cache_dir() / "tensorrt"
