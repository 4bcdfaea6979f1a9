"""`cer-live evaluate PRED.csv LABELS.csv`: the ABAW format, the JSON report and the figure."""

import json

import cv2
import numpy as np
import pytest

from cer_live.sinks.abaw_csv import HEADER
from tests.helpers import cli

sklearn_metrics = pytest.importorskip("sklearn.metrics")


def _write(path, rows):
    path.write_text(HEADER + "\n" + "".join(f"{k},{v}\n" for k, v in rows), encoding="utf-8")


@pytest.fixture
def csvs(tmp_path):
    rng = np.random.default_rng(3)
    keys = [f"{v:02d}/{f:05d}.jpg" for v in range(3) for f in range(60)]
    truth = rng.choice([0, 1, 2, 4, 5, 6], len(keys))  # class 3 never occurs
    pred = np.where(rng.random(len(keys)) < 0.7, truth, rng.integers(0, 7, len(keys)))
    _write(tmp_path / "labels.csv", [(k, int(t)) for k, t in zip(keys, truth, strict=False)] + [("09/00001.jpg", -1)])
    # the last five frames have no prediction; one prediction is for a frame without a label
    _write(
        tmp_path / "pred.csv", [(k, int(p)) for k, p in zip(keys[:-5], pred[:-5], strict=False)] + [("99/00001.jpg", 2)]
    )
    scored_pred = np.concatenate([pred[:-5], np.full(5, -1)])
    return tmp_path, truth, scored_pred


def test_scores_json_and_plot(csvs):
    root, truth, pred = csvs
    done = cli(
        "evaluate",
        str(root / "pred.csv"),
        str(root / "labels.csv"),
        "--json",
        str(root / "r.json"),
        "--plot",
        str(root / "cm.png"),
    )
    assert done.code == 0, done.stderr
    report = json.loads((root / "r.json").read_text())
    # sklearn counts a missing prediction as a wrong class: give it a label outside 0..6
    expected = sklearn_metrics.f1_score(
        truth, np.where(pred < 0, 7, pred), average="macro", labels=list(range(7)), zero_division=0
    )
    assert report["scores"]["macro_f1"] == pytest.approx(expected, abs=1e-6)
    assert report["scores"]["per_class_f1"]["Disgustedly Surprised"] == 0.0
    assert report["frames"] == {"labelled": 180, "predicted": 175, "extra_predictions": 1, "unlabelled": 1}
    assert report["producer"].startswith("cer-live")
    image = cv2.imread(str(root / "cm.png"))
    assert image is not None and image.shape[0] > 200
    assert "macro F1" in done.stdout


def test_outputs_are_never_overwritten_and_bad_csv_is_one_line(csvs):
    root, _, _ = csvs
    (root / "r.json").write_text("{}")
    done = cli("evaluate", str(root / "pred.csv"), str(root / "labels.csv"), "--json", str(root / "r.json"))
    assert done.code == 2 and "exists" in done.stderr and (root / "r.json").read_text() == "{}"
    (root / "bad.csv").write_text(HEADER + "\n00/00001.jpg,happy\n")
    done = cli("evaluate", str(root / "bad.csv"), str(root / "labels.csv"))
    assert done.code == 2 and "bad.csv:2" in done.stderr and "Traceback" not in done.stderr
    done = cli("evaluate", str(root / "pred.csv"))
    assert done.code == 2 and "PRED.csv LABELS.csv" in done.stderr
