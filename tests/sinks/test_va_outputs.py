"""Valence-arousal and contempt in the JSONL, the faces table and the overlay, only for packs that give them."""

import csv
import json
from dataclasses import replace

import numpy as np

from cer_live.sinks.draw import draw
from cer_live.sinks.faces_csv import FacesCsvSink, ScoreColumns
from cer_live.sinks.jsonl import JsonlSink
from cer_live.sinks.layout import Rect
from cer_live.sinks.va_dial import dial_rect, draw_va, point

from .factories import frame_result


def _with_va(result, va=(0.5, -0.25), contempt=0.125):
    faces = []
    for face in result.faces:
        raw = replace(face.raw, extra=np.array([contempt], np.float32), va=np.array(va, np.float32))
        smoothed = replace(raw, va=np.array(va, np.float32) / 2)
        faces.append(replace(face, raw=raw, smoothed=smoothed))
    return replace(result, faces=tuple(faces))


def test_jsonl_rows_carry_contempt_and_valence_arousal_only_when_given(tmp_path):
    sink = JsonlSink(tmp_path / "o.jsonl", {"producer": "test"})
    sink.write(frame_result(0))
    sink.write(_with_va(frame_result(1)))
    sink.close()
    plain, with_va = (json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()[1:])
    assert "valence" not in plain and "contempt" not in plain["basic"]
    assert list(with_va["basic"])[-1] == "contempt" and with_va["basic"]["contempt"] == 0.125
    assert (with_va["valence"], with_va["arousal"]) == (0.25, -0.125)
    assert (with_va["valence_raw"], with_va["arousal_raw"]) == (0.5, -0.25)


def test_the_faces_table_gains_contempt_valence_arousal_columns(tmp_path):
    sink = FacesCsvSink(tmp_path / "o.faces.csv", True, extra=True, va=True)
    sink.write(_with_va(frame_result(0, faces=2)))
    sink.close()
    rows = list(csv.DictReader((tmp_path / "o.faces.csv").open()))
    assert len(rows) == 2 and list(rows[0])[-3:] == ["contempt", "valence", "arousal"]
    assert (rows[1]["contempt"], rows[1]["valence"], rows[1]["arousal"]) == ("0.12500", "0.25000", "-0.12500")


def test_score_columns_of_a_pack():
    class Spec:
        def __init__(self, kind, head):
            self.output_kind, self.basic_output = kind, head

    from cer_live.models.basic_to_compound import BasicOutput

    seven = BasicOutput(("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"))
    eight_va = BasicOutput((*seven.classes, "contempt"), "softmax", (8, 9))
    assert ScoreColumns.of([Spec("compound_logits", None)]) == ScoreColumns(False, False, False)
    assert ScoreColumns.of([Spec("basic_probabilities", seven)]) == ScoreColumns(True, False, False)
    assert ScoreColumns.of([Spec("basic_probabilities", seven), Spec("basic_probabilities", eight_va)]) == (
        ScoreColumns(True, True, True)
    )


def test_the_dial_sits_in_the_box_corner_and_places_the_point():
    box = Rect(100, 100, 300, 300)
    rect = dial_rect(box)
    assert (rect.x2, rect.y2) == (300, 300) and rect.width == rect.height == 60
    assert point(rect, np.array([0.0, 0.0])) == (270, 270)
    assert point(rect, np.array([1.0, 1.0])) == (299, 240)  # pleasant, aroused: right and up
    assert point(rect, np.array([-3.0, -1.0])) == (240, 299)  # clipped to the dial
    image = np.full((400, 400, 3), 128, np.uint8)
    draw_va(image, box, np.array([0.5, 0.5]), (0, 255, 0))
    changed = np.argwhere((image != 128).any(axis=2))
    assert changed.min(axis=0).tolist() == [240, 240] and changed.max(axis=0).tolist() == [299, 299]


def test_the_overlay_draws_the_dial_only_for_faces_with_valence_arousal():
    plain = frame_result(0, size=(360, 640))
    with_va = _with_va(plain)
    a, b = draw(plain, "w"), draw(with_va, "w")
    x1, y1, x2, y2 = (int(v) for v in plain.faces[0].detection.box)
    corner = (slice(y2 - 18, y2), slice(x2 - 18, x2))
    assert not np.array_equal(a[corner], b[corner])
