"""`cer-live evaluate`: an ABAW prediction CSV against labels, or a pack on a labelled set of crops."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ...install import install_hint
from ...validate import Range, check_all
from ..errors import EvaluateError

# The scoring modules load when the command runs: registering it imports nothing of the runtime.


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "evaluate", help="ABAW macro F1: a prediction CSV against labels, or a pack on a labelled dataset"
    )
    p.add_argument("csvs", nargs="*", metavar="CSV", help="PRED.csv LABELS.csv, both in the ABAW format")
    p.add_argument(
        "--va",
        nargs=2,
        type=Path,
        metavar=("FACES_CSV", "LABELS"),
        help="valence-arousal CCC: a run's NAME.faces.csv against an ABAW valence,arousal file",
    )
    p.add_argument("--pack", help="a pack name or folder to run on --data")
    p.add_argument(
        "--data", type=Path, help="labelled aligned crops: RAF-DB folder, `cer-live label` folder or class folders"
    )
    p.add_argument(
        "--split",
        choices=("all", "train", "val", "test"),
        default=None,
        help="which part of --data (default: test for RAF-DB, else all; a label set has no split)",
    )
    p.add_argument(
        "--format",
        choices=("auto", "rafdb", "labels", "folders"),
        default="auto",
        help="layout of --data (default auto)",
    )
    p.add_argument("--json", type=Path, help="write the report here (a new file)")
    p.add_argument("--plot", type=Path, help="write the confusion matrices here as PNG (a new file)")
    p.add_argument("--backend", default="onnxruntime", help="members' engine (default onnxruntime)")
    p.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    p.add_argument("--threads", type=int, default=2, help="inference threads per member (default 2)")
    p.add_argument("--batch", type=int, default=32, help="crops per batch (default 32)")


def run(args: argparse.Namespace, console: Console) -> int:
    from ..runtime import COMPOUND_CLASSES
    from .report import check_new, plot_confusions, write_json

    if args.va:
        return _va(args, console)
    if (
        bool(args.csvs) == bool(args.pack or args.data)
        or (args.csvs and len(args.csvs) != 2)
        or (bool(args.pack) != bool(args.data))
    ):
        raise EvaluateError("give either PRED.csv LABELS.csv, --pack P --data D, or --va FACES_CSV LABELS")
    check_new(args.json, args.plot)
    if args.plot:
        _need_matplotlib()
    if args.csvs:
        report, panels, title = _csv(Path(args.csvs[0]), Path(args.csvs[1]))
    else:
        report, panels, title = _pack(args, console)
    _print(panels, console)
    if args.json:
        write_json(args.json, report)
        console.print(f"report written to {args.json}", highlight=False)
    if args.plot:
        plot_confusions(panels, COMPOUND_CLASSES, args.plot, title)
        console.print(f"confusion matrices written to {args.plot}", highlight=False)
    return 0


def _va(args: argparse.Namespace, console: Console) -> int:
    from ... import PRODUCER
    from .report import check_new, write_json
    from .va import score_va

    if args.csvs or args.pack or args.data or args.plot:
        raise EvaluateError("--va takes FACES_CSV LABELS alone (with --json at most)")
    check_new(args.json)
    pred, labels = args.va
    scores = score_va(pred, labels)
    report = {"producer": PRODUCER, "predictions": str(pred), "labels": str(labels), **scores.as_dict()}
    table = Table(title="valence-arousal CCC (ABAW metric)", title_justify="left")
    for column in ("frames scored", "CCC valence", "CCC arousal", "mean"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{scores.scored} of {scores.labelled}", f"{scores.valence:.4f}", f"{scores.arousal:.4f}", f"{scores.mean:.4f}"
    )
    (Console() if Console().is_terminal else Console(width=160)).print(table)
    if args.json:
        write_json(args.json, report)
        console.print(f"report written to {args.json}", highlight=False)
    return 0


def _need_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise EvaluateError(f"--plot needs matplotlib: {install_hint('train')}") from None


def _csv(pred: Path, labels: Path) -> tuple[dict, dict[str, Any], str]:
    from ... import PRODUCER
    from ..runtime import COMPOUND_CLASSES
    from .abaw_csv import score_csv

    result = score_csv(pred, labels)
    report = {
        "producer": PRODUCER,
        "predictions": str(pred),
        "labels": str(labels),
        "frames": {
            "labelled": result.labelled,
            "predicted": result.predicted,
            "extra_predictions": result.extra,
            "unlabelled": result.unlabelled,
        },
        "scores": result.scores.as_dict(COMPOUND_CLASSES),
    }
    return report, {pred.name: result.scores}, f"{pred.name} vs {labels.name}"


def _pack(args: argparse.Namespace, console: Console) -> tuple[dict, dict[str, Any], str]:
    from ... import PRODUCER
    from ..datasets.open import detect_format, keep_readable, open_dataset
    from ..runtime import COMPOUND_CLASSES, BackendOptions, load_pack
    from .pack_eval import member_probs, score_pack

    check_all(
        (
            ("--batch", args.batch, Range(1, 4096, "crops", integer=True)),
            ("--threads", args.threads, Range(1, 256, "threads", integer=True)),
        ),
        EvaluateError,
    )
    pack = load_pack(args.pack)
    rafdb = args.format == "rafdb" or (
        args.format == "auto" and args.data.exists() and detect_format(args.data) == "rafdb"
    )
    split = args.split or ("test" if rafdb else "all")
    data = open_dataset(args.data, split, args.format)
    with _progress(console) as progress:
        task = progress.add_task("checking images", total=len(data.items))
        data = keep_readable(data, lambda: progress.advance(task))
        task = progress.add_task(f"scoring {pack.name}", total=len(data.items))
        options = BackendOptions(threads=args.threads, device=args.device)
        probs = member_probs(pack, data, args.backend, options, args.batch, lambda n: progress.advance(task, n))
    scores = score_pack(pack, data, probs)
    report = {
        "producer": PRODUCER,
        "pack": pack.name,
        "pack_path": str(pack.path),
        "data": data.name,
        "images": len(data.items),
        "counts": dict(zip(COMPOUND_CLASSES, data.counts().tolist(), strict=False)),
        "skipped": data.skipped,
        "note": "crops are taken as aligned; they are only resized to each member's input size",
        "members": {k: v.as_dict(COMPOUND_CLASSES) for k, v in scores.members.items()},
        "fusion": {k: v.as_dict(COMPOUND_CLASSES) for k, v in scores.fusion.items()},
        "pack_fusion": scores.pack_rule,
    }
    panels = {**scores.members, **{f"fusion {k}": v for k, v in scores.fusion.items()}}
    return report, panels, f"pack {pack.name} on {data.name}"


def _progress(console: Console) -> Progress:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    return Progress(*columns, console=console, transient=True)


def _print(panels: dict[str, Any], console: Console) -> None:
    from ..runtime import COMPOUND_CLASSES

    out = Console() if Console().is_terminal else Console(width=160)
    table = Table(title="macro F1 over the 7 ABAW classes (absent classes count 0)", title_justify="left")
    for column in ("scored", "macro F1", "accuracy", *[c.replace(" ", "\n") for c in COMPOUND_CLASSES]):
        table.add_column(column, justify="left" if column == "scored" else "right")
    for name, s in panels.items():
        table.add_row(name, f"{s.macro_f1:.4f}", f"{s.accuracy:.4f}", *[f"{v:.3f}" for v in s.per_class_f1])
    out.print(table)
