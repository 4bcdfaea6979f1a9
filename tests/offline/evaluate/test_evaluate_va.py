"""`cer-live evaluate --va FACES_CSV LABELS`: valence-arousal CCC of a run's faces table."""

import json
from dataclasses import replace

import numpy as np

from cer_live.offline.evaluate.va import ccc
from cer_live.sinks.faces_csv import FacesCsvSink
from tests.helpers import cli
from tests.sinks.factories import frame_result


def _reference_ccc(p, t):
    """From Pearson's r: 2 r s_p s_t / (s_p^2 + s_t^2 + (m_p - m_t)^2)."""
    r = np.corrcoef(p, t)[0, 1]
    return 2 * r * p.std() * t.std() / (p.var() + t.var() + (p.mean() - t.mean()) ** 2)


def test_ccc_is_one_for_agreement_and_penalises_bias_and_scale():
    rng = np.random.default_rng(0)
    t = rng.uniform(-1, 1, 200)
    p = 0.6 * t + rng.normal(0, 0.2, 200) + 0.1
    c = t - t.mean()
    assert ccc(t, t) == 1.0 and abs(ccc(-c, c) + 1.0) < 1e-12
    assert abs(ccc(p, t) - _reference_ccc(p, t)) < 1e-12
    assert ccc(t + 0.5, t) < 1.0 and ccc(0.5 * t, t) < 1.0
    assert ccc(np.zeros(5), np.zeros(5)) == 0.0


def test_the_command_scores_protagonist_rows_against_abaw_labels(tmp_path):
    rng = np.random.default_rng(1)
    frames = 40
    truth = rng.uniform(-1, 1, (frames, 2))
    pred = np.clip(truth * 0.8 + rng.normal(0, 0.15, (frames, 2)), -1, 1).astype(np.float32)
    sink = FacesCsvSink(tmp_path / "clip.faces.csv", True, extra=True, va=True)
    for f in range(frames - 3):  # the last three frames have no face
        result = frame_result(f, faces=2)
        faces = []
        for i, face in enumerate(result.faces):
            va = pred[f] if i == 0 else np.array([0.9, 0.9], np.float32)  # only the protagonist counts
            scores = replace(face.smoothed, extra=np.array([0.1], np.float32), va=va)
            faces.append(replace(face, raw=scores, smoothed=scores))
        sink.write(replace(result, faces=tuple(faces)))
    sink.close()
    labels = ["valence,arousal"] + [f"{v:.6f},{a:.6f}" for v, a in truth]
    labels[5] = "-5,-5"  # frame 4 has no label
    (tmp_path / "labels.txt").write_text("\n".join(labels) + "\n")
    result = cli(
        "evaluate", "--va", str(tmp_path / "clip.faces.csv"), str(tmp_path / "labels.txt"),
        "--json", str(tmp_path / "va.json"),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    report = json.loads((tmp_path / "va.json").read_text())
    keep = [f for f in range(frames - 3) if f != 4]
    p, t = np.round(pred[keep], 5).astype(np.float64), truth[keep]
    assert report["scored"] == frames - 4 and report["missing"] == 3 and report["unlabelled"] == 1
    assert abs(report["ccc_valence"] - _reference_ccc(p[:, 0], t[:, 0])) < 1e-4
    assert abs(report["ccc_arousal"] - _reference_ccc(p[:, 1], t[:, 1])) < 1e-4
    assert "CCC valence" in result.stdout


def test_bad_inputs_are_one_line_errors(tmp_path):
    (tmp_path / "labels.txt").write_text("valence,arousal\n0.1,0.2\n")
    (tmp_path / "plain.faces.csv").write_text("frame,protagonist,label\n0,True,x\n")
    result = cli("evaluate", "--va", str(tmp_path / "plain.faces.csv"), str(tmp_path / "labels.txt"))
    assert result.code == 2 and "no valence/arousal columns" in result.stderr and result.stderr.count("\n") == 1
    (tmp_path / "bad.txt").write_text("v,a\n0.1,0.2\n")
    result = cli("evaluate", "--va", str(tmp_path / "plain.faces.csv"), str(tmp_path / "bad.txt"))
    assert result.code == 2 and "not an ABAW valence-arousal file" in result.stderr
