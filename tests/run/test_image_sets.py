"""A folder of photos is a set of independent pictures; a folder of numbered frames is one video."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import cv2
import pytest

from cer_live.classes import BASIC_CLASSES
from cer_live.run import Run, RunConfig
from cer_live.sinks.faces_csv import COMPOUND_COLUMNS

from ..helpers import read_jsonl

PHOTOS = (
    "multi_face.jpg",
    "single_face.jpg",
    "0-f1-su-ph.jpg",
    "0-f15-hao-ph.jpg",
    "15-f13-anc-ph.jpg",
    "45-m7-di-ph.jpg",
)


@pytest.fixture(scope="module")
def photos_run(tmp_path_factory, sample):
    folder = tmp_path_factory.mktemp("in") / "photos"
    folder.mkdir()
    for name in PHOTOS:
        shutil.copy(sample(name), folder / name)
    out = tmp_path_factory.mktemp("out")
    summary = Run(RunConfig(sources=(str(folder),), out=out)).execute()
    return folder, out, summary


def test_unrelated_photos_share_no_track_and_keep_their_own_labels(photos_run):
    folder, out, summary = photos_run
    assert summary.exit_code == 0 and summary.sources[0].images == "independent"
    lines = read_jsonl(out / "photos.jsonl")
    assert lines[0]["images"] == "independent" and lines[0]["settings"]["images"] == "auto"
    rows = [r for r in lines if r["type"] == "face"]
    assert {r["image"] for r in rows} == {f"photos/{name}" for name in PHOTOS}
    images_of_track = defaultdict(set)
    for r in rows:
        images_of_track[r["track"]].add(r["image"])
        # Nothing carried over from another photo: the label is this photo's own.
        assert r["label"] == r["label_raw"] and r["compound"] == r["compound_raw"] and r["fresh"] and not r["fallback"]
        assert r["margin"] == pytest.approx(r["margin_raw"]) and r["margin"] >= 0
    assert all(len(images) == 1 for images in images_of_track.values())
    assert sum(r["image"] == "photos/multi_face.jpg" for r in rows) == 5


def test_each_photo_gets_an_annotated_picture_at_its_own_size(photos_run):
    folder, out, _ = photos_run
    assert not (out / "photos.mp4").exists()
    for name in PHOTOS:
        original, annotated = cv2.imread(str(folder / name)), cv2.imread(str(out / "photos" / name))
        assert annotated is not None and annotated.shape == original.shape
        assert (annotated != original).any()


def test_the_faces_table_has_named_columns_and_one_row_per_face(photos_run):
    _, out, _ = photos_run
    with (out / "photos.faces.csv").open(newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    faces = [r for r in read_jsonl(out / "photos.jsonl") if r["type"] == "face"]
    assert len(table) == len(faces)
    expected = [
        "frame",
        "time",
        "image",
        "track",
        "protagonist",
        "x1",
        "y1",
        "x2",
        "y2",
        "label",
        "label_id",
        "prob",
        "margin",
        "fresh",
        "fallback",
    ]
    assert list(table[0]) == expected + list(COMPOUND_COLUMNS) + list(BASIC_CLASSES)
    for row, face in zip(table, faces, strict=False):
        assert (int(row["track"]), row["label"], int(row["label_id"])) == (
            face["track"],
            face["label"],
            face["label_id"],
        )
        assert float(row["margin"]) == pytest.approx(face["margin"], abs=1e-4)
        assert [float(row[c]) for c in ("x1", "y1", "x2", "y2")] == pytest.approx(face["box"], abs=0.06)
        assert float(row["Sadly_Angry"]) == pytest.approx(face["compound"]["Sadly Angry"], abs=1e-4)
        assert row["fresh"] == "True" and row["fallback"] == "False"


def test_pandas_reads_the_faces_table_without_options(photos_run):
    pd = pytest.importorskip("pandas")
    _, out, _ = photos_run
    table = pd.read_csv(out / "photos.faces.csv")
    assert table["fresh"].dtype == bool and table["track"].dtype.kind == "i" and table["margin"].dtype.kind == "f"


def _numbered_frames(folder: Path, video: Path, count: int) -> None:
    folder.mkdir()
    capture = cv2.VideoCapture(str(video))
    for i in range(count):
        ok, frame = capture.read()
        assert ok
        cv2.imwrite(str(folder / f"{i + 1:05d}.jpg"), frame)
    capture.release()


def test_numbered_frames_of_one_size_are_one_sequence_with_tracks(tmp_path, sample):
    frames = tmp_path / "clip"
    _numbered_frames(frames, sample("WolfgangLanger_Pexels.mp4"), 12)
    summary = Run(RunConfig(sources=(str(frames),), out=tmp_path / "out")).execute()
    assert summary.exit_code == 0 and summary.sources[0].images == "sequence"
    rows = [r for r in read_jsonl(tmp_path / "out" / "clip.jsonl") if r["type"] == "face"]
    assert len(rows) == 12 and {r["track"] for r in rows} == {1}
    assert any(r["compound"] != r["compound_raw"] for r in rows[1:])  # smoothed across frames
    assert (tmp_path / "out" / "clip.mp4").is_file() and not (tmp_path / "out" / "clip").exists()


def test_the_choice_can_be_overridden(tmp_path, sample):
    frames = tmp_path / "clip"
    _numbered_frames(frames, sample("WolfgangLanger_Pexels.mp4"), 3)
    summary = Run(RunConfig(sources=(str(frames),), out=tmp_path / "out", images="independent")).execute()
    rows = [r for r in read_jsonl(tmp_path / "out" / "clip.jsonl") if r["type"] == "face"]
    assert summary.sources[0].images == "independent" and len({r["track"] for r in rows}) == 3
    assert sorted(p.name for p in (tmp_path / "out" / "clip").iterdir()) == ["00001.jpg", "00002.jpg", "00003.jpg"]


def test_a_folder_of_one_image_writes_its_picture_inside_the_folders_name(tmp_path, sample):
    folder = tmp_path / "holiday"
    folder.mkdir()
    shutil.copy(sample("single_face.jpg"), folder / "beach.jpg")
    summary = Run(RunConfig(sources=(str(folder),), out=tmp_path / "out")).execute()
    assert summary.exit_code == 0
    assert (tmp_path / "out" / "holiday" / "beach.jpg").is_file()  # OUT/NAME/<file>, as for any folder
    assert not (tmp_path / "out" / "holiday.jpg").exists()
    single = Run(RunConfig(sources=(str(folder / "beach.jpg"),), out=tmp_path / "one")).execute()
    assert single.exit_code == 0 and (tmp_path / "one" / "beach.jpg").is_file()  # a single image: OUT/NAME.ext
