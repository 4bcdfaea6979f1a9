"""The parts every runner builds the same way from a run's config: the pack and the analyser.

The single-process run, the many-streams run, the cluster's driver and workers, and the bench
all come here, so that a setting such as `--fusion` means the same thing in each.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from ..models.packs import Pack, load_pack
from .analyser import Analyser, AnalyserOptions
from .config import RunConfig

log = logging.getLogger(__name__)


def load_run_pack(config: RunConfig, warn: bool = True) -> Pack:
    """The config's pack, with its fusion overridden when the config asks for another."""
    pack = load_pack(config.pack)
    if config.fusion != "pack":
        pack = replace(pack, fusion=config.fusion)
    untrained = [m["name"] for m in pack.manifest.get("members", []) if m.get("trained") is False]
    if untrained and warn:
        log.warning("pack '%s' has untrained members (%s): its labels are meaningless", pack.name, ", ".join(untrained))
    return pack


def analyser_options(config: RunConfig) -> AnalyserOptions:
    c = config
    return AnalyserOptions(c.backend, c.threads, c.device, c.det_size, c.precision, c.detector)


def analyser_for(config: RunConfig, pack: Pack, scorer: Any = None) -> Analyser:
    """The detector and members the config names; `scorer` replaces the members (a cluster's service)."""
    return Analyser(pack, analyser_options(config), scorer)
