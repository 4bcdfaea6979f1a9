"""A training run: every member on the same batches, best epoch kept, resumable, DDP-aware."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.nn.parallel import DistributedDataParallel

from ..datasets.items import LabelledSet
from ..losses import CompoundLoss
from .augment import eval_transform, train_transform
from .config import TrainConfig
from .data import CropDataset, eval_loader, train_loader
from .distributed import Dist, barrier
from .loop import MemberRun, train_epoch, validate
from .models import build_member, load_init
from .progress import TrainProgress
from .provenance import provenance
from .run_folder import RUN_JSON, start_files, write_history, write_json
from .state import STATE, load_state, rng_state, save_atomic, save_weights, seed_everything, set_rng_state

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainResult:
    out: Path
    epochs: int
    best: dict[str, dict[str, float]]  # arch -> {"epoch", "macro_f1"}
    history: list[dict[str, Any]]


def _members(config: TrainConfig, dist: Dist) -> list[MemberRun]:
    runs = []
    for arch in config.archs:
        if config.init:
            model = build_member(arch, "none")
            load_init(model, arch, Path(config.init).expanduser())
        else:
            # Every rank reads (or fetches) on its own: no collective that a failed fetch could hang.
            model = build_member(arch, config.pretrained)
        model.to(dist.device)
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        runs.append(MemberRun(arch, model, optimizer))
    return runs


def _restore(runs: list[MemberRun], state: dict[str, Any], dist: Dist) -> None:
    for run in runs:
        saved = state["members"][run.arch]
        run.model.load_state_dict(saved["model"])
        run.optimizer.load_state_dict(saved["optimizer"])
        run.best_f1, run.best_epoch = saved["best_f1"], saved["best_epoch"]
    set_rng_state(state["rng"])


def _state(runs: list[MemberRun], epoch: int, history: list, sessions: int) -> dict[str, Any]:
    return {
        "epoch": epoch,
        "sessions": sessions,
        "history": history,
        "rng": rng_state(),
        "members": {
            r.arch: {
                "model": {k: v.detach().cpu() for k, v in r.plain.state_dict().items()},
                "optimizer": r.optimizer.state_dict(),
                "best_f1": r.best_f1,
                "best_epoch": r.best_epoch,
            }
            for r in runs
        },
    }


def _wrap(runs: list[MemberRun], dist: Dist) -> None:
    if dist.world > 1:
        ids = [dist.device.index] if dist.device.type == "cuda" else None
        for run in runs:
            run.model = DistributedDataParallel(run.model, device_ids=ids)


def in_sync(runs: list[MemberRun], dist: Dist) -> bool:
    """Do all ranks hold the same weights? A cheap check that DDP did its job."""
    if dist.world == 1:
        return True
    sums = torch.tensor([sum(float(p.double().sum()) for p in r.plain.parameters()) for r in runs], dtype=torch.float64)
    high, low = sums.clone().to(dist.device), sums.clone().to(dist.device)
    torch.distributed.all_reduce(high, op=torch.distributed.ReduceOp.MAX)
    torch.distributed.all_reduce(low, op=torch.distributed.ReduceOp.MIN)
    return bool(torch.allclose(high, low, rtol=0, atol=1e-6))


def train(
    config: TrainConfig,
    out: Path,
    data: tuple[LabelledSet, LabelledSet],
    dist: Dist,
    progress: TrainProgress,
    resume: bool,
) -> TrainResult:
    train_set, val_set = data
    seed_everything(config.seed)
    runs = _members(config, dist)
    counts = train_set.counts().tolist()
    loss_fn = CompoundLoss(counts, config.tau, config.dice_weight).to(dist.device)
    history: list[dict[str, Any]] = []
    sessions, start = 0, 1
    info = {**provenance(), "world_size": dist.world, "train": _describe(train_set), "val": _describe(val_set)}
    if resume:
        state = load_state(out)
        _restore(runs, state, dist)
        history, sessions, start = state["history"], state["sessions"] + 1, state["epoch"] + 1
        if dist.main:
            log.info("resuming '%s' after epoch %d of %d", out, state["epoch"], config.epochs)
    elif dist.main:
        start_files(out, config, {**info, "status": "running"})
    _wrap(runs, dist)
    train_data = CropDataset(train_set, train_transform(config))
    val_data = CropDataset(val_set, eval_transform(config))
    for epoch in range(start, config.epochs + 1):
        t0 = time.perf_counter()
        loader = train_loader(train_data, config.batch_size, config.workers, config.seed, epoch, dist)
        losses = train_epoch(
            runs, loader, loss_fn, dist, epoch, progress.phase(f"epoch {epoch}/{config.epochs} train", len(loader))
        )
        vloader = eval_loader(val_data, config.batch_size, config.workers, dist)
        scored = validate(
            runs, vloader, loss_fn, dist, progress.phase(f"epoch {epoch}/{config.epochs} val", len(vloader))
        )
        entry = _entry(epoch, sessions, time.perf_counter() - t0, losses, scored)
        history.append(entry)
        improved = _update_best(runs, scored, epoch)
        if dist.main:
            _save_epoch(out, runs, improved, epoch, history, sessions)
        progress.epoch_done(entry)
        barrier(dist)
    synced = in_sync(runs, dist)
    best = {r.arch: {"epoch": r.best_epoch, "macro_f1": round(r.best_f1, 6)} for r in runs}
    if dist.main:
        write_json(
            out / RUN_JSON,
            {
                **info,
                "status": "finished",
                "epochs": config.epochs,
                "sessions": sessions + 1,
                "best": best,
                "ranks_in_sync": synced,
            },
        )
    return TrainResult(out, config.epochs, best, history)


def _update_best(runs: list[MemberRun], scored: dict, epoch: int) -> list[MemberRun]:
    """Members whose validation macro F1 beat their best (ties keep the earlier epoch)."""
    improved = []
    for run in runs:
        f1 = scored[run.arch][1].macro_f1
        if f1 > run.best_f1:
            run.best_f1, run.best_epoch = f1, epoch
            improved.append(run)
    return improved


def _save_epoch(
    out: Path, runs: list[MemberRun], improved: list[MemberRun], epoch: int, history: list, sessions: int
) -> None:
    """Best checkpoints first, then the state, then the history derived from it."""
    for run in improved:
        save_weights(run.plain, out / f"{run.arch}.pth")
    save_atomic(_state(runs, epoch, history, sessions), out / STATE)
    write_history(out, history)


def _entry(epoch: int, session: int, seconds: float, losses: dict[str, float], scored: dict) -> dict[str, Any]:
    return {
        "epoch": epoch,
        "session": session,
        "seconds": round(seconds, 3),
        "members": {
            arch: {
                "train_loss": round(losses[arch], 6),
                "val_loss": round(scored[arch][0], 6),
                "val_macro_f1": round(scored[arch][1].macro_f1, 6),
                "val_accuracy": round(scored[arch][1].accuracy, 6),
                "val_per_class_f1": [round(v, 4) for v in scored[arch][1].per_class_f1],
            }
            for arch in losses
        },
    }


def _describe(data: LabelledSet) -> dict[str, Any]:
    return {"name": data.name, "images": len(data.items), "counts": data.counts().tolist(), "skipped": data.skipped}
