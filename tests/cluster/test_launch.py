"""A cluster started here listens on loopback only; an address where no cluster answers fails fast."""

from __future__ import annotations

import ipaddress
import os
import socket
import time

import pytest

from cer_live.run.config import RunConfig

from ..helpers import cli

ray = pytest.importorskip("ray")

from cer_live.cluster.launch import _connect, _start_service, _stop_cluster_side  # noqa: E402


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


@pytest.mark.ray
@pytest.mark.slow
def test_a_local_cluster_listens_on_loopback_only():
    assert _connect(ray, "local", 5.0)
    try:
        _start_service(RunConfig(sources=("x.mp4",), ray="local"), ray)
        time.sleep(2)  # the dashboard agent and the workers open their ports after start-up
        sockets = _listening(_socket_inodes(_descendants(os.getpid())))
        assert len(sockets) >= 3, sockets  # GCS, raylet, core workers at least
        exposed = [(ip, port) for ip, port in sockets if not ipaddress.ip_address(ip).is_loopback]
        assert not exposed, f"listening beyond loopback: {exposed}"
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
