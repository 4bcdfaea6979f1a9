"""One `cer-live train` invocation: check everything, then train, then export; rank 0 talks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.table import Table

from ..datasets.items import LabelledSet
from ..datasets.open import keep_readable
from ..errors import TrainError
from ..runtime import COMPOUND_CLASSES
from .config import RESUMABLE, TrainConfig, from_mapping, load_toml
from .distributed import barrier, setup, teardown
from .models import check_archs
from .pack import check_target, export_options, export_run
from .progress import TrainProgress
from .run_folder import CONFIG, check_run_folder
from .splits import load_splits
from .trainer import TrainResult, train


@dataclass(frozen=True)
class TrainRequest:
    out: Path
    config_file: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    resume: bool = False
    export: str | None = None
    export_root: Path = Path("engines")
    export_fp16: bool = True
    force_export: bool = False


def resolve_config(request: TrainRequest) -> TrainConfig:
    if request.resume:
        check_run_folder(request.out, resume=True)
        saved = from_mapping(load_toml(request.out / CONFIG))
        config = from_mapping(request.overrides, saved)
        changed = [k for k in request.overrides if k not in RESUMABLE and getattr(config, k) != getattr(saved, k)]
        if changed:
            raise TrainError(
                f"--resume continues with the run's saved config; {', '.join(changed)} differ (only {', '.join(RESUMABLE)} may change)"
            )
        return config
    base = from_mapping(load_toml(request.config_file)) if request.config_file else TrainConfig()
    return from_mapping(request.overrides, base)


def _check(config: TrainConfig, request: TrainRequest) -> None:
    check_archs(config.archs)
    check_run_folder(request.out, request.resume)
    if config.init and not Path(config.init).expanduser().is_dir():
        raise TrainError(f"--init '{config.init}' is not a run folder; pass the --out of a stage-1 run")
    if config.pretrained not in ("auto", "none") and not Path(config.pretrained).expanduser().exists():
        raise TrainError(
            f"--pretrained '{config.pretrained}' does not exist; give auto, none, or a weights file/folder"
        )
    if request.export:
        check_target(
            export_options(
                config, request.export, request.export_root, request.export_fp16, request.force_export, {}, request.out
            )
        )


def _data(config: TrainConfig, progress: TrainProgress) -> tuple[LabelledSet, LabelledSet]:
    train_set, val_set = load_splits(config)
    checked = []
    for name, data in (("train", train_set), ("val", val_set)):
        checked.append(keep_readable(data, progress.phase(f"checking {name} images", len(data.items))))
    return checked[0], checked[1]


def counts_table(train_set: LabelledSet, val_set: LabelledSet) -> Table:
    table = Table(title="images per class (the loss's priors come from the train column)", title_justify="left")
    for column in ("id", "class", "train", "val"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for i, (name, a, b) in enumerate(zip(COMPOUND_CLASSES, train_set.counts(), val_set.counts(), strict=False)):
        table.add_row(str(i), name, str(a), str(b))
    for what, data in (("train", train_set), ("val", val_set)):
        for reason, n in sorted(data.skipped.items()):
            table.add_row(
                "", f"skipped ({what}): {reason}", str(n) if what == "train" else "", str(n) if what == "val" else ""
            )
    return table


def run_session(request: TrainRequest, console: Console) -> int:
    config = resolve_config(request)
    _check(config, request)
    if config.threads:
        torch.set_num_threads(config.threads)
    dist = setup(config.device)
    try:
        with TrainProgress(console, dist.main) as progress:
            data = _data(config, progress)
            if dist.main:
                console.print(counts_table(*data))
            result = train(config, request.out, data, dist, progress, request.resume)
        if dist.main:
            _report(result, console)
            if request.export:
                _export(result, config, request, console)
        barrier(dist)
    finally:
        teardown(dist)
    return 0


def _report(result: TrainResult, console: Console) -> None:
    for arch, best in result.best.items():
        console.print(
            f"{arch}: best val macro F1 {best['macro_f1']:.4f} at epoch {best['epoch']} -> {result.out / (arch + '.pth')}",
            highlight=False,
        )


def _export(result: TrainResult, config: TrainConfig, request: TrainRequest, console: Console) -> None:
    weights = {arch: max(best["macro_f1"], 1e-6) for arch, best in result.best.items()}
    options = export_options(
        config,
        request.export or "",
        request.export_root,
        request.export_fp16,
        request.force_export,
        weights,
        request.out,
    )
    with console.status("exporting") as status:
        exported = export_run(request.out, config, options, lambda message: status.update(message))
    console.print(
        f"pack written to {exported.path}/ (run it with: cer-live run VIDEO --pack {exported.path})", highlight=False
    )
