"""`cer-live run --ray`: the run's checks here, its sources on the cluster's stream workers.

Everything is checked before the cluster is touched, exactly as in a single-process run; the
outputs land in --out (a path every node can reach), per source, under the same names.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import ClusterError
from ..models.backends import BackendOptions
from ..run.build import load_run_pack
from ..run.config import RunConfig
from ..run.outputs import SUMMARY, OutputPlan, plan_outputs, prepare_out_dir, write_json
from ..run.plan import SourceSpec, plan_sources
from ..run.report import SourceReport
from ..run.run import Progress
from ..run.signals import StopRequests
from ..run.summary import RunSummary
from . import APP, NAMESPACE, require_ray
from .jobs import SourceJob

log = logging.getLogger(__name__)
LOCAL = ("local", "auto")
_POLL_S = 0.5


@dataclass(frozen=True)
class _Checked:
    plan: OutputPlan
    specs: list[SourceSpec]  # every source, planned as a single-process run plans them


class ClusterRun:
    """`ClusterRun(config).execute()`: like `Run`, with each source on a stream worker of a Ray cluster."""

    def __init__(self, config: RunConfig, progress: Progress | None = None) -> None:
        if config.ray is None:
            raise ClusterError("a cluster run needs a Ray address; give --ray ADDRESS, or --ray local")
        self.config = config
        self.progress = progress
        self._stop = False

    def stop(self) -> None:
        """Asks every worker to end its source between frames (outputs stay whole)."""
        self._stop = True

    def execute(self) -> RunSummary:
        ray = require_ray()
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        t0 = time.perf_counter()
        checked = self._check()
        prepare_out_dir(checked.plan.out_dir)
        owns = _connect(ray, self.config.ray, self.config.timeout)
        try:
            with StopRequests() as stopping:
                _start_service(self.config, ray)
                controller = _controller(ray)
                jobs = self._jobs(checked, started)
                reports, settings, placement = self._run_jobs(
                    ray, controller, jobs, lambda: stopping.requested or self._stop
                )
                interrupted = stopping.requested
        finally:
            _stop_cluster_side(ray, owns)
        summary = RunSummary(
            started, time.perf_counter() - t0, interrupted, settings, tuple(reports), checked.plan.out_dir
        )
        data = summary.as_dict()
        data["cluster"] = {
            "address": self.config.ray,
            "placement": placement,
            "nodes": len({p for p in placement.values() if p}),
        }
        write_json(checked.plan.out_dir / SUMMARY, data)
        return summary

    def _check(self) -> _Checked:
        """The single-process run's checks: pack, sources, output names; nothing is written."""
        c = self.config
        if c.out is None:
            raise ClusterError("--ray writes files only: give --out DIR, a folder every node of the cluster can reach")
        if c.show:
            raise ClusterError("--show cannot open a window from a cluster's workers; drop --show with --ray")
        load_run_pack(c, warn=False)
        specs = plan_sources(c)  # the workers open their own, on their nodes
        return _Checked(plan_outputs(c.out, specs, c.video, c.overwrite), specs)

    def _jobs(self, checked: _Checked, started: str) -> list[SourceJob]:
        run_id = uuid.uuid4().hex
        return [
            SourceJob(run_id, started, self.config, spec, stem, checked.plan)
            for spec, stem in zip(checked.specs, checked.plan.stems, strict=True)
        ]

    def _run_jobs(
        self, ray: Any, controller: Any, jobs: list[SourceJob], stop: Any
    ) -> tuple[list[SourceReport], dict[str, Any], dict[str, str | None]]:
        for job in jobs:
            ray.get(controller.add.remote(job))
            if self.progress is not None:
                self.progress.source_started(job.stem, job.source.expected_frames)
        pending = {controller.result.remote(job.stem): job.stem for job in jobs}
        done: dict[str, tuple[SourceReport, dict[str, Any]]] = {}
        stopped = False
        placement: dict[str, str | None] = {}
        while pending:
            if stop() and not stopped:
                stopped = True
                controller.stop.remote()
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=_POLL_S)
            for ref in ready:
                done[pending.pop(ref)] = ray.get(ref)
            self._show_progress(ray, controller)
            placement.update({p.stem: p.node for p in ray.get(controller.placement.remote()) if p.node})
        reports = [done[job.stem][0] for job in jobs]
        return reports, done[jobs[0].stem][1], placement

    def _show_progress(self, ray: Any, controller: Any) -> None:
        if self.progress is None:
            return
        for stem, frames in ray.get(controller.progress.remote()).items():
            self.progress.frame_done(stem, frames)


