"""A cluster started here listens on loopback only; an address where no cluster answers fails fast."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import time
from pathlib import Path

import pytest

from cer_live.run.config import RunConfig

from ..helpers import cli

ray = pytest.importorskip("ray")

from cer_live.cluster.launch import _connect, _start_service, _stop_cluster_side, ray_console  # noqa: E402


def _descendants(root: int) -> set[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = {root}, [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _socket_inodes(pids: set[int]) -> set[int]:
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    inodes.add(int(link[8:-1]))
        except OSError:
            continue
    return inodes


def _listening(inodes: set[int]) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state among `inodes`, read from /proc/net."""
    out = []
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] != "0A" or int(fields[9]) not in inodes:
                    continue
                hex_ip, hex_port = fields[1].split(":")
                raw = bytes.fromhex(hex_ip)
                # /proc writes each 32-bit word in host (little-endian) order
                ip = b"".join(raw[i : i + 4][::-1] for i in range(0, width, 4))
                out.append((str(ipaddress.ip_address(ip)), int(hex_port, 16)))
    return out


def _http_answer(ip: str, port: int) -> str | None:
    """What a GET of Ray's job API (the way to run code) gets without the token: the status,
    'metrics' for a Prometheus exporter (it serves its figures for any path), or None when the
    port does not speak HTTP/1 (gRPC: Ray's interceptor checks the token there)."""
    try:
        with socket.create_connection((ip, port), timeout=2) as conn:
            conn.sendall(b"GET /api/jobs/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            time.sleep(0.2)
            head = conn.recv(400)
    except OSError:
        return None
    if not head.startswith(b"HTTP/1."):
        return None
    return "metrics" if b"version=0.0.4" in head else head.split()[1].decode()


@pytest.mark.ray
@pytest.mark.slow
def test_a_local_cluster_needs_its_token_from_the_network():
    """Ray's servers listen on every interface whatever ray.init is told, so what protects a
    local cluster is its token: on, its file private, and no job API answered without it."""
    from ray._private.authentication.authentication_utils import is_token_auth_enabled

    assert _connect(ray, "local", 5.0)
    try:
        _start_service(RunConfig(sources=("x.mp4",), ray="local"), ray)
        assert is_token_auth_enabled()
        token = Path.home() / ".ray" / "auth_token"
        assert not token.exists() or token.stat().st_mode & 0o077 == 0, oct(token.stat().st_mode)
        time.sleep(2)  # the dashboard agent and the workers open their ports after start-up
        sockets = _listening(_socket_inodes(_descendants(os.getpid())))
        machine = socket.gethostbyname(socket.gethostname())
        reachable = {port for ip, port in sockets if not ipaddress.ip_address(ip).is_loopback}
        assert reachable, "expected Ray's servers on the machine's address (if this fails, Ray binds loopback now)"
        answers = {port: _http_answer(machine, port) for port in reachable}
        answered = [a for a in answers.values() if a is not None]
        # The dashboard agent refuses without the token; only metrics exporters answer.
        assert "401" in answered and all(a in ("401", "403", "metrics") for a in answered), answers
    finally:
        _stop_cluster_side(ray, True)


def test_joining_an_address_where_nothing_answers_fails_in_one_line(sample, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nothing listens there
    t0 = time.monotonic()
    result = cli(
        "run",
        str(sample("single_face.jpg")),
        "--ray",
        f"127.0.0.1:{port}",
        "--timeout",
        "1",
        "--out",
        str(tmp_path / "o"),
    )
    took = time.monotonic() - t0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.code == 2 and len(lines) == 1, result.stderr
    assert f"no Ray cluster answers at '127.0.0.1:{port}' within 1 s" in lines[0]
    assert took < 30, took  # the CLI and Ray's import take most of it; Ray alone retried for minutes


def test_ray_is_quiet_unless_debugging_and_plain_when_redirected():
    """Ray's INFO and WARNING lines only with --debug; no colour codes in a file."""
    assert ray_console(logging.INFO, terminal=False) == (logging.ERROR, True)
    assert ray_console(logging.INFO, terminal=True) == (logging.ERROR, False)
    assert ray_console(logging.DEBUG, terminal=False) == (logging.INFO, True)
