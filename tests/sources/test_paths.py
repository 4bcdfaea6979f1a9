"""Sources that are not regular files, and media in subfolders."""

import os
import shutil
import socket
from pathlib import Path

import pytest

from cer_live.errors import SourceError
from cer_live.sources import open_sources

from ..helpers import cli, read_jsonl


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_fifo_named_like_a_video_is_one_line(tmp_path):
    fifo = tmp_path / "x.mp4"
    os.mkfifo(fifo)
    line = one_error_line(cli("run", str(fifo), "--out", str(tmp_path / "out"), timeout=60))
    assert f"'{fifo}' is not a regular file (a named pipe)" in line
    assert not (tmp_path / "out").exists()  # refused before any output


def test_a_device_is_one_line(tmp_path):
    line = one_error_line(cli("run", "/dev/zero", "--out", str(tmp_path / "out"), timeout=60))
    assert "'/dev/zero' is not a regular file (a character device)" in line


def test_a_socket_is_one_line(tmp_path):
    path = tmp_path / "cam.mp4"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        line = one_error_line(cli("run", str(path), "--out", str(tmp_path / "out"), timeout=60))
    assert "is not a regular file (a socket)" in line


def test_in_a_folder_a_fifo_is_skipped_with_a_word(tmp_path, sample):
    shutil.copy(sample("no_face.mp4"), tmp_path / "good.mp4")
    os.mkfifo(tmp_path / "pipe.mp4")
    warnings: list[str] = []
    (source,) = open_sources(str(tmp_path), warnings)
    source.close()
    assert source.name == "good"
    assert warnings == [f"skipped: '{tmp_path / 'pipe.mp4'}' is not a regular file"]


@pytest.fixture
def tree(tmp_path, sample) -> Path:
    """top.mp4, sub/clip.mp4, sub/deeper/{1,2}.jpg, .hidden/x.mp4, notes.txt"""
    root = tmp_path / "media"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    shutil.copy(sample("no_face.mp4"), root / "top.mp4")
    shutil.copy(sample("no_face.mp4"), root / "sub" / "clip.mp4")
    shutil.copy(sample("no_face.mp4"), root / ".hidden" / "x.mp4")
    for n in (1, 2):
        shutil.copy(sample("single_face.jpg"), root / "sub" / "deeper" / f"{n}.jpg")
    (root / "notes.txt").write_text("not media\n")
    return root


def test_media_in_subfolders_are_counted_when_skipped(tree):
    warnings: list[str] = []
    sources = open_sources(str(tree), warnings)
    assert [s.name for s in sources] == ["top"]
    assert warnings == [f"3 media file(s) in subfolders of '{tree}' were skipped; pass --recursive to read them"]


def test_recursive_reads_every_subfolder_named_by_its_path(tree):
    warnings: list[str] = []
    sources = open_sources(str(tree), warnings, recursive=True)
    assert [s.name for s in sources] == ["top", "sub/clip", "sub/deeper"]
    assert warnings == []
    assert sources[2].expected_frames == 2


def test_a_folder_with_media_only_below_says_how_to_read_them(tree):
    (tree / "top.mp4").unlink()
    with pytest.raises(SourceError, match=r"holds no images or videos itself, 3 in its subfolders; pass --recursive"):
        open_sources(str(tree))


def test_recursive_run_writes_outputs_in_matching_subfolders(tree, tmp_path):
    if "--recursive" not in cli("run", "--help").stdout:
        pytest.skip("the run command has no --recursive flag yet")
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    result = cli("run", str(tree), "--recursive", "--out", str(tmp_path / "out"))
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    out = tmp_path / "out"
    for stem in ("top", "sub/clip", "sub/deeper"):
        assert read_jsonl(out / f"{stem}.jsonl")[0]["type"] == "header"
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == before
