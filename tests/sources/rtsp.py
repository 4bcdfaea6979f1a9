"""A real GStreamer RTSP server on loopback, started and killed by tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import cer_live.bench

SCRIPT = Path(cer_live.bench.__file__).with_name("rtsp_server.py")  # the server ships with the bench
SYSTEM_PYTHON = "/usr/bin/python3"


def server_available() -> str | None:
    """None when the server can run here, else why not (for a skip message)."""
    if not Path(SYSTEM_PYTHON).exists():
        return "no system python3"
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer",
        ],
        capture_output=True,
    )
    if probe.returncode != 0:
        return "GStreamer RTSP server not installed (run scripts/install-test-deps.sh)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RtspServer:
    def __init__(self, video: Path, port: int | None = None, mount: str = "cam") -> None:
        self.video = video
        self.port = port or free_port()
        self.mount = mount
        self.proc: subprocess.Popen | None = None
        self.ready_wall: datetime | None = None

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/{self.mount}"

    def start(self) -> RtspServer:
        self.proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(SCRIPT), "--port", str(self.port), "--mount", self.mount, "--file", str(self.video)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if "READY" not in line:
            raise RuntimeError(f"RTSP server did not start: {line!r}")
        self.ready_wall = datetime.now(timezone.utc)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> RtspServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()


def wait_for(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


__all__ = ["RtspServer", "server_available", "free_port", "wait_for", "shutil"]
