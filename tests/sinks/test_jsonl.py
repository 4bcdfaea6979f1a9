import json
import os

import pytest

from cer_live.errors import DiskFullError, OutputError
from cer_live.sinks.jsonl import JsonlSink

from .disk import small_disk
from .factories import frame_result


def test_header_then_one_line_per_face_and_per_empty_frame(tmp_path):
    path = tmp_path / "out.jsonl"
    sink = JsonlSink(path, {"producer": "cer-live test"})
    sink.write(frame_result(0, faces=2))
    # flushed per frame: a reader (or a crash) now sees whole lines only
    assert [json.loads(l)["type"] for l in path.read_text().splitlines()] == ["header", "face", "face"]
    sink.write(frame_result(1, faces=0))
    sink.write(frame_result(2, faces=1, fallback=True))
    sink.close()
    rows = [json.loads(l) for l in path.read_text().splitlines()]
    assert rows[0] == {"type": "header", "producer": "cer-live test"}
    assert [(r["type"], r["frame"]) for r in rows[1:]] == [("face", 0), ("face", 0), ("empty", 1), ("face", 2)]
    face = rows[1]
    assert face["label"] == "Fearfully Surprised" and face["label_id"] == 0 and face["prob"] == 0.8
    assert len(face["compound"]) == 7 and len(face["basic"]) == 7 and len(face["landmarks"]) == 5
    assert face["protagonist"] is True and rows[2]["protagonist"] is False
    assert rows[4]["fallback"] is True and rows[4]["fallback_from"] == 0
    assert face["latency_ms"] == {"detect": 1.0}


def test_a_full_disk_cuts_back_to_the_last_whole_frame_and_says_so(tmp_path):
    with small_disk(tmp_path / "disk", 64) as disk:
        path = disk / "out.jsonl"
        sink = JsonlSink(path, {"producer": "cer-live test"})
        written = 0
        with pytest.raises(DiskFullError) as info:
            for i in range(100_000):
                sink.write(frame_result(i, faces=3))
                written += 1
        sink.close()
        message = str(info.value)
        assert "\n" not in message and message.startswith(f"no space left on the disk holding '{disk}'")
        assert "out.jsonl" in message and "choose another --out" in message
        data = path.read_bytes()
        assert data.endswith(b"\n") and len(data) > 32_000  # the disk was used, not refused
        rows = [json.loads(line) for line in data.decode().splitlines()]  # every line whole
        assert [r["frame"] for r in rows[1:]] == [i for i in range(written) for _ in range(3)]  # whole frames only


def test_another_write_error_is_one_line_too(tmp_path):
    sink = JsonlSink(tmp_path / "out.jsonl", {"producer": "cer-live test"})
    os.close(sink._file._fd)  # the descriptor goes bad under the sink: EBADF on the next write
    with pytest.raises(OutputError) as info:
        sink.write(frame_result(0))
    assert (
        "\n" not in str(info.value) and "cannot write" in str(info.value) and not isinstance(info.value, DiskFullError)
    )
    sink._file._fd = None
