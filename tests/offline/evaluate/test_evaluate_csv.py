"""`cer-live evaluate PRED.csv LABELS.csv`: the ABAW format, the JSON report and the figure."""

import json

import cv2
import numpy as np
import pytest

from cer_live.offline.datasets.open import open_dataset
from cer_live.offline.errors import DatasetError, EvaluateError
from cer_live.offline.evaluate.abaw_csv import score_csv
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


def test_predictions_that_match_no_labelled_frame_are_an_error_not_a_zero(csvs):
    root, _, _ = csvs
    _write(root / "other.csv", [("77/00001.jpg", 1), ("77/00002.jpg", 2)])
    done = cli("evaluate", str(root / "other.csv"), str(root / "labels.csv"))
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.code == 2 and len(lines) == 1 and "no frame of" in lines[0] and "'77/00001.jpg'" in lines[0]
    assert "macro F1" not in done.stdout


def test_a_frame_predicted_twice_is_an_error_naming_the_frame(csvs):
    root, _, _ = csvs
    rows = (root / "pred.csv").read_text(encoding="utf-8").splitlines()
    (root / "twice.csv").write_text("\n".join([*rows, rows[3].split(",")[0] + ",6"]) + "\n", encoding="utf-8")
    with pytest.raises(EvaluateError, match=rf"twice.csv:{len(rows) + 1}: frame '00/00002.jpg' is listed twice"):
        score_csv(root / "twice.csv", root / "labels.csv")


def test_split_on_a_label_set_is_refused_not_ignored(tmp_path):
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "labels.csv").write_text("crop,label\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="has no val split of its own; drop --split"):
        open_dataset(tmp_path / "set", "val")
    done = cli("evaluate", "--pack", "default", "--data", str(tmp_path / "set"), "--split", "train")
    assert done.code == 2 and "has no train split of its own" in done.stderr and done.stderr.count("\n") == 1


def test_bad_batch_is_one_line_before_any_work(tmp_path):
    done = cli("evaluate", "--pack", "default", "--data", str(tmp_path), "--batch", "0")
    assert done.code == 2 and "bad --batch 0; give a whole number of crops" in done.stderr
    assert done.stderr.count("\n") == 1
