"""Config: reference defaults, TOML, CLI overrides, one-line errors; torch is not needed here."""

import os
import subprocess
import sys

import pytest
import tomllib

from cer_live.install import install_hint
from cer_live.offline.errors import TrainError
from cer_live.offline.train.config import TrainConfig, from_mapping, load_toml, to_toml
from tests.helpers import ROOT, cli


def test_defaults_are_the_papers_recipe():
    c = TrainConfig()
    assert (c.lr, c.batch_size, c.size, c.tau, c.dice_weight) == (1e-4, 64, 224, 1.0, 1.5)
    assert c.mean == (0.367, 0.411, 0.507) and c.std == (1.0, 1.0, 1.0)
    assert (c.augment.rotation, c.augment.scale, c.augment.jitter) == (10.0, (0.8, 1.0), (0.5, 0.7, 0.3, 0.5))


def test_toml_then_overrides_and_the_saved_toml_reads_back(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('lr = 1e-3\nbatch_size = 32\n[augment]\nflip = false\n[rafdb_map]\n"2" = 1\n')
    config = from_mapping({"epochs": 3, "archs": ["resnet18"]}, from_mapping(load_toml(path)))
    assert (config.lr, config.batch_size, config.epochs, config.archs, config.augment.flip) == (
        1e-3,
        32,
        3,
        ("resnet18",),
        False,
    )
    assert from_mapping(tomllib.loads(to_toml(config))) == config


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"lr_rate": 1}, "unknown config key"),
        ({"epochs": "ten"}, "bad config value for 'epochs'"),
        ({"size": 8}, "bad config: bad size 8; give a whole number of pixels, at least 32 and at most 1024"),
        ({"lr": float("inf")}, "bad lr inf; give a finite number, more than 0"),
        ({"lr": float("nan")}, "bad lr nan"),
        ({"val_fraction": 1.0}, "val_fraction must be between 0 and 1"),
        ({"augment": {"rotation": float("nan")}}, "bad augment.rotation nan; give a finite number of degrees"),
        ({"augment": {"spin": 1}}, "unknown key"),
    ],
)
def test_bad_config_is_one_line(raw, message):
    with pytest.raises(TrainError, match=message) as caught:
        from_mapping(raw)
    assert "\n" not in str(caught.value)


def test_a_missing_torch_is_one_line_naming_the_extra(tmp_path):
    # A folder first on the path whose `torch` fails to import, as on a machine without it.
    blocker = tmp_path / "block" / "torch"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError(\"No module named 'torch'\", name='torch')\n")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{blocker.parent}", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "cer_live.cli", "train", "x", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert install_hint("train") in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert cli("train", "--help").code == 0


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes("lr = 1e-3  # r\u00e9glage\n".encode("latin-1"))
    with pytest.raises(TrainError, match="is not UTF-8 text .*save it as UTF-8") as caught:
        load_toml(path)
    assert "\n" not in str(caught.value)
    done = cli("train", "x", "--config", str(path), "--out", str(tmp_path / "o"))
    assert done.code == 2 and "is not UTF-8 text" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("state", [b"", b"PK\x03\x04 cut short", b"not a torch save at all"])
def test_a_damaged_resume_state_is_reported_before_the_dataset_scan(tmp_path, state):
    pytest.importorskip("torch")
    out = tmp_path / "run"
    out.mkdir()
    # The data path does not exist: a scan before the state check would report that instead.
    (out / "config.toml").write_text(to_toml(from_mapping({"data": str(tmp_path / "no-such-data")})))
    (out / "last.state").write_bytes(state)
    done = cli("train", "--out", str(out), "--resume")
    assert done.code == 2 and "Traceback" not in done.stderr, done.stderr
    assert "last.state' (damaged" in done.stderr and "no-such-data" not in done.stderr
