"""The preview server over real HTTP: token, assets only, status, health, metrics, pictures."""

import json
import time
import urllib.error
import urllib.request

import cv2
import numpy as np
import pytest

pytest.importorskip("aiohttp")
prometheus_parser = pytest.importorskip("prometheus_client.parser")

from cer_live.errors import CerLiveError  # noqa: E402
from cer_live.faces.state import FaceOptions, SourceFaces  # noqa: E402
from cer_live.messages import Frame  # noqa: E402
from cer_live.models.packs import load_pack  # noqa: E402
from cer_live.run.analyser import Analyser, AnalyserOptions  # noqa: E402
from cer_live.run.config import RunConfig  # noqa: E402
from cer_live.serve.address import parse_serve  # noqa: E402
from cer_live.serve.server import start_preview  # noqa: E402
from cer_live.sinks.draw import track_colour  # noqa: E402
from tests.helpers import start_cli  # noqa: E402
from tests.sources.rtsp import free_port  # noqa: E402

TOKEN = "s3cret-token-for-tests"


def get(url: str, headers: dict | None = None, timeout: float = 5.0):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def result(sample):
    """A real analysed frame with a face in it."""
    image = cv2.imread(str(sample("single_face.jpg")))
    analyser = Analyser(load_pack("default"), AnalyserOptions(threads=1))
    [found] = analyser.analyse(
        Frame(0, 0.0, 0.0, image, "face/00001.jpg"), SourceFaces(FaceOptions(), look_ahead=False)
    )
    analyser.close()
    assert found.faces
    return found


@pytest.fixture()
def server():
    # Every interface: only a request that carries the token gets in, even from loopback.
    preview = start_preview(parse_serve("0.0.0.0:0"), TOKEN, ["door", "yard"], ["rtsp://h/door", "rtsp://h/yard"])
    yield preview, f"http://127.0.0.1:{preview.port}"
    preview.stop()


def test_another_address_needs_a_token_and_loopback_does_not(tmp_path):
    with pytest.raises(CerLiveError, match="give --serve-token TOKEN"):
        RunConfig(sources=("x.mp4",), out=tmp_path, serve="0.0.0.0:8080")
    with pytest.raises(CerLiveError, match="too short"):
        RunConfig(sources=("x.mp4",), out=tmp_path, serve="0.0.0.0:8080", serve_token="abc")
    assert RunConfig(sources=("x.mp4",), serve="8080").serve_address == parse_serve("127.0.0.1:8080")
    assert parse_serve("[::1]:9000").loopback and not parse_serve("example.org:80").loopback
    with pytest.raises(CerLiveError, match="give \\[HOST:\\]PORT"):
        parse_serve("host:http")
    assert TOKEN not in repr(RunConfig(sources=("x.mp4",), serve="0.0.0.0:1", serve_token=TOKEN))


