"""RAF-DB compound in its own layout: the EmoLabel list and the aligned images.

`EmoLabel/list_patition_label.txt` (the spelling is RAF-DB's) holds lines like
`train_0001.jpg 4`: the split is the name's prefix, the id is 1..11 in RAF order. The aligned
image of `train_0001.jpg` is `Image/aligned/train_0001_aligned.jpg`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import DatasetError
from ..runtime import COMPOUND_CLASSES, RAFDB_COMPOUND_TO_ABAW
from .items import Item, LabelledSet, add_skip

LIST_FILE = Path("EmoLabel/list_patition_label.txt")
ALIGNED = Path("Image/aligned")
SPLITS = {"train": ("train",), "val": ("test",), "test": ("test",), "all": ("train", "test")}


def is_rafdb(root: Path) -> bool:
    return (root / LIST_FILE).is_file()


def mapping(overrides: Mapping[str | int, int | str | None] | None = None) -> dict[int, int | None]:
    """RAF id -> ABAW id (None: dropped). Overrides name a RAF id and an ABAW id, a class
    name, or -1/None/"none" to drop it."""
    out = dict(RAFDB_COMPOUND_TO_ABAW)
    for key, value in (overrides or {}).items():
        try:
            raf = int(key)
        except ValueError:
            raise DatasetError(f"bad RAF-DB mapping key '{key}'; keys are RAF compound ids 1..11") from None
        if raf not in out:
            raise DatasetError(f"bad RAF-DB mapping key {raf}; keys are RAF compound ids 1..11")
        out[raf] = _abaw_id(value)
    return out


def _abaw_id(value: int | str | None) -> int | None:
    if value is None or value == -1 or (isinstance(value, str) and value.lower() == "none"):
        return None
    if isinstance(value, str) and value.replace("_", " ") in COMPOUND_CLASSES:
        return COMPOUND_CLASSES.index(value.replace("_", " "))
    if isinstance(value, int) and 0 <= value < len(COMPOUND_CLASSES):
        return value
    raise DatasetError(f"bad RAF-DB mapping value '{value}'; give an ABAW id 0..6, a class name, or -1 to drop")


def load_rafdb(root: Path, split: str = "all", overrides: Mapping | None = None) -> LabelledSet:
    if split not in SPLITS:
        raise DatasetError(f"bad split '{split}' for RAF-DB; choose from {', '.join(SPLITS)}")
    table = mapping(overrides)
    skipped: dict[str, int] = {}
    items: list[Item] = []
    lines = (root / LIST_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        name, raf = _parse(line, number, root)
        if name.split("_", 1)[0] not in SPLITS[split]:
            continue
        if table[raf] is None:
            add_skip(skipped, f"RAF class {raf} is not an ABAW class")
            continue
        path = root / ALIGNED / f"{Path(name).stem}_aligned{Path(name).suffix}"
        if not path.is_file():
            add_skip(skipped, "image missing")
            continue
        items.append(Item(path, table[raf]))
    return LabelledSet(f"RAF-DB compound {split} ({root})", tuple(items), skipped)


def _parse(line: str, number: int, root: Path) -> tuple[str, int]:
    parts = line.split()
    try:
        name, raf = parts[0], int(parts[1])
        if len(parts) != 2 or raf not in RAFDB_COMPOUND_TO_ABAW or "_" not in name:
            raise ValueError
    except (ValueError, IndexError):
        raise DatasetError(
            f"{root / LIST_FILE}:{number}: cannot read '{line.strip()[:60]}'; lines are 'train_0001.jpg ID' with ID 1..11"
        ) from None
    return name, raf
