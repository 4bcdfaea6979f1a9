"""The RAF-DB compound adapter on a folder in RAF-DB's own layout, made here."""

import cv2
import numpy as np
import pytest

from cer_live.classes import COMPOUND_CLASSES
from cer_live.offline.datasets.open import detect_format, keep_readable, open_dataset
from cer_live.offline.datasets.rafdb import load_rafdb, mapping
from cer_live.offline.errors import DatasetError

# (file name, RAF compound id 1..11)
LINES = [(f"train_{i:04d}.jpg", raf) for i, raf in enumerate(list(range(1, 12)) * 2, 1)] + [
    (f"test_{i:04d}.jpg", raf) for i, raf in enumerate(range(1, 12), 1)
]


def _image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (100, 100, 3), dtype=np.uint8)


@pytest.fixture
def rafdb(tmp_path):
    (tmp_path / "EmoLabel").mkdir()
    aligned = tmp_path / "Image" / "aligned"
    aligned.mkdir(parents=True)
    (tmp_path / "EmoLabel" / "list_patition_label.txt").write_text("".join(f"{n} {r}\n" for n, r in LINES))
    for i, (name, _) in enumerate(LINES):
        if name == "train_0003.jpg":
            continue  # listed, but its image is missing
        cv2.imwrite(str(aligned / name.replace(".jpg", "_aligned.jpg")), _image(i))
    (aligned / "train_0004_aligned.jpg").write_bytes(b"truncated")
    return tmp_path


def test_train_split_keeps_the_seven_abaw_classes_in_abaw_order(rafdb):
    data = load_rafdb(rafdb, "train")
    # 22 train lines: 8 of them are RAF classes outside ABAW (2, 6, 7, 10, twice each); one image missing
    assert len(data.items) == 13
    assert data.skipped == {"image missing": 1, **{f"RAF class {r} is not an ABAW class": 2 for r in (2, 6, 7, 10)}}
    by_name = {i.path.name: i.label for i in data.items}
    assert by_name["train_0001_aligned.jpg"] == COMPOUND_CLASSES.index("Happily Surprised")
    assert by_name["train_0008_aligned.jpg"] == COMPOUND_CLASSES.index("Fearfully Surprised")
    assert by_name["train_0011_aligned.jpg"] == COMPOUND_CLASSES.index("Disgustedly Surprised")
    assert by_name["train_0005_aligned.jpg"] == COMPOUND_CLASSES.index("Sadly Surprised")


def test_corrupt_images_are_skipped_and_counted(rafdb):
    data = keep_readable(load_rafdb(rafdb, "train"))
    assert len(data.items) == 12 and data.skipped["unreadable image"] == 1
    assert data.counts().tolist() == [
        2,
        2,
        2,
        2,
        2,
        1,
        1,
    ]  # train_0003 (Sadly Fearful) and train_0004 (Sadly Angry) lost


def test_splits_come_from_the_name_prefix(rafdb):
    test = open_dataset(rafdb, "val")  # RAF-DB's test split serves as validation
    assert detect_format(rafdb) == "rafdb"
    assert len(test.items) == 7 and all(i.path.name.startswith("test_") for i in test.items)
    assert len(load_rafdb(rafdb, "all").items) == 20


def test_the_mapping_can_be_overridden_in_one_place(rafdb):
    data = load_rafdb(rafdb, "test", {"2": "Happily_Surprised", 1: -1})
    labels = {i.path.name: i.label for i in data.items}
    assert "test_0001_aligned.jpg" not in labels  # RAF 1 dropped
    assert labels["test_0002_aligned.jpg"] == 1  # RAF 2 (Happily Disgusted) counted as Happily Surprised
    assert mapping()[8] == 0
    with pytest.raises(DatasetError, match="RAF compound ids 1..11"):
        mapping({"12": 0})
    with pytest.raises(DatasetError, match="ABAW id 0..6"):
        mapping({"1": 9})


def test_a_bad_label_line_names_its_line(rafdb):
    path = rafdb / "EmoLabel" / "list_patition_label.txt"
    path.write_text(path.read_text() + "train_9999.jpg twelve\n")
    with pytest.raises(DatasetError, match=r"list_patition_label.txt:34"):
        load_rafdb(rafdb, "train")
