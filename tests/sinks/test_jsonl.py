import json

from cer_live.sinks.jsonl import JsonlSink

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
