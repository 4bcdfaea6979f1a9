"""The preview under hostile clients, on loopback: rebinding names, idle connections, huge
headers, too many picture streams. It keeps answering, and stderr never gets a traceback."""

import http.client
import logging
import resource
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("aiohttp")

from cer_live.serve.address import parse_serve  # noqa: E402
from cer_live.serve.guard import MAX_STREAMS  # noqa: E402
from cer_live.serve.server import start_preview  # noqa: E402

from ..helpers import ROOT  # noqa: E402

TOKEN = "s3cret-token-for-tests"
IDLE = 300
# The preview in a process of its own with few file descriptors, as on a machine near its limit.
FD_LIMIT = 256  # a common default (macOS); Linux's is 1024
SERVER = f"""
import resource, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, ({FD_LIMIT}, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
from cer_live.serve.address import parse_serve
from cer_live.serve.server import start_preview
preview = start_preview(parse_serve("127.0.0.1:0"), sys.argv[1], ["a"], ["a"])
print(preview.port, flush=True)
sys.stdin.read()
preview.stop()
"""


def request(port: int, path: str, headers: dict[str, str], timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host="Host" in headers)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture()
def open_preview(caplog):
    """A token-less preview on 127.0.0.1, its log captured."""
    caplog.set_level(logging.DEBUG)
    preview = start_preview(parse_serve("127.0.0.1:0"), None, ["door"], ["rtsp://h/door"])
    yield preview
    preview.stop()


def test_a_rebinding_request_is_refused_and_localhost_names_pass(open_preview):
    port = open_preview.port
    for host in ("evil.example.com", f"evil.example.com:{port}", "127.0.0.1.nip.io", "192.168.1.10"):
        assert request(port, "/api/status", {"Host": host})[0] in (403, 421), host
    assert request(port, "/api/status", {"Host": f"127.0.0.1:{port}", "Origin": "http://evil.example.com"})[0] == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        assert request(port, "/api/status", {"Host": host})[0] == 200, host
    assert request(port, "/api/status", {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"})[0] == 200


def test_huge_or_many_headers_get_a_400_and_no_traceback(open_preview, caplog, capfd):
    port = open_preview.port
    host = {"Host": f"127.0.0.1:{port}"}
    assert request(port, "/healthz", {**host, "X-Big": "a" * 200_000})[0] in (400, 431)
    assert request(port, "/healthz", {**host, **{f"X-H{i}": "v" for i in range(2000)}})[0] in (400, 431)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        raw.recv(1024)
    assert request(port, "/healthz", host)[0] == 200
    assert not [r for r in caplog.records if r.exc_info], "a request put a traceback in the log"
    lines = [r for r in caplog.records if r.name.startswith(("cer_live.serve", "aiohttp", "asyncio"))]
    assert len(lines) <= 1, [r.getMessage() for r in lines]  # one rate-limited line for all of them
    assert "Traceback" not in capfd.readouterr().err


def test_picture_streams_past_the_cap_get_a_503(open_preview):
    port = open_preview.port
    streams = []
    try:
        for _ in range(MAX_STREAMS):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/stream/0.mjpg")
            assert conn.getresponse().status == 200
            streams.append(conn)
        assert request(port, "/stream/0.mjpg", {"Host": f"127.0.0.1:{port}"})[0] == 503
        assert request(port, "/healthz", {"Host": f"127.0.0.1:{port}"})[0] == 200
    finally:
        for conn in streams:
            conn.close()


def test_idle_connections_never_starve_a_request_with_the_token():
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, TOKEN],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    idle: list[socket.socket] = []
    try:
        port = int(proc.stdout.readline())
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert soft > IDLE + 100, "this test needs more file descriptors than the server has"
        for _ in range(IDLE):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.5)
        t0 = time.monotonic()
        status, _ = request(port, "/healthz", {"X-Cer-Live-Token": TOKEN}, timeout=3.0)
        took = time.monotonic() - t0
        assert status == 200 and took < 1.0, f"status {status} after {took:.2f} s"
    finally:
        for sock in idle:
            sock.close()
        _, err = proc.communicate("", timeout=20)
    assert "Traceback" not in err and len(err.splitlines()) <= 2, err[-2000:]
