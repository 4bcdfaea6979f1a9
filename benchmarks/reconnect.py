"""Reconnect speed: how soon after an RTSP server comes back does the first new frame arrive?

    python benchmarks/reconnect.py [--outages 12] [--seed 0] [--label NAME]

Serves the sample clip with the GStreamer RTSP server used by the tests (install it with
scripts/install-test-deps.sh) and reads it with cer-live's own stream source. Then, per
outage: let frames flow, kill the server, keep it down for a random 1-6 s, start it again
on the same port, and time from the moment it listens again to the first new frame. Also
counts the source's connection attempts per outage (a dead server should not be hammered).
An attempt is a `retrying` event (what --reconnect-limit counts); a probe is a TCP connect
to the server's port between attempts. Prints and saves benchmarks/results/reconnect.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER, samples  # noqa: E402
from cer_live.messages import Frame, StatusEvent  # noqa: E402
from cer_live.sources.stream import StreamOptions, StreamSource  # noqa: E402
from tests.sources.rtsp import RtspServer, wait_for  # noqa: E402


class Reader:
    """Reads the source on its own thread, noting when each frame and status event came."""

    def __init__(self, source: StreamSource) -> None:
        self.source = source
        self.log: list[tuple[float, str]] = []  # (monotonic time, 'frame' or event kind)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for item in self.source.frames():
            kind = "frame" if isinstance(item, Frame) else item.kind if isinstance(item, StatusEvent) else "?"
            self.log.append((time.monotonic(), kind))

    def since(self, t: float, kind: str) -> list[float]:
        return [at for at, k in list(self.log) if at >= t and k == kind]


def one_outage(server: RtspServer, reader: Reader, down_s: float, start_cost_s: float) -> dict:
    """`down_s`: how long the port stays closed (the server's own start-up time included)."""
    start = time.monotonic()
    if not wait_for(lambda: len(reader.since(start, "frame")) >= 12, 30):
        raise SystemExit("no frames from the stream before an outage")
    probes = getattr(reader.source, "probes", 0)  # older sources did not probe
    killed = time.monotonic()
    server.kill()
    if not wait_for(lambda: reader.since(killed, "lost"), 15):
        raise SystemExit("the source did not notice the server going away")
    time.sleep(max(0.0, down_s - start_cost_s - (time.monotonic() - killed)))
    server.start()
    back = time.monotonic()
    if not wait_for(lambda: reader.since(back, "frame"), 30, step=0.005):
        raise SystemExit("no frame within 30 s of the server coming back")
    first = reader.since(back, "frame")[0]
    attempts = len(reader.since(killed, "retrying"))
    return {
        "down_s": round(back - killed, 3),
        "recovery_s": round(first - back, 3),
        "attempts": attempts,
        "probes": getattr(reader.source, "probes", 0) - probes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outages", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="", help="a note saved with the figures (e.g. the code version)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "reconnect.json")
    args = parser.parse_args()
    # FFmpeg's own line per refused connect would bury the figures (the CLI silences it too).
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    server = RtspServer(samples.fetch("WolfgangLanger_Pexels.mp4")).start()
    start_cost_s = time.monotonic() - t0
    options = StreamOptions()
    source = StreamSource(server.url, options)
    reader = Reader(source)
    outages = []
    try:
        # One outage in each of N equal slices of 1-6 s, in random order: short and long ones alike.
        targets = [1.0 + 5.0 * (i + rng.random()) / args.outages for i in range(args.outages)]
        rng.shuffle(targets)
        for n, target in enumerate(targets):
            outages.append(one_outage(server, reader, target, start_cost_s))
            print(f"outage {n + 1}/{args.outages}: {outages[-1]}", flush=True)
    finally:
        source.stop()
        reader.thread.join(timeout=10)
        source.close()
        server.kill()
    save(args, options, outages)


def save(args: argparse.Namespace, options: StreamOptions, outages: list[dict]) -> None:
    recovery = np.array([o["recovery_s"] for o in outages])
    attempts = np.array([o["attempts"] for o in outages])
    down = np.array([o["down_s"] for o in outages])
    report = {
        "producer": f"{PRODUCER} benchmarks/reconnect.py",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "label": args.label,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "command": f"python benchmarks/reconnect.py --outages {args.outages} --seed {args.seed}",
        "what": "seconds from the RTSP server listening again to the first new frame from the stream source",
        "stream_options": options.__dict__,
        "outages": len(outages),
        "down_s": {"min": round(float(down.min()), 2), "max": round(float(down.max()), 2)},
        "recovery_s": {
            "p50": round(float(np.percentile(recovery, 50)), 3),
            "p95": round(float(np.percentile(recovery, 95)), 3),
            "max": round(float(recovery.max()), 3),
        },
        "attempts_per_outage": {"mean": round(float(attempts.mean()), 1), "max": int(attempts.max())},
        "attempts_per_down_second": round(float(attempts.sum() / down.sum()), 2),
        "probes_per_down_second": round(sum(o["probes"] for o in outages) / float(down.sum()), 2),
        "per_outage": outages,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "per_outage"}, indent=2))
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
