"""Capture-to-output latency on a live RTSP stream served on loopback by GStreamer.

The server (`rtsp_server.py`, run by the system Python) paces the sample clip in real time;
the pipeline reads it as `cer-live run rtsp://...` does (newest-frame policy, all outputs).
Without the GStreamer RTSP server installed the measurement is skipped with the reason.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

from . import runtime

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("rtsp_server.py")
PROBE = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"


def server_missing() -> str | None:
    """None when the loopback server can run here, else why not."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"no system Python at {SYSTEM_PYTHON} to run the GStreamer RTSP server"
    if subprocess.run([SYSTEM_PYTHON, "-c", PROBE], capture_output=True).returncode != 0:
        return "the GStreamer RTSP server is not installed (Debian: gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LoopbackServer:
    """The server process for one clip; `with LoopbackServer(video) as url:`."""

    def __init__(self, video: Path) -> None:
        self.video = video
        self.port = _free_port()
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> str:
        self._proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(SCRIPT), "--port", str(self.port), "--mount", "cam", "--file", str(self.video)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        if "READY" not in line:
            self.__exit__()
            raise RuntimeError(f"the RTSP server did not start ({line.strip() or 'no output'})")
        return f"rtsp://127.0.0.1:{self.port}/cam"

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        self._proc = None


def measure(analyser: runtime.Analyser, video: Path, seconds: float, scratch: Path) -> dict[str, Any]:
    why = server_missing()
    if why:
        return {"status": "skipped", "note": why}
    out = scratch / "live"
    out.mkdir(parents=True, exist_ok=True)
    try:
        with LoopbackServer(video) as url:
            source = runtime.open_stream(url, limit=max(1, int(seconds * 24)))
            report = runtime.run_pipeline(analyser, source, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    latency = report["latency_ms"]
    return {
        "status": "measured",
        "stream": "rtsp://127.0.0.1:PORT/cam (GStreamer loopback, the sample clip paced at 24 fps, TCP)",
        "frames": report["frames"],
        "dropped_frames": report["dropped_frames"],
        "fps": report["fps"],
        "capture_to_output_ms": latency.get("capture_to_output"),
        "end_to_end_ms": latency.get("end_to_end"),
        "note": "from the frame leaving the decoder to its results reaching the output files",
    }
