"""The `cer-live label` set (labels.csv) and the folder-per-class layout."""

import csv

import cv2
import numpy as np
import pytest

from cer_live.offline.datasets.items import Item, LabelledSet
from cer_live.offline.datasets.open import detect_format, keep_readable, open_dataset
from cer_live.offline.errors import DatasetError
from tests.helpers import cli


def test_label_set_skips_empty_labels_and_reads_crops_relative_to_the_csv(label_set):
    data = open_dataset(label_set)
    assert detect_format(label_set) == "labels"
    assert data.skipped == {"label EMPTY (no class in the reply)": 2}
    assert len(data.items) == 7 * 26 + 1
    checked = keep_readable(data)
    assert checked.skipped["unreadable image"] == 1
    assert checked.counts().tolist() == [26] * 7
    assert open_dataset(label_set / "labels.csv").items == data.items  # the CSV itself works too


def test_label_set_bad_label_is_one_line_with_its_line_number(tmp_path):
    with (tmp_path / "labels.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["crop", "label", "label_name"], ["a.jpg", "9", "x"]])
    with pytest.raises(DatasetError, match=r"labels.csv:2: label '9' is not an ABAW id 0..6 or EMPTY"):
        open_dataset(tmp_path)


def _write(path, seed):
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.random.default_rng(seed).integers(0, 255, (40, 40, 3), dtype=np.uint8))


def test_folder_per_class_by_id_or_name_with_its_own_split(tmp_path):
    _write(tmp_path / "train" / "0" / "a.jpg", 0)
    _write(tmp_path / "train" / "Sadly_Angry" / "b.png", 1)
    _write(tmp_path / "val" / "sadly angry" / "c.jpg", 2)
    (tmp_path / "train" / "0" / "notes.txt").write_text("not an image")
    assert detect_format(tmp_path) == "folders"
    train = open_dataset(tmp_path, "train")
    assert sorted(i.label for i in train.items) == [0, 6]
    assert [i.label for i in open_dataset(tmp_path, "val").items] == [6]
    assert len(open_dataset(tmp_path, "all").items) == 3


def test_unknown_class_folder_is_an_error(tmp_path):
    _write(tmp_path / "neutral" / "a.jpg", 0)
    with pytest.raises(DatasetError, match="name no class"):
        open_dataset(tmp_path)


def test_stratified_split_keeps_every_class_in_validation():
    items = tuple(Item(path=None, label=c) for c in range(7) for _ in range(10))  # type: ignore[arg-type]
    train, val = LabelledSet("x", items).split(0.2, seed=0)
    assert val.counts().tolist() == [2] * 7 and train.counts().tolist() == [8] * 7


def _label_rows(root, rows):
    for name in {crop for crop, _ in rows}:
        cv2.imwrite(str(root / name), np.full((8, 8, 3), 128, np.uint8))
    with (root / "labels.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["crop", "label"], *rows])


def test_a_crop_listed_again_with_its_label_is_used_once_and_said(tmp_path, caplog):
    _label_rows(tmp_path, [("a.jpg", "1"), ("b.jpg", "2"), ("a.jpg", "1"), ("./a.jpg", "1")])
    data = open_dataset(tmp_path)
    assert [(i.path.name, i.label) for i in data.items] == [("a.jpg", 1), ("b.jpg", 2)]
    assert data.skipped == {"crop listed again, same label (used once)": 2}
    assert "lists 2 crop(s) again with the same label" in caplog.text


def test_a_crop_with_two_labels_is_one_line_naming_both_lines(tmp_path):
    _label_rows(tmp_path, [("a.jpg", "1"), ("b.jpg", "2"), ("a.jpg", "4")])
    with pytest.raises(DatasetError, match=r"labels.csv:4: crop 'a.jpg' is labelled 4 .* but 1 .* on line 2") as info:
        open_dataset(tmp_path)
    assert "\n" not in str(info.value)
    done = cli("train", str(tmp_path), "--out", str(tmp_path / "run"), "--arch", "resnet18", "--pretrained", "none")
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.code == 2 and len(lines) == 1 and "keep one label per crop" in lines[0], done.stderr
    assert not (tmp_path / "run").exists()


def test_a_jpeg_cut_short_is_left_out_without_libjpeg_on_the_console(tmp_path, capfd):
    _label_rows(tmp_path, [("a.jpg", "1"), ("b.jpg", "2")])
    image = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    data = cv2.imencode(".jpg", image)[1].tobytes()
    (tmp_path / "b.jpg").write_bytes(data[: len(data) // 2])
    checked = keep_readable(open_dataset(tmp_path))
    assert [i.path.name for i in checked.items] == ["a.jpg"]
    assert list(checked.skipped.values()) == [1] and set(checked.skipped) <= {"truncated JPEG", "unreadable image"}
    assert "Premature end of JPEG" not in capfd.readouterr().err
