"""A plain folder-per-class layout: ROOT/<class>/*.jpg, optionally under train/ and val/ (or test/).

A class folder is named by its ABAW id (0..6) or its name, any case, spaces or underscores.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DatasetError
from ..runtime import COMPOUND_CLASSES
from .items import Item, LabelledSet, is_image

SPLIT_DIRS = {"train": ("train",), "val": ("val", "test"), "test": ("test", "val")}


def class_id(name: str) -> int | None:
    if name.isdigit() and int(name) < len(COMPOUND_CLASSES):
        return int(name)
    wanted = name.replace("_", " ").lower()
    found = [i for i, c in enumerate(COMPOUND_CLASSES) if c.lower() == wanted]
    return found[0] if found else None


def split_dirs(root: Path) -> dict[str, Path]:
    """'train' and 'val' sub-folders when the layout has them."""
    out = {}
    for split, names in SPLIT_DIRS.items():
        for name in names:
            if (root / name).is_dir():
                out.setdefault(split, root / name)
    return out if "train" in out and "val" in out else {}


def load_folders(root: Path, split: str = "all") -> LabelledSet:
    splits = split_dirs(root)
    if split == "all":
        bases = [splits["train"], splits["val"]] if splits else [root]
    elif splits:
        bases = [splits["test" if split == "test" else split]]
    else:
        raise DatasetError(f"'{root}' has no train/ and val/ folders; evaluate or train on it whole (split 'all')")
    items = [item for base in bases for item in _class_folders(base)]
    return LabelledSet(f"folders {root} ({split})", tuple(items), {})


def _class_folders(base: Path) -> list[Item]:
    folders = sorted(p for p in base.iterdir() if p.is_dir())
    unknown = [p.name for p in folders if class_id(p.name) is None]
    if unknown or not folders:
        raise DatasetError(
            f"'{base}' has folder(s) {unknown[:3] or 'none'} that name no class; name class folders 0..6 "
            f"or by class name (e.g. Happily_Surprised)"
        )
    items = []
    for folder in folders:
        label = class_id(folder.name)
        items.extend(Item(p, label) for p in sorted(folder.iterdir()) if is_image(p))
    return items
