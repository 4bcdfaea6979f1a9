"""cer-live on a real two-node Ray cluster on loopback: placement, equal outputs, faults survived.

One run serves every test here (a cluster takes seconds to start on two cores): two file
sources and a loopback RTSP stream, spread over two nodes; mid-run the stream's worker is
killed, then the ensemble replica; each must come back and the run carry on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cer_live.install import install_hint
from cer_live.run.config import RunConfig
from cer_live.run.run import Run

from ..helpers import ROOT, read_jsonl
from ..sources.rtsp import RtspServer, server_available
from .clips import cut

ray = pytest.importorskip("ray")
pytestmark = [pytest.mark.ray, pytest.mark.slow]

from cer_live.cluster import NAMESPACE  # noqa: E402
from cer_live.cluster.launch import ClusterRun  # noqa: E402

FRAMES = 48


def _lines(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n") if path.exists() else 0


def _replica() -> tuple[str, str]:
    names = ray.util.list_named_actors(all_namespaces=True)
    return next((a["name"], a["namespace"]) for a in names if "SERVE_REPLICA" in a["name"] and "Ensemble" in a["name"])


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class _Saboteur(threading.Thread):
    """Kills the stream worker, then the ensemble replica, each once the stream has moved on."""

    def __init__(self, run: ClusterRun, stream_jsonl: Path) -> None:
        super().__init__(daemon=True)
        self.run_, self.jsonl = run, stream_jsonl
        self.seen: dict[str, object] = {}

    def run(self) -> None:
        try:
            self._sabotage()
        finally:
            self.run_.stop()

    def _sabotage(self) -> None:
        if not _wait(lambda: _lines(self.jsonl) > 25, 90):
            return
        worker = ray.get_actor("worker/rtsp-cam", namespace=NAMESPACE)
        self.seen["killed_worker_at"] = _lines(self.jsonl)
        ray.kill(worker, no_restart=False)
        t_kill = time.monotonic()
        before = _lines(self.jsonl)
        self.seen["worker_back"] = _wait(lambda: _lines(self.jsonl) > before + 5, 60)
        self.seen["recovery_s"] = time.monotonic() - t_kill
        name, namespace = _replica()
        self.seen["replica_before"] = name
        ray.kill(ray.get_actor(name, namespace=namespace), no_restart=True)
        before = _lines(self.jsonl)
        self.seen["after_replica_kill"] = _wait(lambda: _lines(self.jsonl) > before + 10, 60)
        self.seen["replica_after"] = _replica()[0]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, sample):
    if server_available():
        pytest.skip(server_available())
    from ray.cluster_utils import Cluster

    tmp = tmp_path_factory.mktemp("cluster")
    files = [
        cut(sample("WolfgangLanger_Pexels.mp4"), tmp / "wolf.mp4", FRAMES),
        cut(sample("face_noface.mov"), tmp / "door.mp4", FRAMES),
    ]
    loopback = {"num_cpus": 1}
    cluster = Cluster(initialize_head=True, head_node_args={**loopback, "include_dashboard": False})
    cluster.add_node(**loopback)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, namespace=NAMESPACE)
    try:
        with RtspServer(sample("WolfgangLanger_Pexels.mp4"), mount="cam") as server:
            config = RunConfig(
                (*map(str, files), server.url), out=tmp / "out", video=False, ray=cluster.address, show=False
            )
            run = ClusterRun(config)
            saboteur = _Saboteur(run, tmp / "out" / "rtsp-cam.jsonl")
            saboteur.start()
            summary = run.execute()
            saboteur.join(timeout=30)
        nodes = len(ray.nodes())
    finally:
        ray.shutdown()
        cluster.shutdown()
    single = Run(RunConfig(tuple(map(str, files)), out=tmp / "single", video=False, show=False)).execute()
    return {"tmp": tmp, "summary": summary, "single": single, "seen": saboteur.seen, "nodes": nodes}


def _labels(path: Path) -> list[tuple]:
    return [(r["frame"], r.get("track"), r.get("label")) for r in read_jsonl(path) if r["type"] in ("face", "empty")]


def test_sources_are_placed_over_both_nodes(outcome):
    data = json.loads((outcome["tmp"] / "out" / "summary.json").read_text())
    assert outcome["nodes"] == 2
    # Where each worker runs at the end: a restarted worker (the test kills one) may come back
    # on the other node, as the soft affinity allows, so only that every source has a node is fixed.
    assert set(data["cluster"]["placement"]) == {"wolf", "door", "rtsp-cam"}
    assert all(data["cluster"]["placement"].values()) and 1 <= data["cluster"]["nodes"] <= 2
    assert {s["name"] for s in data["sources"]} == {"wolf", "door", "rtsp-cam"}


def test_placement_spreads_sources_over_the_live_nodes():
    from cer_live.cluster.placement import alive_nodes, least_loaded

    alive = alive_nodes(
        [{"NodeID": "b", "Alive": True}, {"NodeID": "a", "Alive": True}, {"NodeID": "c", "Alive": False}]
    )
    placed: list[str | None] = []
    for _ in range(3):
        placed.append(least_loaded(alive, placed))
    assert alive == ["a", "b"] and placed == ["a", "b", "a"]


def test_each_file_source_gives_the_single_process_labels_frame_by_frame(outcome):
    for stem in ("wolf", "door"):
        cluster, single = (
            _labels(outcome["tmp"] / "out" / f"{stem}.jsonl"),
            _labels(outcome["tmp"] / "single" / f"{stem}.jsonl"),
        )
        assert len({f for f, _, _ in single}) == FRAMES
        assert cluster == single, stem


def test_a_killed_stream_worker_comes_back_without_duplicating_a_frame(outcome):
    seen = outcome["seen"]
    assert seen.get("worker_back"), seen
    records = read_jsonl(outcome["tmp"] / "out" / "rtsp-cam.jsonl")  # every line whole
    frames = [r["frame"] for r in records if r["type"] in ("face", "empty")]
    per_frame = {}
    for r in records:
        if r["type"] in ("face", "empty"):
            per_frame.setdefault(r["frame"], set()).add(r.get("track"))
    assert sorted(set(frames)) == sorted(dict.fromkeys(frames)), "frames out of order"
    assert all(a < b for a, b in zip(dict.fromkeys(frames), list(dict.fromkeys(frames))[1:], strict=False)), (
        "a frame written twice"
    )
    restarts = [r for r in records if r.get("event") == "worker_restarted"]
    assert len(restarts) == 1 and restarts[0]["lost_frames"] >= 0
    cam = next(r for r in outcome["summary"].sources if r.name == "rtsp-cam")
    assert cam.faults["restarts"] == 1 and cam.faults["lost_frames"] == restarts[0]["lost_frames"]


def test_a_killed_ensemble_replica_is_replaced_and_processing_goes_on(outcome):
    seen = outcome["seen"]
    assert seen.get("after_replica_kill"), seen
    assert seen["replica_after"] != seen["replica_before"]


def test_without_ray_the_cluster_option_says_what_to_install(tmp_path, sample):
    blocked = "import sys; sys.modules['ray'] = None; from cer_live.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", blocked, "run", str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), "--ray"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and install_hint("ray") in lines[0], done.stderr
    assert not (tmp_path / "o").exists()
