"""Many RTSP streams in one process: how many hold real time, and what cross-stream batching buys.

    python benchmarks/streams.py [--counts 1,2,4,6,8,10] [--window 6] [--compare N]

Serves the sample clip (640x360, 24 fps) N times with the GStreamer RTSP server the tests use
(scripts/install-test-deps.sh), runs `cer-live run URL1 .. URLN --no-video` with the default
pack, and measures a steady-state window of each stream from the JSONL: frames per second,
frames dropped and capture-to-output latency. N holds when every stream keeps >= 95 % of 24
fps, drops nothing in the window, and its capture-to-output p95 is <= 100 ms. Then the same N
streams run one process each, for the ratio of total frames per second (and the CPU time each
frame costs). Prints and saves benchmarks/results/streams.json with the load average, since
the machine may be shared.
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

FPS = 24.0
HOLD_FPS = 0.95 * 23.976  # the clip's own rate
P95_MS = 100.0


def _start(urls: list[str], out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "cer_live.cli", "run", *urls, "--out", str(out), "--no-video", "--no-show"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rows(path: Path, offset: int) -> tuple[list[dict], int]:
    """Whole frame rows written after `offset`, and the new offset."""
    if not path.exists():
        return [], offset
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    rows = [json.loads(line) for line in data[offset:end].splitlines() if line]
    return [r for r in rows if r.get("type") in ("face", "empty")], end


def _measure(jsonls: list[Path], pids: list[int], window: float, timeout: float = 60.0) -> dict:
    """Waits for every stream to run, warms up 2 s, then measures `window` seconds."""
    deadline = time.monotonic() + timeout
    while not all(len(_rows(p, 0)[0]) >= 24 for p in jsonls):
        if time.monotonic() > deadline:
            raise RuntimeError("streams did not start")
        time.sleep(0.2)
    time.sleep(2.0)
    offsets = [_rows(p, 0)[1] for p in jsonls]
    before = [max((r["dropped"] for r in _rows(p, 0)[0]), default=0) for p in jsonls]
    cpu0, t0 = sum(_cpu_s(pid) for pid in pids), time.monotonic()
    load0 = os.getloadavg()[0]
    time.sleep(window)
    cpu1, elapsed = sum(_cpu_s(pid) for pid in pids), time.monotonic() - t0
    streams = []
    for path, offset, dropped0 in zip(jsonls, offsets, before, strict=False):
        rows, _ = _rows(path, offset)
        frames = {r["frame"]: r for r in rows}
        ages = [r["latency_ms"]["capture_to_output"] for r in frames.values()]
        streams.append({
            "fps": round(len(frames) / elapsed, 2),
            "dropped": max((r["dropped"] for r in rows), default=dropped0) - dropped0,
            "p50_ms": round(float(np.percentile(ages, 50)), 1) if ages else None,
            "p95_ms": round(float(np.percentile(ages, 95)), 1) if ages else None,
        })  # fmt: skip
    total = sum(s["fps"] for s in streams)
    return {
        "streams": streams,
        "total_fps": round(total, 2),
        "cpu_ms_per_frame": round(1000 * (cpu1 - cpu0) / max(total * elapsed, 1), 2),
        "load_average_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }


def _holds(result: dict) -> bool:
    return all(
        s["fps"] >= HOLD_FPS and s["dropped"] == 0 and s["p95_ms"] is not None and s["p95_ms"] <= P95_MS
        for s in result["streams"]
    )


def one_process(video: Path, n: int, window: float) -> dict:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as out:
        servers = [stack.enter_context(RtspServer(video, mount=f"cam{i}")) for i in range(n)]
        proc = _start([s.url for s in servers], Path(out))
        try:
            result = _measure([Path(out) / f"rtsp-cam{i}.jsonl" for i in range(n)], [proc.pid], window)
            summary = _stop([proc], [Path(out)])[0]
            result["batching"] = summary.get("batching")
        finally:
            proc.kill() if proc.poll() is None else None
    result["holds"] = _holds(result)
    return result


def separate_processes(video: Path, n: int, window: float) -> dict:
    with ExitStack() as stack:
        outs = [Path(stack.enter_context(tempfile.TemporaryDirectory())) for _ in range(n)]
        servers = [stack.enter_context(RtspServer(video, mount=f"cam{i}")) for i in range(n)]
        procs = [_start([s.url], out) for s, out in zip(servers, outs, strict=False)]
        try:
            result = _measure(
                [out / f"rtsp-cam{i}.jsonl" for i, out in enumerate(outs)], [p.pid for p in procs], window, timeout=120
            )
        finally:
            _stop(procs, outs)
    result["holds"] = _holds(result)
    return result


def _stop(procs: list[subprocess.Popen], outs: list[Path]) -> list[dict]:
    for proc in procs:
        proc.send_signal(signal.SIGINT)
    for proc in procs:
        proc.wait(timeout=60)
    return [json.loads((out / "summary.json").read_text()) if (out / "summary.json").exists() else {} for out in outs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--counts", default="1,2,4,6,8,10", help="stream counts to try, in order (stops after two that fail)"
    )
    parser.add_argument("--window", type=float, default=6.0, help="seconds measured per trial (the clip lasts 20 s)")
    parser.add_argument(
        "--compare", type=int, help="N for the one-process-each comparison (default: the largest N tried)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "streams.json")
    args = parser.parse_args()
    video = samples.fetch("WolfgangLanger_Pexels.mp4")
    trials: dict[int, dict] = {}
    failures = 0
    for n in (int(c) for c in args.counts.split(",")):
        trials[n] = one_process(video, n, args.window)
        r = trials[n]
        print(f"{n:3d} streams: total {r['total_fps']:6.1f} fps, min {min(s['fps'] for s in r['streams']):5.1f}, "
              f"p95 max {max(s['p95_ms'] or 0 for s in r['streams']):6.1f} ms, dropped {sum(s['dropped'] for s in r['streams'])}, "
              f"cpu {r['cpu_ms_per_frame']} ms/frame, load {r['load_average_1min']} -> {'holds' if r['holds'] else 'does not hold'}", flush=True)  # fmt: skip
        failures += not r["holds"]
        if failures >= 2:
            break
    compare_n = args.compare or max(trials)
    batched = trials.get(compare_n) or one_process(video, compare_n, args.window)
    alone = separate_processes(video, compare_n, args.window)
    print(
        f"{compare_n} streams, one process each: total {alone['total_fps']:.1f} fps, cpu {alone['cpu_ms_per_frame']} ms/frame",
        flush=True,
    )
    holding = [n for n, r in trials.items() if r["holds"]]
    report = {
        "producer": f"{PRODUCER} benchmarks/streams.py",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "settings": {
            "pack": "default",
            "video": False,
            "stream": "640x360 H.264 24 fps over loopback RTSP (tcp)",
            "window_s": args.window,
            "holds_when": f"every stream >= {HOLD_FPS:.1f} fps, 0 dropped, capture-to-output p95 <= {P95_MS:g} ms",
        },  # fmt: skip
        "largest_count_that_holds": max(holding) if holding else 0,
        "single_stream": trials.get(1),
        "trials": {str(n): r for n, r in trials.items()},
        "one_process_vs_one_process_each": {
            "streams": compare_n,
            "batched_total_fps": batched["total_fps"],
            "separate_total_fps": alone["total_fps"],
            "fps_ratio": round(batched["total_fps"] / alone["total_fps"], 3) if alone["total_fps"] else None,
            "batched_cpu_ms_per_frame": batched["cpu_ms_per_frame"],
            "separate_cpu_ms_per_frame": alone["cpu_ms_per_frame"],
            "separate": alone,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"largest count that holds: {report['largest_count_that_holds']}; "
          f"batched/separate fps ratio at {compare_n}: {report['one_process_vs_one_process_each']['fps_ratio']}")  # fmt: skip
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
