from pathlib import Path

import pytest

from cer_live.errors import SourceError
from cer_live.sources import open_sources
from cer_live.sources.images import natural_key


def test_natural_order():
    names = ["f10.jpg", "f2.jpg", "F1.jpg"]
    assert sorted((Path(n) for n in names), key=natural_key) == [Path("F1.jpg"), Path("f2.jpg"), Path("f10.jpg")]


def test_a_folder_of_images_is_one_sequence_and_videos_are_their_own(tmp_path: Path, sample):
    for name in ("single_face.jpg", "multi_face.jpg"):
        (tmp_path / name).write_bytes(sample(name).read_bytes())
    (tmp_path / "clip.mp4").write_bytes(sample("no_face.mp4").read_bytes())
    (tmp_path / "notes.txt").write_text("ignored")
    images, video = open_sources(str(tmp_path))
    frames = list(images.frames())
    assert [f.name for f in frames] == [f"{tmp_path.name}/multi_face.jpg", f"{tmp_path.name}/single_face.jpg"]
    assert video.name == "clip"


def test_corrupt_image_is_refused_at_start(tmp_path: Path):
    bad = tmp_path / "face.jpg"
    bad.write_bytes(b"\xff\xd8\xff garbage")
    with pytest.raises(SourceError, match="not a readable image"):
        open_sources(str(bad))


def test_a_corrupt_image_later_in_a_folder_is_skipped_with_a_warning(tmp_path: Path, sample):
    (tmp_path / "a.jpg").write_bytes(sample("single_face.jpg").read_bytes())
    (tmp_path / "b.jpg").write_bytes(b"broken")
    (source,) = open_sources(str(tmp_path))
    assert len(list(source.frames())) == 1
    assert "b.jpg" in source.warnings()[0]
