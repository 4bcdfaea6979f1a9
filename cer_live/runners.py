"""Which runner a config asks for: this process (`Run`) or a Ray cluster (`ClusterRun`).

The choice follows the config (`ray` set or not), so a program that embeds cer-live and the
command line get the same runner for the same settings.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol

from .errors import CerLiveError
from .messages import FrameResult
from .run.config import RunConfig
from .run.run import Progress, Run
from .run.summary import RunSummary


class Runner(Protocol):
    def execute(self) -> RunSummary: ...


def runner_for(
    config: RunConfig,
    progress: Progress | None = None,
    on_result: Callable[[str, FrameResult], None] | None = None,
) -> Runner:
    if config.ray is None:
        return Run(config, on_result=on_result, progress=progress)
    if on_result is not None:
        raise CerLiveError("ray: results stay on the cluster's workers; read them from the outputs in out")
    # By name: the runtime never imports the cluster package (nor Ray) unless asked.
    launch = importlib.import_module("cer_live.cluster.launch")
    return launch.ClusterRun(config, progress=progress)
