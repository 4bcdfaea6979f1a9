"""`--sources cams.toml --ray`: every listed source runs on the cluster with its own settings.

A one-node local Ray cluster, two loopback RTSP streams and a short file, each listed with its
own name, frame policy, timeout and reconnect limit; the run is stopped once every stream
has written a few frames.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from cer_live.run.config import RunConfig
from cer_live.run.source_list import read_source_list

from ..helpers import read_jsonl
from ..sources.rtsp import RtspServer, server_available
from .clips import cut

ray = pytest.importorskip("ray")
pytestmark = [pytest.mark.ray, pytest.mark.slow]

from cer_live.cluster import NAMESPACE  # noqa: E402
from cer_live.cluster.launch import ClusterRun  # noqa: E402

CLIP_FRAMES = 12
STREAM_FRAMES = 8
LISTING = """
[[source]]
name = "door"
url = "{door}"
policy = "all"
timeout = 7
reconnect_limit = 2

[[source]]
name = "yard"
url = "{yard}"
transport = "tcp"
timeout = 4

[[source]]
name = "clip"
path = "clip.mp4"
"""


def _rows(path: Path) -> int:
    if not path.exists():
        return 0
    return sum('"type":"face"' in line or '"type":"empty"' in line for line in path.read_text().splitlines())


def _stop_when_written(run: ClusterRun, out: Path) -> threading.Thread:
    def watch() -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            streams = all(_rows(out / f"{stem}.jsonl") >= STREAM_FRAMES for stem in ("door", "yard"))
            if streams and _rows(out / "clip.jsonl") >= CLIP_FRAMES:
                break
            time.sleep(0.2)
        run.stop()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(server_available() is not None, reason=str(server_available()))
def test_every_listed_source_runs_on_the_cluster_with_its_own_settings(tmp_path, sample):
    video = sample("WolfgangLanger_Pexels.mp4")
    cut(video, tmp_path / "clip.mp4", CLIP_FRAMES)
    out = tmp_path / "out"
    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE)
    try:
        with RtspServer(video, mount="door") as door, RtspServer(video, mount="yard") as yard:
            listing = tmp_path / "cams.toml"
            listing.write_text(LISTING.format(door=door.url, yard=yard.url), encoding="utf-8")
            config = RunConfig((), source_list=read_source_list(listing), out=out, video=False, ray="local")
            run = ClusterRun(config)
            watcher = _stop_when_written(run, out)
            summary = run.execute()
            watcher.join(timeout=5)
    finally:
        ray.shutdown()
    reports = {r.name: r for r in summary.sources}
    assert set(reports) == {"door", "yard", "clip"}
    assert {n: r.policy for n, r in reports.items()} == {"door": "all", "yard": "latest", "clip": "all"}
    headers = {stem: read_jsonl(out / f"{stem}.jsonl")[0] for stem in reports}
    assert headers["door"]["source_settings"] == {
        "kind": "stream", "policy": "all", "transport": "tcp", "timeout": 7, "reconnect_limit": 2,
    }  # fmt: skip
    assert headers["yard"]["source_settings"] == {
        "kind": "stream", "policy": "latest", "transport": "tcp", "timeout": 4, "reconnect_limit": None,
    }  # fmt: skip
    assert headers["clip"]["source_settings"] == {"kind": "video", "policy": "all"}
    assert reports["clip"].frames == CLIP_FRAMES
    assert all(reports[stem].frames >= STREAM_FRAMES for stem in ("door", "yard"))
