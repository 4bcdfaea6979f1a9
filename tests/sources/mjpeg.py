"""A real HTTP MJPEG server (multipart/x-mixed-replace) on loopback, serving a clip's frames."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2

BOUNDARY = "cerliveframe"


def _jpegs(video: Path, limit: int) -> list[bytes]:
    cap = cv2.VideoCapture(str(video))
    frames = []
    while len(frames) < limit:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
    cap.release()
    return frames


class MjpegServer:
    def __init__(self, video: Path, fps: float = 24.0, frames: int = 120) -> None:
        jpegs = _jpegs(video, frames)
        period = 1.0 / fps

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path != "/cam.mjpg":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.end_headers()
                try:
                    for jpeg in jpegs:
                        self.wfile.write(
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
                        )
                        self.wfile.write(jpeg + b"\r\n")
                        time.sleep(period)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cam.mjpg"

    def __enter__(self) -> MjpegServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
