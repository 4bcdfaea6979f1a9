"""Five-CNN ensemble on the CPU, fp32 against INT8: fps every frame, maximum RSS, agreement.

    python benchmarks/int8_cpu.py [--pack FP32_PACK] [--work DIR] [--before INT8_PACK] [--lock FILE]
                                  [--skip-sweep] [--profile]

Targets (issue #27), one run: the INT8 pack at >= 15 fps with the ensemble on every frame of
the sample video and <= 600 MB maximum RSS; the fp32 pack is measured in the same run.

1. The untrained five-member pack (mobilenet_v2, resnet18, resnet152, densenet121,
   densenet201; reference layout, random weights) is exported once without FP16 into --work,
   then quantized with `cer-live packs quantize`'s code, calibrated on the other sample media
   (never on the benchmark video, so the run's agreement is out of sample).
2. ONNX Runtime session options, each in a fresh child process: RSS after loading the five
   members and after inference, and ms per face, for fp32 and INT8.
3. `cer-live run VIDEO --every 1 --no-video`, each in its own child under /usr/bin/time -v
   (maximum RSS of the whole process), fps from its summary.json: fp32 and INT8 with the
   members one after another (the runtime before) and side by side (the runtime now), and
   `--before`'s INT8 pack one after another; the agreement of fp32 and INT8's labels row by row.
Saves benchmarks/results/int8_cpu.json (or --out). `--profile`: each member alone and the five together
at one face instead (benchmarks/results/int8_cpu_profile.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER, samples  # noqa: E402
from cer_live.bench.machine import cpu_model  # noqa: E402

FIVE = ("mobilenet_v2", "resnet18", "resnet152", "densenet121", "densenet201")
VIDEO = "WolfgangLanger_Pexels.mp4"
CALIBRATION = (
    "face_noface.mov",
    "noface_face.mov",
    "multi_face.jpg",
    "single_face.jpg",
    "0-f1-su-ph.jpg",
    "0-f15-hao-ph.jpg",
    "15-f13-anc-ph.jpg",
    "45-m7-di-ph.jpg",
)
# name -> (enable_cpu_mem_arena, enable_mem_pattern, session.disable_prepacking)
SESSION_OPTIONS = {
    "ort_defaults": (True, True, False),
    "no_arena": (False, True, False),
    "no_mem_pattern": (True, False, False),
    "no_prepacking": (True, True, True),
    "no_arena_no_mem_pattern": (False, False, False),
    "all_off": (False, False, True),
}


def ensure_fp32(work: Path, given: Path | None) -> Path:
    if given is not None:
        return given
    target = work / "engines" / "five"
    if not (target / "pack.json").is_file():
        from cer_live.export.build import ExportOptions, MemberInput, export_pack

        print(f"exporting the untrained five-member pack to {target} (once)", flush=True)
        export_pack(
            [MemberInput(a, a, seed=i) for i, a in enumerate(FIVE)],
            ExportOptions(name="five", out_root=target.parent, fp16=False),
        )
    return target


def ensure_int8(work: Path, fp32: Path) -> tuple[Path, float]:
    """The INT8 pack, quantized once; the seconds quantizing took (0 when it was there)."""
    target = work / "engines" / "five-int8"
    if (target / "pack.json").is_file():
        return target, 0.0
    from cer_live.export.int8_pack import QuantizeOptions, quantize_pack

    t0 = time.perf_counter()
    # --force: untrained heads may leave near-ties; the figures are recorded either way.
    quantize_pack(
        QuantizeOptions(
            str(fp32), tuple(samples.fetch(n) for n in CALIBRATION), "five-int8", target.parent, force=True
        ),
        progress=lambda text: print(text, flush=True),
    )
    return target, time.perf_counter() - t0


def _rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory; VmHWM is its peak since exec (ru_maxrss would carry
    the parent's size across fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def session_child(pack_path: str, precision: str, config: str, rounds: int = 12) -> None:
    """In a fresh process: the five members on bare sessions with one set of options."""
    import numpy as np
    import onnxruntime as ort

    from cer_live.models.packs import load_pack

    arena, pattern, no_prepack = SESSION_OPTIONS[config]
    pack = load_pack(pack_path)
    base = _rss_mb()
    sessions = []
    for spec in pack.members:
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = 2, 1
        so.enable_cpu_mem_arena, so.enable_mem_pattern = arena, pattern
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.add_session_config_entry("session.disable_prepacking", "1" if no_prepack else "0")
        model = (spec.int8 if precision == "int8" else spec.model).read()
        sessions.append(ort.InferenceSession(model, so, providers=["CPUExecutionProvider"]))
        del model
    loaded = _rss_mb()
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    for s in sessions:
        s.run(None, {s.get_inputs()[0].name: x})
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for s in sessions:
            s.run(None, {s.get_inputs()[0].name: x})
        times.append((time.perf_counter() - t0) * 1000)
    after = _rss_mb()
    peak = _rss_mb("VmHWM")
    print(
        json.dumps(
            {
                "rss_before_load_mb": round(base, 1),
                "rss_loaded_mb": round(loaded, 1),
                "rss_after_inference_mb": round(after, 1),
                "max_rss_mb": round(peak, 1),
                "ms_per_face_p50": round(sorted(times)[len(times) // 2], 1),
            }
        )
    )


def _timed_rounds(calls: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median ms of each call, the calls alternating (order flipped every round) so that a
    change of load hits all of them."""
    for call in calls.values():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            t0 = time.perf_counter()
            calls[name]()
            times[name].append((time.perf_counter() - t0) * 1000)
    return {name: round(sorted(v)[len(v) // 2], 1) for name, v in times.items()}


def profile_child(pack_path: str, before_path: str, rounds: int = 10) -> None:
    """In a fresh process, one face (batch 1): each member alone with 2 threads in fp32, in
    INT8 as the earlier method made it (`before_path`, DenseNet's BatchNorms in float) and in
    INT8 as `cer-live packs quantize` makes it now; then the five together, one after another
    (2 threads each) against side by side (2 at once, 1 thread each), with the runtime's own
    member runner."""
    import numpy as np

    from cer_live.models import backends
    from cer_live.models.backends import BackendOptions
    from cer_live.models.member_threads import MemberRunner, MemberThreads
    from cer_live.models.packs import load_pack

    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    after, before = load_pack(pack_path).members, load_pack(before_path).members
    variants = {"fp32": (after, "fp32"), "int8_before": (before, "int8"), "int8": (after, "int8")}

    def engines(threads: int) -> dict[str, list]:
        return {
            name: [
                backends.create("onnxruntime", s.source, BackendOptions(threads=threads, precision=p)) for s in specs
            ]
            for name, (specs, p) in variants.items()
        }

    two, one = engines(2), engines(1)
    members = {}
    for i, spec in enumerate(after):
        ms = _timed_rounds({name: (lambda e=e[i]: e.infer(x)) for name, e in two.items()}, rounds)
        members[spec.name] = {
            **{f"{k}_ms": v for k, v in ms.items()},
            "speedup_before": round(ms["fp32"] / ms["int8_before"], 2),
            "speedup": round(ms["fp32"] / ms["int8"], 2),
        }
    runners = {
        "one_after_another": MemberRunner(MemberThreads(1, 2)),
        "side_by_side": MemberRunner(MemberThreads(2, 1)),
    }
    calls = {}
    for name in variants:
        for mode, runner in runners.items():
            loaded = two[name] if mode == "one_after_another" else one[name]
            jobs = [(i, (lambda e=e: e.infer(x))) for i, e in enumerate(loaded)]
            calls[f"{name}_{mode}"] = lambda r=runner, j=jobs: r.map(j)
    together = _timed_rounds(calls, rounds)
    for runner in runners.values():
        runner.close()
    print(json.dumps({"members": members, "five_together_ms": together}))


def sweep(pack: Path, precision: str) -> dict:
    out = {}
    for config in SESSION_OPTIONS:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(pack), precision, config],
            capture_output=True,
            text=True,
            check=True,
        )
        out[config] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"sessions {precision} {config}: {out[config]}", flush=True)
    return out


