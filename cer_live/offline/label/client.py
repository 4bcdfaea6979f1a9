"""The official `anthropic` SDK client: the key from the environment, attempts counted, errors in one line."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

from ...install import install_hint
from .errors import LabelError

KEY_VARIABLE = "ANTHROPIC_API_KEY"


def import_sdk() -> Any:
    try:
        import anthropic
    except ImportError as exc:
        raise LabelError(
            f"labelling needs the anthropic package ({exc.name} is missing): {install_hint('label')}"
        ) from exc
    return anthropic


def api_key() -> str:
    """Read when the command runs, never at import; it is held only by the client and the redactor."""
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        raise LabelError(
            f"{KEY_VARIABLE} is not set; export your Anthropic API key (or use --dry-run to estimate the cost)"
        )
    return key


class Redactor(logging.Filter):
    """Replaces the key in any text (log records with their tracebacks, error lines, stored
    errors and replies); a key never reaches a file or a terminal."""

    def __init__(self, secret: str = "") -> None:
        super().__init__()
        self.secret = secret

    def __call__(self, text: str) -> str:
        return text.replace(self.secret, "***") if self.secret else text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self(record.stack_info)
        return True


# The one redaction of this process: every error path, the store and every log handler use
# it. It learns the key when the command reads it (never at import).
REDACTOR = Redactor()


def redact(text: str) -> str:
    return REDACTOR(text)


class AttemptCounter:
    """HTTP requests actually sent (first tries and the SDK's retries), counted from the SDK's own HTTP client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.attempts = 0

    def hook(self, request: Any) -> None:
        with self._lock:
            self.attempts += 1


@dataclass(frozen=True)
class ClientSettings:
    max_retries: int = 4
    timeout_s: float = 60.0


def make_client(key: str, settings: ClientSettings, counter: AttemptCounter) -> Any:
    anthropic = import_sdk()
    http = anthropic.DefaultHttpxClient(event_hooks={"request": [counter.hook]})
    # base_url comes from ANTHROPIC_BASE_URL when set, as the SDK documents.
    return anthropic.Anthropic(
        api_key=key, max_retries=settings.max_retries, timeout=settings.timeout_s, http_client=http
    )


def fatal_message(exc: BaseException, model: str) -> str | None:
    """A one-line reason to stop the whole run (bad key, unknown model), or None for a per-request failure."""
    anthropic = import_sdk()
    if isinstance(exc, anthropic.AuthenticationError):
        return f"the Anthropic API rejected the key in {KEY_VARIABLE} (401); check or replace the key"
    if isinstance(exc, anthropic.PermissionDeniedError):
        return (
            f"the key in {KEY_VARIABLE} may not use this API or model (403); check the key's workspace and permissions"
        )
    if isinstance(exc, anthropic.NotFoundError):
        return f"model '{model}' was not found (404); give a current Claude vision model with --model, e.g. claude-sonnet-4-5"
    return None


def is_api_error(exc: BaseException) -> bool:
    return isinstance(exc, import_sdk().APIError)


def describe(exc: BaseException) -> str:
    """A short description of a per-request failure, for the store and the summary."""
    status = getattr(exc, "status_code", None)
    text = " ".join(redact(str(exc)).split())[:300]  # redacted first: a cut must not leave half a key
    return f"{type(exc).__name__}{f' {status}' if status else ''}: {text}"
