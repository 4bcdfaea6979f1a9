"""One entry point for every dataset layout, and a check that every image decodes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import cv2
import numpy as np

from ...sources.quiet import native_stderr_silenced
from ..errors import DatasetError
from .folders import load_folders, split_dirs
from .items import Item, LabelledSet, add_skip
from .labelset import labels_csv, load_labelset
from .rafdb import is_rafdb, load_rafdb

log = logging.getLogger(__name__)
FORMATS = ("auto", "rafdb", "labels", "folders")
Tick = Callable[[], None]


def detect_format(path: Path) -> str:
    if is_rafdb(path):
        return "rafdb"
    if labels_csv(path) is not None:
        return "labels"
    if path.is_dir():
        return "folders"
    raise DatasetError(
        f"'{path}' is not a dataset; pass a RAF-DB folder, a `cer-live label` folder, or a folder of class folders"
    )


def has_split(path: Path, fmt: str) -> bool:
    """Does the layout carry its own train/validation split?"""
    return fmt == "rafdb" or (fmt == "folders" and bool(split_dirs(path)))


def open_dataset(path: Path, split: str = "all", fmt: str = "auto", rafdb_map: Mapping | None = None) -> LabelledSet:
    if not path.exists():
        raise DatasetError(f"dataset '{path}' does not exist; check the path")
    if fmt not in FORMATS:
        raise DatasetError(f"bad dataset format '{fmt}'; choose from {', '.join(FORMATS)}")
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "rafdb":
        data = load_rafdb(path, split, rafdb_map)
    elif fmt == "labels":
        if split != "all":
            # train holds out a random share of a label set; scoring all of it under another name would mislead.
            raise DatasetError(
                f"'{path}' is a `cer-live label` set: it has no {split} split of its own; drop --split to "
                "score all of it, or give the held-out crops as their own set"
            )
        data = load_labelset(path)
    else:
        data = load_folders(path, split)
    return data


def keep_readable(data: LabelledSet, tick: Tick = lambda: None) -> LabelledSet:
    """Drop images that do not decode, counting them; fail when nothing is left."""
    good: list[Item] = []
    skipped = dict(data.skipped)
    for item in data.items:
        problem = _unreadable(item.path)
        if problem:
            add_skip(skipped, problem)
            log.debug("skipping %s %s", problem, item.path)
        else:
            good.append(item)
        tick()
    if not good:
        raise DatasetError(f"{data.name}: no readable labelled image; check the layout and the files")
    return data.with_items(good, skipped=skipped)


def _unreadable(path: Path) -> str | None:
    """Why an image cannot be used, or None. A JPEG cut short decodes half grey (and libjpeg
    says 'Premature end of JPEG file' on the console each time it is read): it is left out."""
    try:
        data = path.read_bytes()
    except OSError:
        return "unreadable image"
    with native_stderr_silenced():  # libjpeg's own warnings: the skip count says it
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None or image.size == 0:
        return "unreadable image"
    if data[:2] == b"\xff\xd8" and not data.rstrip(b"\0").endswith(b"\xff\xd9"):
        return "truncated JPEG"
    return None
