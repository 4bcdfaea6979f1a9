"""Is a lost live source back? A cheap check to run often, before an expensive reopen.

For a network stream it is a TCP connect to the server's port: a dead server refuses it at
once, costing it one SYN and one RST, where a full open would also start FFmpeg's demuxer.
For a webcam it is whether its device node exists again.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}


def endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 554)


def port_answers(url: str, timeout_s: float) -> bool:
    host, port = endpoint(url)
    try:
        with socket.create_connection((host, port), timeout=max(0.05, timeout_s)):
            return True
    except OSError:  # refused, unreachable, unknown host, timed out
        return False


def device_present(device: str) -> bool:
    return os.name != "posix" or Path(device).exists()
