"""An HTTP MJPEG camera, as many IP cameras serve, read end to end by the CLI."""

import signal

from ..helpers import read_jsonl, start_cli
from .mjpeg import MjpegServer
from .rtsp import wait_for


def test_mjpeg_over_http_and_ctrl_c_on_a_stream(tmp_path, sample):
    out = tmp_path / "out"
    with MjpegServer(sample("WolfgangLanger_Pexels.mp4"), frames=240) as server:
        proc = start_cli("run", server.url, "--out", str(out), "--no-show", "--timeout", "3")
        jsonl = out / "http-cam.jsonl"
        try:
            assert wait_for(lambda: jsonl.exists() and jsonl.read_text().count('"type":"face"') >= 24, 30)
        finally:
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    rows = read_jsonl(jsonl)  # every line whole after the stop
    faces = [r for r in rows if r["type"] == "face"]
    assert len(faces) >= 24 and faces[0]["image"] == "http-cam/00001.jpg"
    assert rows[1]["type"] == "status" and rows[1]["event"] == "connected"
