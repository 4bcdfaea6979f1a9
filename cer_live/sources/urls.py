"""What a SOURCE string names, and URLs with their credentials redacted for printing."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import SourceError

STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https")
_SECRET_KEYS = re.compile(r"pass|pwd|token|key|secret|auth|sig", re.IGNORECASE)
_URL_LIKE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DEVICE = re.compile(r"^/dev/video\d+$")
# A secret in a path parameter: '/stream;password=X', '/user=admin_password=X_channel=1'.
# The value ends at the next '_name=' or separator, so a value holding '_' is still hidden.
_PATH_SECRET = re.compile(
    r"((?:^|[/;,&_])[a-zA-Z-]*(?:pass|pwd|token|key|secret|auth|sig)[a-zA-Z-]*=)(?:.*?)(?=_[a-zA-Z]+=|[/;,&]|$)",
    re.IGNORECASE,
)


def kind_of(spec: str) -> str:
    """'webcam', 'stream', 'url' (a scheme we do not read) or 'path'."""
    if spec.isdigit() or _DEVICE.match(spec):
        return "webcam"
    if _URL_LIKE.match(spec):
        return "stream" if spec.split("://", 1)[0].lower() in STREAM_SCHEMES else "url"
    return "path"


def redact(text: str) -> str:
    """A URL with user, password and secret-looking query and path-parameter values replaced by '***'."""
    if not _URL_LIKE.match(text):
        return text
    scheme, rest = text.split("://", 1)
    try:
        netloc = urlsplit(text).netloc
    except ValueError:  # e.g. an unclosed '[': nothing after the scheme can be trusted to be harmless
        return f"{scheme}://***"
    if "@" not in netloc and "@" in rest:
        # A password holding '/', '?' or '#' ends the host early: 'rtsp://admin:Pa/ss@host'.
        # Everything up to the last '@' may be part of it.
        rest = "***@" + rest.rsplit("@", 1)[1]
    parts = urlsplit(f"{scheme}://{rest}")
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = [(k, "***" if _SECRET_KEYS.search(k) else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        query = urlencode(pairs, safe="*")
    path = _PATH_SECRET.sub(r"\1***", parts.path)
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def check_url(spec: str) -> None:
    """A stream URL's host and port must be readable; a one-line SourceError (credentials
    redacted) names what is wrong otherwise."""
    fix = (
        "give SCHEME://[USER:PASSWORD@]HOST[:PORT]/PATH and percent-encode '/', '?', '#', '@' and ':' "
        "in a user name or password (e.g. '/' as %2F)"
    )
    try:
        parts = urlsplit(spec)
        port = parts.port
    except ValueError:
        port = -1
    if port == -1:
        raise SourceError(f"stream URL '{redact(spec)}' has a malformed host or port; {fix}")
    if not parts.hostname:
        raise SourceError(f"stream URL '{redact(spec)}' names no host; {fix}")


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
