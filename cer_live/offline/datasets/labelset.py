"""The training set `cer-live label` writes: DIR/labels.csv and the aligned crops beside it.

Header `crop,label,label_name,source,frame,filled,prompt,model`; `crop` is relative to the
CSV's folder; `label` is an ABAW id 0..6 or EMPTY (no class named in the reply: skipped).
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from ..errors import DatasetError
from ..runtime import COMPOUND_CLASSES
from .items import Item, LabelledSet, add_skip

CSV_NAME = "labels.csv"
REQUIRED = ("crop", "label")
EMPTY = "EMPTY"
DUPLICATE = "crop listed again, same label (used once)"
log = logging.getLogger(__name__)


def labels_csv(path: Path) -> Path | None:
    """The labels.csv a path names (the file itself or its folder); None if there is none."""
    if path.is_file() and path.suffix.lower() == ".csv":
        return path
    return path / CSV_NAME if (path / CSV_NAME).is_file() else None


def load_labelset(path: Path) -> LabelledSet:
    csv_path = labels_csv(path)
    if csv_path is None:
        raise DatasetError(f"'{path}' has no {CSV_NAME}; pass the folder `cer-live label` wrote")
    root = csv_path.parent
    items: list[Item] = []
    skipped: dict[str, int] = {}
    seen: dict[Path, tuple[int, int]] = {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(
                f"{csv_path} lacks the column(s) {', '.join(missing)}; is it a `cer-live label` labels.csv?"
            )
        for row in reader:
            label = (row["label"] or "").strip()
            if label == EMPTY:
                add_skip(skipped, "label EMPTY (no class in the reply)")
                continue
            if not label.isdigit() or int(label) >= len(COMPOUND_CLASSES):
                raise DatasetError(
                    f"{csv_path}:{reader.line_num}: label '{label[:20]}' is not an ABAW id 0..6 or EMPTY"
                )
            crop = root / (row["crop"] or "")
            if not crop.is_file():
                add_skip(skipped, "crop missing")
                continue
            if _seen_before(seen, crop, int(label), csv_path, reader.line_num):
                add_skip(skipped, DUPLICATE)
                continue
            items.append(Item(crop, int(label)))
    if skipped.get(DUPLICATE):
        log.warning("%s lists %d crop(s) again with the same label; each is used once", csv_path, skipped[DUPLICATE])
    return LabelledSet(f"label set {csv_path}", tuple(items), skipped)


def _seen_before(seen: dict[Path, tuple[int, int]], crop: Path, label: int, csv_path: Path, line: int) -> bool:
    """A crop listed again with its label is a repeat (a borrowed face); with another label, an error."""
    key = crop.resolve()
    if key not in seen:
        seen[key] = (label, line)
        return False
    first, first_line = seen[key]
    if first != label:
        raise DatasetError(
            f"{csv_path}:{line}: crop '{crop.name}' is labelled {label} ({COMPOUND_CLASSES[label]}) here but "
            f"{first} ({COMPOUND_CLASSES[first]}) on line {first_line}; keep one label per crop"
        )
    return True
