"""A RunConfig checks itself when made: every bad option is one line naming the fix."""

from pathlib import Path

import pytest

from cer_live.errors import CerLiveError
from cer_live.run.config import RunConfig


@pytest.mark.parametrize(
    "change, message",
    [
        ({"device": "tpu"}, "bad device 'tpu'; give cpu, cuda or cuda:N"),
        ({"device": "cuda:x"}, "bad device"),
        ({"threads": 0}, "bad threads"),
        ({"det_size": 12}, "bad det_size"),
        ({"every": 0}, "bad every 0"),
        ({"min_iou": 1.5}, "bad min_iou 1.5"),
        ({"fallback_age": -1}, "bad fallback_age"),
        ({"timeout": 0}, "bad timeout"),
        ({"reconnect_limit": -2}, "bad reconnect_limit"),
        ({"precision": "int4"}, "bad precision"),
        ({"fusion": "vote"}, "bad fusion"),
        ({"policy": "newest"}, "bad policy"),
        ({"images": "video"}, "bad images 'video'; choose one of: auto, sequence, independent"),
        ({"timeout": float("nan")}, "bad timeout nan; give a finite number of seconds, more than 0 and at most 3600"),
        ({"timeout": float("inf")}, "bad timeout inf"),
        ({"max_yaw": float("nan")}, "bad max_yaw nan; give a finite number of degrees"),
        ({"batch_wait_ms": float("inf")}, "bad batch_wait_ms inf"),
        ({"det_size": 100_000}, "bad det_size 100000; give a whole number of pixels"),
        ({"backend": "tpu"}, "unknown backend 'tpu'"),
        ({"smooth": "kalman"}, "smooth"),
        ({"sources": ()}, "no sources given"),
    ],
)
def test_bad_options_are_refused_when_the_config_is_made(change, message):
    with pytest.raises(CerLiveError, match=message) as info:
        RunConfig(**{"sources": ("clip.mp4",), **change})
    assert "\n" not in str(info.value)


def test_the_command_line_names_the_option_where_the_library_names_the_field(tmp_path):
    from ..helpers import cli

    with pytest.raises(CerLiveError, match="bad max_streams 0") as info:
        RunConfig(("clip.mp4",), max_streams=0)
    assert info.value.field == "max_streams"
    for option, value in (("--max-streams", "0"), ("--batch-wait", "5000"), ("--det-size", "12")):
        done = cli("run", "clip.mp4", "--out", str(tmp_path / "o"), option, value)
        assert done.code == 2 and f"bad {option} " in done.stderr, done.stderr
    done = cli("run", "--out", str(tmp_path / "o"))
    assert done.code == 2 and "no SOURCE" in done.stderr, done.stderr
    assert not (tmp_path / "o").exists()


def test_a_config_is_frozen_and_normalised():
    config = RunConfig(sources="clip.mp4", out="out", backend="ort", device="cuda:1")
    assert config.sources == ("clip.mp4",) and config.backend == "onnxruntime" and str(config.out) == "out"
    with pytest.raises(AttributeError):
        config.threads = 4  # type: ignore[misc]
    assert config.faces.schedule.every == 1 and config.smoothing.kind == "ema"


def test_the_det_size_default_is_documented_as_it_is_recorded():
    config = RunConfig(sources=("clip.mp4",))
    assert config.settings("p", 320, "majority", "auto")["det_size"] == "frame"
    assert config.settings("p", 320, "majority", "full")["det_size"] == 320
    reference = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    row = next(line for line in reference.splitlines() if line.startswith("| `--det-size N`"))
    assert '"det_size": "frame"' in row and "320 with `--detect full`" in row
