"""Soak: `cer-live run` on real RTSP streams for a long time; memory, latency and stalls over time.

    python benchmarks/live_soak.py [--minutes 10] [--streams 1] [--out FILE]

Serves the sample clip N times with the GStreamer RTSP server used by the tests (install it
with scripts/install-test-deps.sh), all in one `cer-live run`. The clip lasts 20 s and each
session ends with it, so every stream also goes through a reconnect every 20 s (it loops).
Samples the process's RSS every 5 s (growth from the first minute's end to the run's end, and
the slope of a straight line through the samples after it), and from the JSONL computes, per
stream, capture-to-output latency per minute, drops, reconnects and *stalls*: gaps of more
than 1 s between two output frames that no reconnect explains (no lost/recovered event in
between). Prints and saves the figures with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER, samples  # noqa: E402
from tests.sources.rtsp import RtspServer  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


STALL_S = 1.0  # a gap between output frames longer than this, with no reconnect in it, is a stall
WARM_S = 60.0  # RSS growth is counted from here: loading, first allocations and the first reconnects are over


def _stalls(rows: list[dict]) -> tuple[list[float], int]:
    """Gaps (s) between consecutive output frames that no reconnect explains, and the reconnects."""
    stalls, reconnects, last_t, reconnecting = [], 0, None, False
    for r in rows:
        if r["type"] == "status":
            reconnecting = reconnecting or r["event"] in ("lost", "retrying")
            reconnects += r["event"] == "recovered"
        elif r["type"] in ("face", "empty"):
            if last_t is not None and r["t"] - last_t > STALL_S and not reconnecting:
                stalls.append(round(r["t"] - last_t, 2))
            last_t, reconnecting = r["t"], False
    return stalls, reconnects


def _per_minute(frames: list[dict], minutes: float) -> list[dict]:
    start = min(r["t"] for r in frames)
    out = []
    for minute in range(int(np.ceil(minutes))):
        ages = [
            r["latency_ms"]["capture_to_output"] for r in frames if minute * 60 <= r["t"] - start < (minute + 1) * 60
        ]
        if ages:
            p50, p95 = np.percentile(ages, [50, 95])
            out.append(
                {
                    "minute": minute + 1,
                    "frames": len(ages),
                    "p50_ms": round(float(p50), 1),
                    "p95_ms": round(float(p95), 1),
                }
            )
    return out


def _stream_report(path: Path, summary: dict, minutes: float) -> dict:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    frames = [r for r in rows if r["type"] in ("face", "empty")]
    stalls, reconnects = _stalls(rows)
    return {
        "frames": summary["frames"],
        "fps": summary["fps"],
        "dropped_frames": summary["dropped_frames"],
        "reconnects": reconnects,
        "stalls": stalls,
        "capture_to_output_ms_per_minute": _per_minute(frames, minutes),
    }


def _rss_report(rss: list[tuple[float, float]]) -> dict:
    settled = [(t, v) for t, v in rss if t >= WARM_S] or rss
    times, values = np.array([t for t, _ in settled]), np.array([v for _, v in settled])
    slope = float(np.polyfit(times / 60, values, 1)[0]) if len(settled) > 2 else 0.0
    return {
        "first": rss[0][1],
        "after_warm_up": settled[0][1],
        "end": rss[-1][1],
        "max": max(v for _, v in rss),
        "growth_after_warm_up_pct": round(100 * (settled[-1][1] - settled[0][1]) / settled[0][1], 2),
        "slope_mib_per_minute": round(slope, 3),
    }


def _soak(video: Path, n: int, minutes: float) -> tuple[list[tuple[float, float]], list[dict]]:
    rss: list[tuple[float, float]] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory() as out:
        servers = [stack.enter_context(RtspServer(video, mount=f"cam{i}")) for i in range(n)]
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cer_live.cli",
                "run",
                *(s.url for s in servers),
                "--out",
                out,
                "--no-show",
                "--no-video",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        t0 = time.monotonic()
        while time.monotonic() - t0 < minutes * 60 and proc.poll() is None:
            time.sleep(5)
            rss.append((round(time.monotonic() - t0, 1), round(rss_mib(proc.pid), 1)))
            print(f"\r{rss[-1][0]:6.0f} s  RSS {rss[-1][1]:.1f} MiB", end="", flush=True)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        sources = json.loads((Path(out) / "summary.json").read_text())["sources"]
        streams = [_stream_report(Path(out) / f"rtsp-cam{i}.jsonl", sources[i], minutes) for i in range(n)]
    print()
    return rss, streams


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--streams", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "live_soak.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rss, streams = _soak(samples.fetch("WolfgangLanger_Pexels.mp4"), args.streams, args.minutes)
    report = {
        "producer": f"{PRODUCER} benchmarks/live_soak.py",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor()},
        "load_average": {"before": [round(v, 2) for v in load_before], "after": [round(v, 2) for v in os.getloadavg()]},
        "minutes": args.minutes,
        "streams": args.streams,
        "rss_mib": _rss_report(rss),
        "stalls": sum(len(s["stalls"]) for s in streams),
        "total_fps": round(sum(s["fps"] for s in streams), 2),
        "dropped_frames": sum(s["dropped_frames"] for s in streams),
        "per_stream": streams,
        "rss_samples": rss,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    shown = {k: v for k, v in report.items() if k not in ("rss_samples", "per_stream")}
    print(json.dumps(shown, indent=2))
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
