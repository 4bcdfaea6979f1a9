"""What the command prints at the end: labels, agreement, parse failures, requests and cost; or the dry-run estimate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ... import PRODUCER
from .cost import Price
from .messages import Job


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=120)


def print_summary(counts: dict[str, Any], out: Path) -> None:
    console = _console()
    table = Table(title=f"{PRODUCER} label summary", title_justify="left")
    table.add_column("label")
    table.add_column("frames", justify="right")
    for name, n in counts["label_distribution"].items():
        table.add_row(name, str(n))
    table.add_row("(no label)", str(counts["unlabelled"]))
    console.print(table)
    requests = counts["requests"]
    cost = counts["cost"]
    lines = [
        f"frames {counts['frames']}, with a crop {counts['with_crop']}, own label {counts['own_label']}, filled {counts['filled']}",
        f"status {counts['status']}",
        f"replies {counts['replies']}, parse failures {counts['parse_failures']}",
        f"requests needed {requests['needed']}, answered {requests.get('answered', 0)}, failed {requests.get('failed', 0)}, "
        f"HTTP attempts {requests['http_attempts']}"
        + (f", retries {requests['retries']}" if "retries" in requests else ""),
        f"tokens in {cost['input_tokens']}, out {cost['output_tokens']}, cost ${cost['usd']:.4f}"
        + (f" (prices of {cost['prices']['date']})" if cost["prices"] else " (no price known for this model)"),
    ]
    if "agreement" in counts:
        a = counts["agreement"]
        lines.append(f"prompts agree on {a['agree']}, disagree on {a['disagree']} (rate {a['rate']})")
    pending = counts["status"].get("pending", 0)
    if pending:
        lines.append(
            f"{pending} frame(s) still wait for a reply (failed, or not sent yet); rerun the same command to ask again"
        )
    if requests.get("stopped_by_budget"):
        lines.append("stopped before --max-cost would be passed; rerun with a higher budget to continue")
    if requests.get("batches_open"):
        lines.append(f"batches still open: {', '.join(requests['batches_open'])}; rerun to collect them")
    lines.append(f"outputs in {out}/ (labels.csv, labels.meta.json, replies.jsonl, frames.csv, crops/)")
    for line in lines:
        console.print(line, highlight=False)


def print_estimate(jobs: list[Job], price: Price | None, max_tokens: int, model: str) -> None:
    console = _console()
    tokens_in = sum(j.est_input_tokens for j in jobs)
    typical_out = 10 * len(jobs)  # a class name, or a short sentence
    console.print(f"dry run: {len(jobs)} request(s) to {model}, about {tokens_in} input tokens", highlight=False)
    if price is None:
        console.print(f"no price known for '{model}'; give --prices FILE for an estimate", highlight=False)
        return
    for mode, batch in (("sync", False), ("batch", True)):
        typical = price.cost(tokens_in, typical_out, batch)
        worst = price.cost(tokens_in, max_tokens * len(jobs), batch)
        console.print(f"{mode}: about ${typical:.4f}, at most ${worst:.4f} (prices of {price.date})", highlight=False)
