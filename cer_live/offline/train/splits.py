"""Training and validation sets from the config: a separate --val, the data's own split, or a share of it."""

from __future__ import annotations

from pathlib import Path

from ..datasets.items import LabelledSet
from ..datasets.open import detect_format, has_split, open_dataset
from ..errors import TrainError
from .config import TrainConfig


def load_splits(config: TrainConfig) -> tuple[LabelledSet, LabelledSet]:
    if not config.data:
        raise TrainError("no training data; pass DATA (a RAF-DB folder, a `cer-live label` folder or class folders)")
    data = Path(config.data).expanduser()
    fmt = detect_format(data) if config.format == "auto" and data.exists() else config.format
    if config.val:
        val_path = Path(config.val).expanduser()
        train = open_dataset(data, "train" if has_split(data, fmt) else "all", fmt, config.rafdb_map)
        val_fmt = detect_format(val_path) if val_path.exists() else "auto"
        val = open_dataset(val_path, "val" if has_split(val_path, val_fmt) else "all", "auto", config.rafdb_map)
        return train, val
    if has_split(data, fmt):
        return (
            open_dataset(data, "train", fmt, config.rafdb_map),
            open_dataset(data, "val", fmt, config.rafdb_map),
        )
    return open_dataset(data, "all", fmt, config.rafdb_map).split(config.val_fraction, config.seed)
