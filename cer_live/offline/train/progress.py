"""Rich progress for a training run on the main process; silent on the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class TrainProgress:
    def __init__(self, console: Console, enabled: bool) -> None:
        self.console = console
        self.enabled = enabled
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> TrainProgress:
        if self.enabled:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def phase(self, description: str, total: int) -> Callable[[], None]:
        """A fresh bar for one loop; returns the callable that advances it."""
        if self._bar is None:
            return lambda: None
        if self._task is not None:
            self._bar.remove_task(self._task)
        task = self._task = self._bar.add_task(description, total=total)
        bar = self._bar
        return lambda: bar.advance(task)

    def epoch_done(self, entry: dict[str, Any]) -> None:
        if not self.enabled:
            return
        parts = [
            f"{arch} loss {m['train_loss']:.4f} val F1 {m['val_macro_f1']:.3f}" for arch, m in entry["members"].items()
        ]
        self.console.print(f"epoch {entry['epoch']} ({entry['seconds']:.1f} s): " + " | ".join(parts), highlight=False)
