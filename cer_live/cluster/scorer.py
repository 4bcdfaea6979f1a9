"""The stream worker's scorer: faces aligned here, scored by the cluster's ensemble service.

It has the signature of `Ensemble.score`, so `Analyser` and `SourceFaces` run unchanged. A call
that meets a dead or restarting replica is retried with backoff while Serve replaces it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import ray
from ray import serve

from ..errors import ClusterError
from ..messages import Detection, FaceScores
from ..models.ensemble import Preprocessor
from ..models.packs import Pack
from . import APP
from .ensemble_service import DEPLOYMENT

log = logging.getLogger(__name__)
_RETRYABLE = (
    ray.exceptions.RayActorError,
    ray.exceptions.ActorUnavailableError,
    ray.exceptions.GetTimeoutError,
    TimeoutError,
)
DELAYS_S = (0.1, 0.2, 0.5, 1.0, 2.0, 2.0, 4.0, 4.0, 8.0, 8.0)  # about 30 s in all: a replica restarts in a few
CALL_TIMEOUT_S = 30.0


class RemoteScorer:
    def __init__(self, pack: Pack, delays: tuple[float, ...] = DELAYS_S) -> None:
        self.preprocessor = Preprocessor(list(pack.members))
        self.delays = delays
        self.retries = 0  # calls that had to be sent again: visible in the source's report
        self._handle: Any = None

    def __call__(
        self, image: np.ndarray, detections: tuple[Detection, ...]
    ) -> tuple[tuple[FaceScores, ...], dict[str, float]]:
        if not detections:
            return (), {"align": 0.0, "infer": 0.0}
        t0 = time.perf_counter()
        tensors = self.preprocessor.tensors(image, detections)
        t1 = time.perf_counter()
        faces = self._call(tensors)
        return faces, {"align": (t1 - t0) * 1000, "infer": (time.perf_counter() - t1) * 1000}

    def _call(self, tensors: list[np.ndarray]) -> tuple[FaceScores, ...]:
        for delay in (*self.delays, None):
            try:
                if self._handle is None:
                    self._handle = serve.get_deployment_handle(DEPLOYMENT, app_name=APP)
                return self._handle.score.remote(tensors).result(timeout_s=CALL_TIMEOUT_S)
            except _RETRYABLE as exc:
                if delay is None:
                    raise ClusterError(
                        f"the ensemble service did not answer after {len(self.delays)} retries ({type(exc).__name__}); "
                        "check the cluster with 'ray status'"
                    ) from exc
                self.retries += 1
                log.warning("ensemble call failed (%s); retrying in %.1f s", type(exc).__name__, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")
