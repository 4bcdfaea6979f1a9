"""INT8 against FP32 on the CPU, for a pack with INT8 members (`cer-live packs quantize`).

Both variants of every member are loaded side by side and timed call by call, alternating, on
the same batch of real aligned faces, so that a change of load between them falls on both. The agreement is quoted from the pack's manifest (measured when the pack was built,
on faces outside the calibration set), not measured again here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import runtime, sweeps
from .clock import timed
from .stats import ratio, summarise

BATCH = 8  # faces per call: a busy frame's worth
BUDGET_MS = 300.0  # timed calls per member and precision: about this long per repeat
PRECISIONS = ("fp32", "int8")


def rss_mb() -> float | None:
    """This process's resident memory now (Linux's /proc); None where that is not readable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


def absent(pack: runtime.Pack) -> dict[str, Any]:
    """What the report says for a pack without INT8 members: how to get the rows, and no rows."""
    return {
        "status": "absent",
        "note": (
            f"pack '{pack.name}' has no INT8 members; build them with 'cer-live packs quantize {pack.name} "
            "--calibration MEDIA --name NAME', then 'cer-live bench --pack NAME'"
        ),
        "members": [],
    }


def _load(pack: runtime.Pack, precision: str, threads: int) -> tuple[list[Any], float | None]:
    """Every member's engine in one precision, and how much the process grew loading them (MB)."""
    before = rss_mb()
    options = runtime.BackendOptions(threads=threads, precision=precision)
    engines = [runtime.backends.create("onnxruntime", spec.source, options) for spec in pack.members]
    after = rss_mb()
    return engines, None if before is None or after is None else round(after - before, 1)


def _calls(engine: Any, batch: np.ndarray) -> int:
    engine.infer(batch)  # warm-up
    _, first = timed(lambda: engine.infer(batch))
    return int(max(3, min(50, BUDGET_MS / max(first, 0.01))))


def _interleaved(
    engines: dict[str, list[Any]], batches: list[np.ndarray], repeats: int, tick: Callable[[], None]
) -> dict[str, list[list[list[float]]]]:
    """ms per face: [precision][member][repeat] -> samples. fp32 and INT8 calls alternate one by
    one, and which goes first flips each call, so that drift in the machine's load hits both."""
    calls = [_calls(engines["fp32"][i], b) for i, b in enumerate(batches)]
    for i, batch in enumerate(batches):
        engines["int8"][i].infer(batch)  # warm-up
    times: dict[str, list[list[list[float]]]] = {p: [[] for _ in batches] for p in PRECISIONS}
    for _ in range(repeats):
        for i, batch in enumerate(batches):
            for p in PRECISIONS:
                times[p][i].append([])
            for k in range(calls[i]):
                for p in PRECISIONS if k % 2 == 0 else PRECISIONS[::-1]:
                    engine = engines[p][i]
                    times[p][i][-1].append(timed(lambda e=engine, x=batch: e.infer(x))[1] / len(batch))
        tick()
    return times


def _member_row(name: str, fp32: list[list[float]], int8: list[list[float]], agreement: Any) -> dict[str, Any]:
    a, b = summarise(fp32, "face"), summarise(int8, "face")
    return {
        "member": name,
        "fp32_ms_per_face": a,
        "int8_ms_per_face": b,
        "int8_speedup": ratio(a["p50"], b["p50"]),
        "agreement": agreement,  # the manifest's, measured when the pack was built
    }


def measure(ensemble: runtime.Ensemble, crops: list[np.ndarray], cfg: Any, tick: Callable[[], None]) -> dict[str, Any]:
    """fp32 and INT8 rows per member, with the manifest's agreement; `absent` when there is no INT8."""
    pack = ensemble.pack
    if any(spec.int8 is None for spec in pack.members):
        return absent(pack)
    tensors = sweeps.face_tensors(ensemble, crops)
    engines: dict[str, list[Any]] = {}
    growth: dict[str, float | None] = {}
    try:
        for p in PRECISIONS:
            engines[p], growth[p] = _load(pack, p, cfg.threads)
        batches = [np.ascontiguousarray(np.concatenate([t] * -(-BATCH // len(t)))[:BATCH]) for t in tensors]
        times = _interleaved(engines, batches, cfg.repeats, tick)
        both = rss_mb()
    finally:
        for group in engines.values():
            for engine in group:
                engine.close()
    manifest = {m["name"]: m for m in pack.manifest.get("members", [])}
    rows = [
        _member_row(
            spec.name,
            times["fp32"][i],
            times["int8"][i],
            (manifest.get(spec.name, {}).get("int8") or {}).get("agreement"),
        )
        for i, spec in enumerate(pack.members)
    ]
    fp32 = sum(r["fp32_ms_per_face"]["p50"] for r in rows)
    int8 = sum(r["int8_ms_per_face"]["p50"] for r in rows)
    return {
        "status": "measured",
        "note": f"every member in fp32 and INT8 on the CPU, batches of {BATCH} faces, calls alternating, same run",
        "batch": BATCH,
        "members": rows,
        "members_sum_ms_per_face": {"fp32": round(fp32, 4), "int8": round(int8, 4), "int8_speedup": ratio(fp32, int8)},
        "fused_agreement": (pack.manifest.get("int8") or {}).get("fused"),
        "rss_growth_on_load_mb": growth,
        "rss_mb_with_both_loaded": both,
        "rss_note": "each precision's growth of this process while its members loaded (fp32 first); "
        "a run loads only the precision it uses",
    }