# `cer-live run` with the members one after another whatever the precision: the runtime as it
# was before INT8 members ran side by side, for the same run's comparison.
_ONE_AFTER_ANOTHER = (
    "import runpy; from cer_live.models import ensemble, member_threads as t; "
    "ensemble.plan = lambda n, b, o: t.MemberThreads(1, max(1, o.threads)); "
    "runpy.run_module('cer_live.cli', run_name='__main__')"
)


def run_video(pack: Path, precision: str, out: Path, video: Path, one_after_another: bool, lock: Path | None) -> dict:
    """`cer-live run` on every frame, under /usr/bin/time -v: fps, latency, maximum RSS."""
    python = [sys.executable, "-c", _ONE_AFTER_ANOTHER] if one_after_another else [sys.executable, "-m", "cer_live.cli"]
    command = [*(["flock", str(lock)] if lock else []), "/usr/bin/time", "-v", *python, "run", str(video)]
    command += ["--pack", str(pack), "--precision", precision, "--backend", "onnxruntime", "--threads", "2"]
    command += ["--every", "1", "--no-video", "--out", str(out)]
    load = _uptime()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"run failed ({precision}): {done.stderr[-2000:]}")
    max_rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    summary = json.loads((out / "summary.json").read_text())
    source = summary["sources"][0]
    return {
        "fps": source["fps"],
        "frames": source["frames"],
        "face_rows": source["face_rows"],
        "wall_s": source["wall_s"],
        "infer_ms": source["latency_ms"]["infer"],
        "detect_ms_p50": source["latency_ms"]["detect"]["p50"],
        "max_rss_mb": round(max_rss_kb / 1024, 1),
        "member_threads": summary["settings"].get("member_threads"),
        "load_average": {"before": load, "after": _uptime()},
    }


