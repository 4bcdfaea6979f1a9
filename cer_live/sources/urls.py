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


# Quotes, backticks and angle brackets are never part of a URL (RFC 3986 has them encoded).
_IN_PROSE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"`<>]+")
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}
_TRAILING = "'\"`,.;:!?" + "".join(_CLOSERS)


def _url_end(text: str) -> int:
    """Where a URL found in prose ends: quotes and punctuation after it belong to the prose,
    and so does a closing bracket that the URL did not open."""
    end = len(text)
    while end > 0 and text[end - 1] in _TRAILING:
        ch = text[end - 1]
        if ch in _CLOSERS and text[:end].count(_CLOSERS[ch]) >= text[:end].count(ch):
            break  # balanced inside the URL, e.g. /clip_(1)
        end -= 1
    return end


def _redact_found(match: re.Match[str]) -> str:
    found = match.group(0)
    end = _url_end(found)
    return redact(found[:end]) + found[end:]


def redact_all(message: str) -> str:
    """Every URL inside a free-text message redacted (for errors and logs)."""
    return _IN_PROSE.sub(_redact_found, message)
