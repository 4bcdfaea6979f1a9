"""Live sources: webcams and network streams (RTSP, HTTP MJPEG/HLS), with reconnect.

A live source yields the newest frames as they come. When a stream stops (end of stream,
read timeout, server gone) it reports `lost`, then retries with exponential backoff and
jitter, reporting each `retrying` and finally `recovered`; it never invents frames. The
first connection must succeed: a source that never worked is bad input, not an outage.

Between attempts it does not just sleep: it probes the server cheaply (a TCP connect) every
0.1-0.2 s and reopens as soon as the port answers, with FFmpeg's frame-rate probing off (the
rate is known from the first open). So the first new frame comes about 0.2 s after the
server is back, whatever the backoff, and a dead server sees only refused connects. A server
that answers but sends no video gets full reopens on the backoff schedule alone.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import cv2

from ..errors import SourceError
from ..messages import Frame, StatusEvent
from .probe import device_present, endpoint, port_answers
from .urls import check_url, kind_of, redact


@dataclass(frozen=True)
class StreamOptions:
    transport: str = "tcp"  # RTSP transport: tcp (robust) or udp (lower latency on clean networks)
    open_timeout_s: float = 5.0
    read_timeout_s: float = 5.0
    reconnect_limit: int | None = None  # attempts per outage; None = keep trying for ever
    backoff_initial_s: float = 0.25
    backoff_max_s: float = 2.0  # paces attempts (and so --reconnect-limit) and reopens of a server that answers
    probe_interval_s: float = 0.15  # between cheap probes while the server is down, jittered by +-1/3


def backoff_delays(options: StreamOptions, rng: random.Random) -> Iterator[float]:
    """Exponential backoff with 'equal jitter': each delay in [d/2, d], d doubling to the cap."""
    delay = options.backoff_initial_s
    while True:
        yield delay / 2 + rng.random() * delay / 2
        delay = min(options.backoff_max_s, delay * 2)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class StreamSource:
    live = True
    independent = False

    def __init__(self, spec: str, options: StreamOptions | None = None) -> None:
        self.spec = spec
        self.options = options or StreamOptions()
        self.kind = kind_of(spec)
        if self.kind == "stream":
            check_url(spec)  # before anything reads its host or port
        self.label = redact(spec)
        self.files: tuple[Path, ...] = ()
        self.name = self._stem()
        self.expected_frames = None
        self._closed = threading.Event()
        self._rng = random.Random()
        self._warnings: list[str] = []
        self.probes = 0  # cheap reachability checks made while reconnecting
        self._cap = self._open()
        ok, self._first = self._cap.read()
        if not ok or self._first is None:
            self._cap.release()
            raise SourceError(
                f"'{self.label}' opened but sent no frame within {self.options.read_timeout_s:g} s; check the camera or stream"
            )
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1 <= fps <= 240 else 25.0

    def _stem(self) -> str:
        if self.kind == "webcam":
            return f"webcam{self.spec.removeprefix('/dev/video')}"
        parts = urlsplit(self.spec)
        tail = Path(parts.path).stem or parts.hostname or "stream"
        return f"{parts.scheme}-{tail}"

    def _open(self) -> cv2.VideoCapture:
        if self.kind == "webcam":
            return self._open_webcam()
        return self._open_stream()

    def _open_webcam(self) -> cv2.VideoCapture:
        device = self.spec if self.spec.startswith("/dev/") else f"/dev/video{self.spec}"
        if os.name == "posix" and not Path(device).exists():
            raise SourceError(
                f"no webcam at '{self.spec}' ({device} does not exist); list cameras with 'ls /dev/video*'"
            )
        target: int | str = int(self.spec) if self.spec.isdigit() else self.spec
        cap = cv2.VideoCapture(target, cv2.CAP_V4L2 if os.name == "posix" else cv2.CAP_ANY)
        if not cap.isOpened():
            raise SourceError(
                f"cannot open webcam '{self.spec}' (busy, or not a capture device); close other programs using it"
            )
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a backlog
        return cap

    def _open_stream(self) -> cv2.VideoCapture:
        cap = self._connect()
        if cap is None:
            raise SourceError(f"cannot open stream '{self.label}': {self._diagnose()}")
        return cap

    def _connect(self, reopen: bool = False) -> cv2.VideoCapture | None:
        if self.kind == "webcam":
            try:
                return self._open_webcam()
            except SourceError:
                return None
        # OpenCV's FFmpeg backend takes demuxer options from this variable, read at open time.
        options = f"rtsp_transport;{self.options.transport}"
        if reopen:
            # FFmpeg reads about 20 frames (0.9 s at 24 fps) to estimate the frame rate; a reopen
            # already knows it, and starts in about 0.1 s without.
            options += "|fpsprobesize;0"
        os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = options
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(self.options.open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(self.options.read_timeout_s * 1000),
            # Decoding on the reading thread: its CPU time is then the decoding time, which the
            # wall time of a read is not (it waits for the next frame to arrive).
            cv2.CAP_PROP_N_THREADS,
            1,
        ]
        cap = cv2.VideoCapture(self.spec, cv2.CAP_FFMPEG, params)
        if cap.isOpened():
            return cap
        cap.release()
        return None

    def _diagnose(self) -> str:
        """Why a stream did not open, in words, by probing the server ourselves."""
        host, port = endpoint(self.spec)
        try:
            with socket.create_connection((host, port), timeout=min(self.options.open_timeout_s, 3.0)):
                pass
        except socket.gaierror:
            return f"unknown host '{host}'; check the address"
        except ConnectionRefusedError:
            return f"connection refused by {host}:{port}; is the server running on that port?"
        except TimeoutError:
            return f"no answer from {host}:{port}; check the host is reachable"
        except OSError as exc:
            return f"cannot reach {host}:{port} ({exc.strerror or exc}); check the network"
        return "the server answered but has no video at that path (or refused the credentials); check the URL"

    def frames(self) -> Iterator[Frame | StatusEvent]:
        """Frames as they arrive, with status events in line; ends on close() or give-up."""
        start = time.monotonic()
        index = 0
        image = self._first
        self._first = None
        yield self._event("connected", detail=f"{self.fps:g} fps")
        while not self._closed.is_set():
            t_read = time.thread_time()  # CPU time: waiting for the network is not decoding
            if image is None:
                ok, image = self._cap.read()
                if not ok or image is None:
                    image = None
                    recovered = yield from self._reconnect()
                    if not recovered:
                        return
                    image, self._first = self._first, None
            now = time.monotonic()
            yield Frame(
                frame_id=index,
                t_capture=now,
                pts=now - start,
                image=image,
                name=f"{self.name}/{index + 1:05d}.jpg",
                decode_ms=(time.thread_time() - t_read) * 1000,
            )
            index += 1
            image = None

    def _reconnect(self) -> Generator[StatusEvent, None, bool]:
        """Generator of status events; returns True once a new first frame is in hand."""
        self._cap.release()
        lost_at = time.monotonic()
        yield self._event("lost")
        limit = self.options.reconnect_limit
        probe = True  # False while the server answers but sends no video: reopen on the backoff only
        for attempt, delay in enumerate(backoff_delays(self.options, self._rng), start=1):
            if limit is not None and attempt > limit:
                yield self._event("gave_up", attempt - 1)
                raise SourceError(
                    f"'{self.label}' was lost and not back after {limit} attempt(s); check the camera or "
                    "raise --reconnect-limit (outputs hold every frame before the loss)"
                )
            started = time.monotonic()
            answered = self._wait_for_server(delay) if probe else not self._closed.wait(delay)
            if self._closed.is_set():
                return False
            waited = time.monotonic() - started
            yield self._event("retrying", attempt, f"after {waited:.2f} s" + ("" if answered else ", no answer"))
            if not answered:
                continue
            cap = self._connect(reopen=True)
            ok, image = cap.read() if cap is not None else (False, None)
            if not ok or image is None:
                if cap is not None:
                    cap.release()
                probe = not self._server_answers(self.options.probe_interval_s)
                continue
            self._cap, self._first = cap, image
            yield self._event("recovered", attempt, f"down {time.monotonic() - lost_at:.2f} s")
            return True
        return False

    def _wait_for_server(self, window_s: float) -> bool:
        """Probes every probe_interval_s (jittered) until `window_s` has passed, and once at its
        end; True as soon as the server answers, False if it never did (or on close)."""
        deadline = time.monotonic() + window_s
        while True:
            gap = self.options.probe_interval_s * self._rng.uniform(2 / 3, 4 / 3)
            if self._closed.wait(max(0.0, min(gap, deadline - time.monotonic()))):
                return False
            if self._server_answers(max(0.05, min(deadline - time.monotonic(), self.options.open_timeout_s))):
                return True
            if time.monotonic() >= deadline:
                return False

    def _server_answers(self, timeout_s: float) -> bool:
        self.probes += 1
        if self.kind == "webcam":
            return device_present(self.spec if self.spec.startswith("/dev/") else f"/dev/video{self.spec}")
        return port_answers(self.spec, timeout_s)

    def _event(self, kind: str, attempt: int = 0, detail: str = "") -> StatusEvent:
        return StatusEvent(kind, self.label, time.monotonic(), _now(), attempt, detail)

    def warnings(self) -> list[str]:
        return list(self._warnings)

    def stop(self) -> None:
        """Ends frames() soon, also during a reconnect wait; safe from any thread."""
        self._closed.set()

    def close(self) -> None:
        """Called once frames() has ended (the pipeline joins the reader first)."""
        self._closed.set()
        self._cap.release()
