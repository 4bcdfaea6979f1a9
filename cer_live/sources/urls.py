"""What a SOURCE string names, and URLs with their credentials redacted for printing."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https")
_SECRET_KEYS = re.compile(r"pass|pwd|token|key|secret|auth|sig", re.IGNORECASE)
_URL_LIKE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DEVICE = re.compile(r"^/dev/video\d+$")


def kind_of(spec: str) -> str:
    """'webcam', 'stream', 'url' (a scheme we do not read) or 'path'."""
    if spec.isdigit() or _DEVICE.match(spec):
        return "webcam"
    if _URL_LIKE.match(spec):
        return "stream" if urlsplit(spec).scheme.lower() in STREAM_SCHEMES else "url"
    return "path"


def redact(text: str) -> str:
    """A URL with user, password and secret-looking query values replaced by '***'."""
    if not _URL_LIKE.match(text):
        return text
    parts = urlsplit(text)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = [(k, "***" if _SECRET_KEYS.search(k) else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        query = urlencode(pairs, safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_all(message: str) -> str:
    """Every URL inside a free-text message redacted (for errors and logs)."""
    return re.sub(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+", lambda m: redact(m.group(0)), message)
