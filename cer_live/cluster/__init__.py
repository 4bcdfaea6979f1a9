"""Scale-out on Ray: stream workers spread over a cluster, one batched ensemble per GPU.

The runtime never imports this package (nor Ray); `cer-live run --ray` reaches it by name.
Each stream worker runs the single-process code (`run_source`, `Analyser`, `SourceFaces`,
`open_sinks`) and only sends its aligned faces to the shared ensemble service.
"""

from __future__ import annotations

from types import ModuleType

from ..errors import ClusterError
from ..install import install_hint

NAMESPACE = "cer-live"
APP = "cer-live-ensemble"


def require_ray() -> ModuleType:
    """Ray itself, or a one-line error that says what to install."""
    try:
        import ray
        from ray import serve  # noqa: F401  (the ensemble service needs Serve too)
    except ImportError as exc:
        raise ClusterError(
            f"--ray needs Ray and Ray Serve, which are not installed ({exc.name}); run: {install_hint('ray')}"
        ) from exc
    return ray
