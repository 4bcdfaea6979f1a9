"""Soak: `cer-live run` on a real RTSP stream for a long time; memory and latency over time.

    python benchmarks/live_soak.py [--minutes 10]

Serves the sample clip with the GStreamer RTSP server used by the tests (install it with
scripts/install-test-deps.sh). The clip lasts 20 s and each session ends with it, so the
run also goes through a reconnect every 20 s. Samples the process's RSS every 5 s, and from
the JSONL computes capture-to-output latency per minute, drops and reconnect gaps. Prints
and saves benchmarks/results/live_soak.json.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "live_soak.json")
    args = parser.parse_args()
    video = samples.fetch("WolfgangLanger_Pexels.mp4")
    rss: list[tuple[float, float]] = []
    with RtspServer(video) as server, tempfile.TemporaryDirectory() as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cer_live.cli", "run", server.url, "--out", out, "--no-show", "--no-video"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        t0 = time.monotonic()
        while time.monotonic() - t0 < args.minutes * 60 and proc.poll() is None:
            time.sleep(5)
            rss.append((round(time.monotonic() - t0, 1), round(rss_mib(proc.pid), 1)))
            print(f"\r{rss[-1][0]:6.0f} s  RSS {rss[-1][1]:.1f} MiB", end="", flush=True)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        rows = [json.loads(line) for line in (Path(out) / "rtsp-cam.jsonl").read_text().splitlines()]
        summary = json.loads((Path(out) / "summary.json").read_text())["sources"][0]
    print()
    frames = {r["frame"]: r for r in rows if r["type"] in ("face", "empty")}
    events = [r for r in rows if r["type"] == "status"]
    start = min(r["t"] for r in frames.values())
    per_minute = []
    for minute in range(int(np.ceil(args.minutes))):
        ages = [
            r["latency_ms"]["capture_to_output"]
            for r in frames.values()
            if minute * 60 <= r["t"] - start < (minute + 1) * 60
        ]
        if ages:
            p50, p95 = np.percentile(ages, [50, 95])
            per_minute.append(
                {
                    "minute": minute + 1,
                    "frames": len(ages),
                    "p50_ms": round(float(p50), 2),
                    "p95_ms": round(float(p95), 2),
                }
            )
    settled = [v for t, v in rss if t >= 30] or [v for _, v in rss]
    report = {
        "producer": f"{PRODUCER} benchmarks/live_soak.py",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "minutes": args.minutes,
        "frames": summary["frames"],
        "fps": summary["fps"],
        "dropped_frames": summary["dropped_frames"],
        "reconnects": sum(e["event"] == "recovered" for e in events),
        "rss_mib": {
            "first": rss[0][1],
            "after_30_s": settled[0],
            "end": rss[-1][1],
            "max": max(v for _, v in rss),
            "growth_after_30_s_pct": round(100 * (settled[-1] - settled[0]) / settled[0], 2),
        },
        "capture_to_output_ms_per_minute": per_minute,
        "latency_ms": summary["latency_ms"],
        "rss_samples": rss,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k not in ("rss_samples", "latency_ms")}, indent=2))
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