def test_requests_without_the_token_are_refused(server):
    _, base = server
    for path in ("/", "/app.js", "/api/status", "/healthz", "/metrics", "/stream/0.mjpg"):
        assert get(base + path)[0] == 401, path
        assert get(base + path + "?token=wrong-token-of-some-length")[0] == 401, path
    assert get(base + "/healthz?token=" + TOKEN)[0] == 200
    assert get(base + "/healthz", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert get(base + "/api/status", {"X-Cer-Live-Token": TOKEN})[0] == 200


def test_only_the_pages_own_assets_are_served(server):
    _, base = server
    auth = {"X-Cer-Live-Token": TOKEN}
    status, headers, body = get(base + "/", auth)
    assert (
        status == 200
        and b"<title>cer-live preview</title>" in body
        and "default-src 'self'" in headers["Content-Security-Policy"]
    )
    for path in ("/app.js", "/style.css"):
        assert get(base + path, auth)[0] == 200
    for path in (
        "/index.html",
        "/assets/app.js",
        "/../pyproject.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "/stream/7.mjpg",
        "/stream/x.mjpg",
    ):
        assert get(base + path, auth)[0] == 404, path


def test_status_health_and_metrics_follow_the_tiles(server, result):
    preview, base = server
    auth = {"X-Cer-Live-Token": TOKEN}
    sink = preview.sink("door", "cer-live test")
    sink.event({"event": "connected"})
    for _ in range(5):
        sink.write(result)
    sink.event({"event": "lost"})
    status = json.loads(get(base + "/api/status", auth)[2])
    door, yard = status["sources"]
    assert (door["name"], door["status"], door["frames"], yard["status"]) == ("door", "reconnecting", 5, "starting")
    assert door["tracks"][0]["label"] == result.faces[0].smoothed.top[1]
    health = json.loads(get(base + "/healthz", auth)[2])
    assert health["ok"] and health["sources"] == 2 and health["reconnecting"] == 1
    text = get(base + "/metrics", auth)[2].decode()
    families = {f.name: f for f in prometheus_parser.text_string_to_metric_families(text)}
    frames = {
        s.labels["source"]: s.value for s in families["cer_live_frames"].samples if s.name == "cer_live_frames_total"
    }
    assert frames == {"door": 5.0, "yard": 0.0}
    up = {(s.labels["source"], s.labels["status"]): s.value for s in families["cer_live_source_status"].samples}
    assert up[("door", "reconnecting")] == 1.0 and up[("door", "live")] == 0.0
    sink.close()
    assert json.loads(get(base + "/api/status", auth)[2])["sources"][0]["status"] == "ended"


def test_a_picture_stream_sends_the_newest_annotated_frame(server, result):
    preview, base = server
    preview.sink("yard", "cer-live test").write(result)
    request = urllib.request.Request(base + "/stream/1.mjpg", headers={"X-Cer-Live-Token": TOKEN})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("multipart/x-mixed-replace")
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += response.read(1)
        length = int(head.decode().split("Content-Length: ")[1].split("\r\n")[0])
        jpeg = response.read(length)
    picture = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape == result.frame.image.shape
    x1, y1, x2, y2 = (int(round(v)) for v in result.faces[0].detection.box)
    # The box is drawn in the track's colour (blue-ish: B well above R), which the raw frame lacks there.
    assert box_drawn(picture, result.frame.image, (x1, y1, x2, y2))
    assert not box_drawn(result.frame.image, result.frame.image, (x1, y1, x2, y2))
    assert track_colour(result.faces[0].track_id)[0] - track_colour(result.faces[0].track_id)[2] > 100


def box_drawn(image: np.ndarray, raw: np.ndarray, box) -> bool:
    """Along the box's left edge, nearly every row turned bluer than the raw frame (a one-pixel
    anti-aliased line, its chroma halved by JPEG, still moves B - R by tens)."""
    x1, y1, x2, y2 = box
    window = (slice(y1 + 20, y2 - 20), slice(max(0, x1 - 2), x1 + 3))
    shift = lambda im: im[window][..., 0].astype(int) - im[window][..., 2].astype(int)  # noqa: E731
    return bool(((shift(image) - shift(raw)) > 30).any(axis=1).mean() > 0.8)


def like(pixels: np.ndarray, bgr) -> np.ndarray:
    """Pixels of the colour's hue, even where a one-pixel anti-aliased line and JPEG have paled it."""
    b, g, r = (pixels[..., i] for i in range(3))
    want_b, want_g, want_r = bgr
    return (
        (np.sign(b - r) == np.sign(want_b - want_r))
        & (np.abs((b - r) - (want_b - want_r)) < 110)
        & (np.abs(g - want_g) < 70)
    )


def test_a_port_in_use_is_a_one_line_error():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            CerLiveError, match=f"cannot serve the preview on 127.0.0.1:{port} .*; choose another --serve port"
        ):
            start_preview(parse_serve(str(port)), None, ["a"], ["a"])


def test_a_file_is_playing_not_live_and_the_page_sees_it_end(tmp_path, sample):
    port = free_port()
    proc = start_cli(
        "run", str(sample("no_face.mp4")), "--serve", f"127.0.0.1:{port}", "--out", str(tmp_path), "--no-video"
    )
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status = json.loads(get(f"http://127.0.0.1:{port}/api/status", timeout=2)[2])
                seen.append(status["sources"][0]["status"])
            except OSError:
                if proc.poll() is not None:
                    break
            time.sleep(0.2)
    finally:
        proc.kill() if proc.poll() is None else None
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "playing" in seen and "live" not in seen, seen
    assert seen[-1] == "ended"  # the server stayed up long enough for an open page to see the end