def _faces(path: Path) -> dict[tuple[int, int], dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return {(r["frame"], r["track"]): r for r in rows if r.get("type") == "face" and r.get("fresh")}


def label_agreement(fp32_jsonl: Path, int8_jsonl: Path) -> dict:
    """Row by row (frame, track), on the unsmoothed labels the ensemble gave, fused and per member."""
    a, b = _faces(fp32_jsonl), _faces(int8_jsonl)
    both = sorted(set(a) & set(b))
    members = list(a[both[0]]["members"]) if both else []
    per_member = {
        m: round(sum(a[k]["members"][m]["label"] == b[k]["members"][m]["label"] for k in both) / len(both), 4)
        for m in members
    }
    return {
        "rows_compared": len(both),
        "rows_only_in_one": len(set(a) ^ set(b)),
        "fused_label_raw": round(sum(a[k]["label_raw"] == b[k]["label_raw"] for k in both) / max(1, len(both)), 4),
        "fused_label_smoothed": round(sum(a[k]["label"] == b[k]["label"] for k in both) / max(1, len(both)), 4),
        "members": per_member,
    }


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _sizes(pack: Path) -> dict:
    manifest = json.loads((pack / "pack.json").read_text())
    fp32 = sum((pack / m["file"]).stat().st_size for m in manifest["members"])
    int8 = sum((pack / m["int8"]["file"]).stat().st_size for m in manifest["members"] if "int8" in m)
    return {"fp32_onnx_mb": round(fp32 / 1e6, 1), "int8_onnx_mb": round(int8 / 1e6, 1)}


def _earlier_sweep() -> dict:
    """With --skip-sweep, the previous results file's session-option rows, marked as such."""
    path = ROOT / "benchmarks" / "results" / "int8_cpu.json"
    if not path.is_file():
        return {}
    earlier = json.loads(path.read_text())
    results = earlier.get("session_options", {}).get("results") or {}
    if not results or "measured_in_an_earlier_run" in results:
        return results
    return {"measured_in_an_earlier_run": earlier.get("when"), **results}


def profile(pack: Path, before_pack: Path, lock: Path | None) -> None:
    before = _uptime()
    command = [sys.executable, __file__, "--profile-child", str(pack), str(before_pack)]
    done = subprocess.run(
        [*(["flock", str(lock)] if lock else []), *command], capture_output=True, text=True, check=True
    )
    result = {
        "producer": PRODUCER,
        "benchmark": "benchmarks/int8_cpu.py --profile",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": cpu_model()},
        "load_average": {"before": before, "after": _uptime()},
        "what": (
            "one face (batch 1), median of 10 alternating rounds, sessions as cer-live run builds them: each member "
            "alone with 2 threads (fp32; int8_before: the INT8 pack made before DenseNet's BatchNorms were "
            "quantized; int8: made now), then the five together one after another (2 threads each) and side by "
            "side (2 at once, 1 thread each)"
        ),
        "packs": {"int8": str(pack), "int8_before": str(before_pack)},
        **json.loads(done.stdout.strip().splitlines()[-1]),
    }
    out = ROOT / "benchmarks" / "results" / "int8_cpu_profile.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, help="an fp32 five-member pack (default: exported into --work)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/int8-work"), help="where built packs are kept")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--skip-sweep", action="store_true", help="only the two runs on the video")
    parser.add_argument("--profile-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--before", type=Path, help="an INT8 pack of the same members made earlier, run with members one after another"
    )
    parser.add_argument("--lock", type=Path, help="run each heavy child under flock LOCK (a shared machine)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "int8_cpu.json", help="where the results go"
    )
    parser.add_argument(
        "--profile", action="store_true", help="only each member's ms at batch 1, fp32 and INT8 (int8_cpu_profile.json)"
    )
    args = parser.parse_args()
    if args.child:
        session_child(*args.child)
        return
    if args.profile_child:
        profile_child(*args.profile_child)
        return
    if args.profile:
        int8 = ensure_int8(args.work, ensure_fp32(args.work, args.pack))[0]
        profile(int8, args.before or int8, args.lock)
        return
    fp32 = ensure_fp32(args.work, args.pack)
    int8, quantize_s = ensure_int8(args.work, fp32)
    before = _uptime()
    print(before, flush=True)
    sessions = {} if args.skip_sweep else {p: sweep(int8, p) for p in ("fp32", "int8")}
    video = samples.fetch(VIDEO)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    # name -> (pack, precision, members one after another)
    plans = {
        "fp32_one_after_another": (int8, "fp32", True),
        "fp32": (int8, "fp32", False),
        **({"int8_before": (args.before, "int8", True)} if args.before else {}),
        "int8_one_after_another": (int8, "int8", True),
        "int8": (int8, "int8", False),
    }
    outs = {name: args.work / "runs" / f"{stamp}-{name}" for name in plans}
    runs = {}
    for name, (pack, precision, one_after_another) in plans.items():
        runs[name] = run_video(pack, precision, outs[name], video, one_after_another, args.lock)
        print(f"run {name}: {runs[name]}", flush=True)
    after = _uptime()
    jsonl = f"{video.stem}.jsonl"
    manifest = json.loads((int8 / "pack.json").read_text())
    result = {
        "producer": PRODUCER,
        "benchmark": "benchmarks/int8_cpu.py",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": cpu_model()},
        "load_average": {"before": before, "after": after},
        "onnxruntime": __import__("onnxruntime").__version__,
        "pack": {"members": list(FIVE), "weights": "untrained (random init, reference layout)", **_sizes(int8)},
        "video": VIDEO,
        "run": "cer-live run VIDEO --every 1 --no-video --threads 2 --backend onnxruntime --precision P",
        "runs_are": {
            "fp32_one_after_another": "the fp32 members one after another, 2 threads each (the runtime before)",
            "fp32": "the fp32 members as cer-live run runs them (side by side, 1 thread each)",
            "int8_before": "the INT8 pack made before DenseNet's BatchNorms were quantized, one after another",
            "int8_one_after_another": "the INT8 pack made now, members one after another with 2 threads each",
            "int8": "the INT8 pack made now, as cer-live run runs it (members side by side, 1 thread each)",
        },
        "packs": {"int8": str(int8), "int8_before": str(args.before) if args.before else None},
        "runs": runs,
        "fps_ratio_int8_to_fp32": round(runs["int8"]["fps"] / runs["fp32"]["fps"], 3),
        "max_rss_ratio_int8_to_fp32": round(runs["int8"]["max_rss_mb"] / runs["fp32"]["max_rss_mb"], 3),
        "fps_ratio_side_by_side": {
            p: round(runs[p]["fps"] / runs[f"{p}_one_after_another"]["fps"], 3) for p in ("fp32", "int8")
        },
        **(
            {"fps_ratio_int8_to_int8_before": round(runs["int8"]["fps"] / runs["int8_before"]["fps"], 3)}
            if "int8_before" in runs
            else {}
        ),
        "targets": {"int8_fps_min": 15, "int8_max_rss_mb_max": 600},
        "meets_targets": runs["int8"]["fps"] >= 15 and runs["int8"]["max_rss_mb"] <= 600,
        "agreement_on_the_video": label_agreement(outs["fp32"] / jsonl, outs["int8"] / jsonl),
        "agreement_at_build": {
            "held_out": manifest["int8"]["held_out"],
            "calibration": manifest["int8"]["calibration"],
            "fused": manifest["int8"]["fused"],
            "members": {m["name"]: m["int8"]["agreement"] for m in manifest["members"]},
        },
        "quantize_s": round(quantize_s, 1) if quantize_s else "built earlier",
        "session_options": {
            "configs": {
                k: dict(zip(("arena", "mem_pattern", "disable_prepacking"), v, strict=True))
                for k, v in SESSION_OPTIONS.items()
            },
            "results": sessions or _earlier_sweep(),
        },
    }
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