def ray_console(our_level: int, terminal: bool) -> tuple[int, bool]:
    """Ray's own logger level and whether forwarded lines go without colour codes: Ray's INFO
    and WARNING lines (its start-up, its object store) only with --debug; no escape codes in a file."""
    return (logging.INFO if our_level <= logging.DEBUG else logging.ERROR), not terminal


def _connect(ray: Any, address: str | None, timeout_s: float) -> bool:
    """Joins the cluster (or starts one here for 'local'); True if this run started Ray itself.

    Ray's own servers listen on every interface whatever ray.init is told (it replaces a loopback
    node address by the machine's), so a cluster started here must have Ray's token
    authentication on (the default since Ray 2.59): without it, it is refused."""
    if ray.is_initialized():
        return False
    local = address in LOCAL
    if not local:
        _check_answers(str(address), timeout_s)
    level, plain = ray_console(log.getEffectiveLevel(), sys.stderr.isatty())
    if plain:
        os.environ.setdefault("RAY_COLOR_PREFIX", "0")  # forwarded worker lines without colour codes
    try:
        ray.init(
            address=None if local else address,
            namespace=NAMESPACE,
            include_dashboard=False,
            dashboard_host="127.0.0.1",
            log_to_driver=True,
            logging_level=level,
        )
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ClusterError(
            f"cannot join the Ray cluster at '{address}' ({exc}); start it with 'ray start --head' or use --ray local"
        ) from exc
    if local:
        _require_token_auth(ray)
    return True


def _require_token_auth(ray: Any) -> None:
    """A local cluster without token authentication would run code for anyone on the network."""
    try:
        from ray._private.authentication.authentication_utils import is_token_auth_enabled
    except ImportError:  # a Ray without token authentication at all
        enabled = False
    else:
        enabled = is_token_auth_enabled()
    if not enabled:
        ray.shutdown()
        raise ClusterError(
            "the local Ray cluster started without token authentication, so anyone on the network could run code "
            "on it; install ray[serve]>=2.59 and leave RAY_AUTH_MODE unset (or set it to 'token')"
        )
    token = Path.home() / ".ray" / "auth_token"
    if token.is_file() and token.stat().st_mode & 0o077:
        token.chmod(0o600)  # Ray writes it readable by every local user


def _check_answers(address: str, timeout_s: float) -> None:
    """A one-line error unless the address's port answers within `timeout_s` (Ray itself
    would retry for minutes)."""
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise ClusterError(f"--ray '{address}' is not HOST:PORT (e.g. 10.0.0.5:6379), 'local' or 'auto'")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ClusterError(
            f"no Ray cluster answers at '{address}' within {timeout_s:g} s ({exc.strerror or 'timed out'}); "
            "start it with 'ray start --head', check the address, or use --ray local"
        ) from None


def _start_service(config: RunConfig, ray: Any) -> None:
    """The ensemble service: one replica per GPU with --device cuda, else one CPU replica."""
    from ray import serve

    from .ensemble_service import application

    gpus = int(ray.cluster_resources().get("GPU", 0)) if config.device.startswith("cuda") else 0
    options = BackendOptions(threads=config.threads, device=config.device, precision=config.precision)
    serve.start(proxy_location="Disabled", http_options={"host": "127.0.0.1"})  # no HTTP proxy; never all interfaces
    app = application(config.pack, config.fusion, config.backend, options, max(gpus, 1), 1.0 if gpus else 0.0)
    serve.run(app, name=APP, route_prefix=None)


def _controller(ray: Any) -> Any:
    from .controller import NAME, Controller

    return (
        ray.remote(Controller)
        .options(name=NAME, namespace=NAMESPACE, num_cpus=0, max_concurrency=64, get_if_exists=False)
        .remote()
    )


def _stop_cluster_side(ray: Any, owns: bool) -> None:
    """Workers, controller and service go; a cluster this run started goes too."""
    from ray import serve

    from .controller import NAME

    try:
        controller = ray.get_actor(NAME, namespace=NAMESPACE)
        ray.get(controller.shutdown.remote())
        ray.kill(controller)
    except (ValueError, ray.exceptions.RayError):
        pass
    try:
        serve.delete(APP)
    except Exception as exc:  # the run's results are safe; a leftover app is only worth a line
        log.warning("could not remove the ensemble service: %s", exc)
    if owns:
        ray.shutdown()
