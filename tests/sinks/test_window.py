"""The live overlay window, drawn on a real (virtual) X display and read back as pixels."""

import os
import shutil
import subprocess
import time

import numpy as np
import pytest

from ..helpers import cli, read_jsonl, start_cli
from .xwd import screenshot

TRACK_ONE_RGB = np.array([60, 160, 255])  # draw.track_colour(1) is BGR (255, 160, 60)

needs_x = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("Xvfb", "xwd", "xdotool")),
    reason="needs Debian's xvfb, x11-apps and xdotool (scripts/install-test-deps.sh)",
)


@pytest.fixture
def display():
    for number in range(90, 120):
        if not os.path.exists(f"/tmp/.X11-unix/X{number}") and not os.path.exists(f"/tmp/.X{number}-lock"):
            break
    name = f":{number}"
    proc = subprocess.Popen(
        ["Xvfb", name, "-screen", "0", "1280x720x24", "-nolisten", "tcp"], stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while not os.path.exists(f"/tmp/.X11-unix/X{number}") and time.monotonic() < deadline:
        time.sleep(0.05)
    yield name
    proc.terminate()
    proc.wait(timeout=10)


def _window(display: str) -> str | None:
    found = subprocess.run(
        ["xdotool", "search", "--name", "^cer-live"],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": display},
    )
    ids = found.stdout.split()
    return ids[0] if ids else None


@needs_x
def test_overlay_is_drawn_and_q_quits_cleanly(tmp_path, sample, display):
    out = tmp_path / "out"
    env = {**os.environ, "DISPLAY": display}
    # A large detector input keeps the run going long enough to look at the window.
    proc = start_cli(
        "run",
        str(sample("WolfgangLanger_Pexels.mp4")),
        "--out",
        str(out),
        "--show",
        "--det-size",
        "1280",
        "--threads",
        "1",
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while _window(display) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        window = _window(display)
        assert window, "no cer-live window appeared"
        time.sleep(1.0)
        shot = screenshot(display)
        # the track's box and bars: many pixels of its colour
        near = np.abs(shot.astype(int) - TRACK_ONE_RGB).max(axis=2) < 40
        assert near.sum() > 300, near.sum()
        # the frame itself is shown (not a blank window) and the HUD's white text is there
        assert shot.std() > 20
        assert (shot.min(axis=2) > 230).sum() > 100
        subprocess.run(["xdotool", "key", "--window", window, "q"], env=env, check=True)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    rows = read_jsonl(out / "WolfgangLanger_Pexels.jsonl")[1:]
    frames = sorted({r["frame"] for r in rows})
    assert 0 < len(frames) < 472 and frames == list(range(len(frames)))  # stopped early, nothing lost
    shown = [r for r in rows if r["type"] == "face"]
    assert all("capture_to_display" in r["latency_ms"] for r in shown)


def test_show_without_a_display_is_one_line(tmp_path, sample):
    env_display = os.environ.pop("DISPLAY", None)
    try:
        result = cli("run", str(sample("single_face.jpg")), "--show")
    finally:
        if env_display is not None:
            os.environ["DISPLAY"] = env_display
    assert result.code == 2
    assert result.stderr.strip().startswith("error: --show needs a display") and "--out" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
