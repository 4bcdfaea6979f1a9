"""The pack's members and fusion as a Ray Serve deployment that batches faces from every stream.

Callers send one list of tensors per frame (one per preprocessing group, see `Preprocessor`);
`@serve.batch` joins the calls that arrive within a bounded wait into one batch per group, so a
replica on a GPU sees large batches however many streams feed it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from ray import serve

from ..messages import FaceScores
from ..models.backends import BackendOptions
from ..models.ensemble import Ensemble
from ..models.packs import load_pack

DEPLOYMENT = "Ensemble"
MAX_BATCH = 64  # frames per batch
MAX_WAIT_S = 0.005  # the bounded wait: a lone stream pays at most this much latency


# No access log line per call: a busy service would flood the driver's console.
@serve.deployment(
    name=DEPLOYMENT, max_ongoing_requests=256, logging_config={"enable_access_log": False, "log_level": "WARNING"}
)
class EnsembleService:
    def __init__(self, pack: str, fusion: str, backend: str, options: BackendOptions) -> None:
        loaded = load_pack(pack)
        if fusion != "pack":
            loaded = replace(loaded, fusion=fusion)
        self.ensemble = Ensemble(loaded, backend, options)

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=MAX_WAIT_S)
    async def score(self, calls: list[list[np.ndarray]]) -> list[tuple[FaceScores, ...]]:
        counts = [call[0].shape[0] for call in calls]
        joined = [np.concatenate([call[group] for call in calls]) for group in range(len(calls[0]))]
        faces = self.ensemble.infer(joined)
        out, start = [], 0
        for n in counts:
            out.append(faces[start : start + n])
            start += n
        return out

    def batch_sizes(self) -> dict[str, Any]:
        return {"max_batch": MAX_BATCH, "max_wait_s": MAX_WAIT_S}


def application(pack: str, fusion: str, backend: str, options: BackendOptions, replicas: int, gpus: float) -> Any:
    """One replica per GPU when the members run on CUDA, else `replicas` CPU replicas."""
    actor: dict[str, Any] = {"num_cpus": 0, "num_gpus": gpus}
    return EnsembleService.options(num_replicas=replicas, ray_actor_options=actor).bind(pack, fusion, backend, options)
