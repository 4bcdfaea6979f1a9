"""`--serve [HOST:]PORT` and its token rule, checked with the rest of a run's settings."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..errors import CerLiveError

DEFAULT_HOST = "127.0.0.1"
MIN_TOKEN = 16


@dataclass(frozen=True)
class ServeAddress:
    host: str
    port: int  # 0: any free port (the log says which)

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False  # a host name: it may resolve anywhere

    @property
    def url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host


def parse_serve(value: str) -> ServeAddress:
    """'8080', '0.0.0.0:8080' or '[::1]:8080'."""
    text = value.strip()
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or DEFAULT_HOST
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise CerLiveError(f"bad --serve '{value}'; give [HOST:]PORT, e.g. 8080 or 0.0.0.0:8080")
    return ServeAddress(host, int(port))


def check_token(address: ServeAddress, token: str | None) -> None:
    """Any address but loopback needs a token that every request must carry."""
    if token is not None and len(token) < MIN_TOKEN:
        raise CerLiveError(
            f"--serve-token is too short; give at least {MIN_TOKEN} characters (e.g. from 'openssl rand -hex 16')"
        )
    if token is None and not address.loopback:
        raise CerLiveError(
            f"--serve {address.host}:{address.port} is reachable from other machines; give --serve-token TOKEN "
            "(or set CER_LIVE_SERVE_TOKEN), or serve on 127.0.0.1"
        )
