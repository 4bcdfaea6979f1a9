import pytest

from cer_live.errors import DiskFullError
from cer_live.sinks.abaw_csv import AbawCsvSink

from .disk import small_disk
from .factories import frame_result


def test_abaw_header_and_protagonist_rows(tmp_path):
    sink = AbawCsvSink(tmp_path / "out.csv")
    sink.write(frame_result(0, faces=2))  # protagonist is face 0: label id 0
    sink.write(frame_result(1, faces=0))  # no face, no row
    sink.write(frame_result(2, faces=1))  # label id 2
    sink.close()
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines == [
        "image_location,Fearfully_Surprised,Happily_Surprised,Sadly_Surprised,"
        "Disgustedly_Surprised,Angrily_Surprised,Sadly_Fearful,Sadly_Angry",
        "clip/00001.jpg,0",
        "clip/00003.jpg,2",
    ]
    assert sink.missing == 1


def test_a_full_disk_leaves_whole_rows_only(tmp_path):
    with small_disk(tmp_path / "disk", 16) as disk:
        path = disk / "out.csv"
        sink = AbawCsvSink(path)
        written = 0
        with pytest.raises(DiskFullError, match=f"no space left on the disk holding '{disk}'"):
            for i in range(100_000):
                sink.write(frame_result(i, faces=1))
                written += 1
        sink.close()
        lines = path.read_text().splitlines(keepends=True)
        assert all(line.endswith("\n") for line in lines) and len(lines) == written + 1
        assert lines[-1] == f"clip/{written:05d}.jpg,{(written - 1) % 7}\n"
