"""`cer-live run` onto a disk that fills up mid-run: whole records in every file, one line."""

import json

import av

from ..helpers import cli
from .disk import small_disk
from .test_video import top_level_boxes


def test_a_full_disk_mid_run(tmp_path, sample):
    video = sample("WolfgangLanger_Pexels.mp4")
    before = video.read_bytes()
    # 512 KiB: room for the tables and the video's first fragments (about 250 KiB a second), not the whole run
    with small_disk(tmp_path / "disk", 512) as disk:
        out = disk / "out"
        result = cli("run", str(video), "--out", str(out))
        lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        jsonl = (out / "WolfgangLanger_Pexels.jsonl").read_bytes()
        csv = (out / "WolfgangLanger_Pexels.csv").read_bytes()
        mp4 = out / "WolfgangLanger_Pexels.mp4"
        rows = [json.loads(line) for line in jsonl.decode().splitlines()]
        assert rows[0]["type"] == "header" and len(rows) > 10 and jsonl.endswith(b"\n")
        assert csv.endswith(b"\n") and all(line.count(",") == 1 for line in csv.decode().splitlines()[1:])
        assert top_level_boxes(mp4)[-1][0] == "mdat"  # ends on a whole fragment
        with av.open(str(mp4)) as container:
            assert sum(1 for _ in container.decode(video=0)) >= 24
        assert video.read_bytes() == before
        assert "Traceback" not in result.stderr
        assert result.code == 2, result.stderr
        assert len(lines) == 1 and f"no space left on the disk holding '{out}'" in lines[0], result.stderr


def test_a_disk_full_at_start_up_leaves_no_empty_table(tmp_path, sample):
    # 8 KiB of tmpfs holds two files (a page each): the third, NAME.faces.csv, fails on its header.
    with small_disk(tmp_path / "disk", 8) as disk:
        out = disk / "out"
        result = cli("run", str(sample("no_face.mp4")), "--out", str(out), "--no-video")
        lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert result.code == 2 and len(lines) == 1 and "writing no_face.faces.csv" in lines[0], result.stderr
        assert not (out / "no_face.faces.csv").exists()  # an empty file would be no table pandas reads
        for path in out.iterdir():  # what is there holds whole records, a header at least
            text = path.read_text()
            assert text and text.endswith("\n"), path
