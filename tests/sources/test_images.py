from pathlib import Path

import pytest

from cer_live.errors import SourceError
from cer_live.sources import open_sources
from cer_live.sources.images import ImageSequenceSource, natural_key


def test_natural_order():
    names = ["f10.jpg", "f2.jpg", "F1.jpg"]
    assert sorted((Path(n) for n in names), key=natural_key) == [Path("F1.jpg"), Path("f2.jpg"), Path("f10.jpg")]


def test_a_folder_of_images_is_one_source_and_videos_are_their_own(tmp_path: Path, sample):
    for name in ("single_face.jpg", "multi_face.jpg"):
        (tmp_path / name).write_bytes(sample(name).read_bytes())
    (tmp_path / "clip.mp4").write_bytes(sample("no_face.mp4").read_bytes())
    (tmp_path / "notes.txt").write_text("ignored")
    images, video = open_sources(str(tmp_path))
    frames = list(images.frames())
    assert [f.name for f in frames] == [f"{tmp_path.name}/multi_face.jpg", f"{tmp_path.name}/single_face.jpg"]
    assert video.name == "clip"
    assert images.independent and images.mode == "independent" and not video.independent


def _frames(folder: Path, names: list[str], sizes: list[tuple[int, int]]) -> list[Path]:
    import cv2
    import numpy as np

    folder.mkdir(exist_ok=True)
    paths = []
    for name, (w, h) in zip(names, sizes, strict=False):
        cv2.imwrite(str(folder / name), np.full((h, w, 3), 128, np.uint8))
        paths.append(folder / name)
    return paths


def test_numbered_frames_of_one_size_are_a_sequence(tmp_path: Path):
    paths = _frames(tmp_path / "v", [f"{i:05d}.jpg" for i in range(1, 9)], [(64, 48)] * 8)
    source = ImageSequenceSource(paths, "v")
    assert (source.mode, source.independent) == ("sequence", False)


@pytest.mark.parametrize(
    "names, sizes, why",
    [
        (["a.jpg", "b.jpg"], [(64, 48)] * 2, "not frame numbers"),
        (["00001.jpg", "00002.jpg", "00003.jpg"], [(64, 48), (64, 48), (48, 64)], "'00003.jpg' is 48x64"),
        (["00001.jpg"], [(64, 48)], "a single image"),
    ],
)
def test_anything_else_is_independent_pictures(tmp_path: Path, names, sizes, why):
    source = ImageSequenceSource(_frames(tmp_path / "p", names, sizes), "p")
    assert source.independent and why in source.why


def test_the_mode_can_be_forced_and_is_checked(tmp_path: Path):
    paths = _frames(tmp_path / "p", ["a.jpg", "b.jpg"], [(64, 48)] * 2)
    assert not ImageSequenceSource(paths, "p", "sequence").independent
    assert ImageSequenceSource(sorted(paths)[:1] * 1, "p", "independent").independent
    with pytest.raises(SourceError, match="bad --images 'video'"):
        ImageSequenceSource(paths, "p", "video")


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
