"""A finished run's best checkpoints -> a model pack, through the export and its parity checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...export.build import ExportOptions, ExportResult, MemberInput, export_pack
from ...export.checkpoints import load_checkpoint
from ..errors import TrainError
from .config import TrainConfig


def export_options(
    config: TrainConfig, name: str, root: Path, fp16: bool, force: bool, weights: dict[str, float], run: Path
) -> ExportOptions:
    return ExportOptions(
        name=name,
        out_root=root,
        colour=config.colour,
        mean=tuple(config.mean),
        std=tuple(config.std),
        size=(config.size, config.size),
        fp16=fp16,
        force=force,
        description=f"{len(config.archs)}-CNN ensemble trained by cer-live train ({run.name}): {', '.join(config.archs)}",
        weights=weights,
    )


def check_target(options: ExportOptions) -> None:
    """Before any training: a pack that would be overwritten stops the run now, not hours later."""
    target = options.out_root / options.name
    if target.exists() and not options.force:
        raise TrainError(f"pack '{target}' exists; choose another --export name or pass --force-export")


def export_run(run: Path, config: TrainConfig, options: ExportOptions, progress: Callable[[str], None]) -> ExportResult:
    members = []
    for arch in config.archs:
        path = run / f"{arch}.pth"
        if not path.is_file():
            raise TrainError(f"run '{run}' has no {arch}.pth to export; train it first")
        members.append(MemberInput(arch, arch, checkpoint=load_checkpoint(path, arch)))
    return export_pack(members, options, progress)
