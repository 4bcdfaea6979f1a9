"""Files a run writes: plain state_dicts, the resumable state, all written atomically."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ...atomic import replacing, write_text
from ...export.checkpoints import read_state_dict
from ..errors import TrainError

STATE = "last.state"  # the resumable state: every member, its optimiser, the epoch, the RNGs


def save_atomic(obj: Any, path: Path) -> None:
    """Write beside, flush to disk, rename: a kill leaves the old file or the new, never half."""
    with replacing(path) as handle:
        torch.save(obj, handle)


def write_text_atomic(path: Path, text: str) -> None:
    write_text(path, text)


def rng_state() -> dict[str, Any]:
    legacy = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": [legacy[0], torch.from_numpy(legacy[1].astype(np.int64)), *legacy[2:]],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(_tuples(state["python"]))
    kind, keys, *rest = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), *rest))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, (list, tuple)) else value


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_state(run: Path) -> dict[str, Any]:
    path = run / STATE
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise TrainError(f"'{run}' has no {STATE} to resume from; start a new run without --resume") from None
    except Exception as exc:  # pickle, zip and runtime errors alike
        raise TrainError(f"cannot read '{path}' ({type(exc).__name__}); start a new run in another --out") from exc


def save_weights(model: torch.nn.Module, path: Path) -> None:
    save_atomic({k: v.detach().cpu() for k, v in model.state_dict().items()}, path)


__all__ = [
    "STATE",
    "load_state",
    "read_state_dict",
    "rng_state",
    "save_atomic",
    "save_weights",
    "seed_everything",
    "set_rng_state",
    "write_text_atomic",
]
