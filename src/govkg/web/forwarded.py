"""The client behind a reverse proxy: ``X-Forwarded-For`` / ``Forwarded`` and the scheme,
honoured only when the request comes from a proxy the operator trusts.

Behind nginx every request comes from the proxy's address, so every client would share
one client's query slots. ``TrustedProxies`` (WSGI middleware) reads the forwarded chain
from the right, skipping the trusted proxies, and takes the first address that is not one
of them as ``REMOTE_ADDR`` (the address a trusted proxy saw); the scheme (``X-Forwarded-
Proto`` or ``Forwarded: proto=``) sets ``wsgi.url_scheme``. From any other peer these
headers are ignored, as werkzeug's ``ProxyFix`` would not know to: it trusts a fixed
number of hops from whoever connects.
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ADDRESSES_KEPT = 4096  # verdicts remembered (about 2 µs each to make; a request asks up to 3)
_FORWARDED_PAIR = re.compile(r'(?i)\b(for|proto)\s*=\s*("[^"]*"|[^;,\s]*)')


def parse_networks(value: str | Iterable[str] | None) -> list[Network]:
    """Addresses and networks (``10.0.0.1``, ``10.0.0.0/8``, ``::1``); ``ValueError`` for
    anything else."""
    items = value.split() if isinstance(value, str) else list(value or ())
    return [ipaddress.ip_network(item.replace(",", ""), strict=False) for item in items
            if item.replace(",", "")]


class TrustedProxies:
    """WSGI middleware: the client and scheme a trusted proxy forwarded, else nothing."""

    def __init__(self, app: Callable, networks: list[Network]) -> None:
        self.app = app
        self.networks = networks
        self._verdicts: dict[str, bool] = {}  # address → trusted; the same few come again

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.networks and self.trusted(environ.get("REMOTE_ADDR", "")):
            self.take_forwarded(environ)
        return self.app(environ, start_response)

    def trusted(self, address: str) -> bool:
        verdict = self._verdicts.get(address)
        if verdict is None:
            if len(self._verdicts) >= ADDRESSES_KEPT:
                self._verdicts.clear()
            verdict = self._verdicts[address] = self._in_networks(address)
        return verdict

    def _in_networks(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip("[]"))
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def take_forwarded(self, environ: dict) -> None:
        chain, schemes = _forwarded(environ)
        for address in reversed(chain):
            if not self.trusted(address):
                environ["govkg.proxy_addr"] = environ.get("REMOTE_ADDR")
                environ["REMOTE_ADDR"] = address
                break
        if schemes and schemes[-1] in ("http", "https"):
            environ["wsgi.url_scheme"] = schemes[-1]


def _forwarded(environ: dict) -> tuple[list[str], list[str]]:
    """The forwarded client addresses (nearest last) and schemes: from ``Forwarded`` when
    it is sent, else from ``X-Forwarded-For`` and ``X-Forwarded-Proto``."""
    header = environ.get("HTTP_FORWARDED")
    if header:
        chain, schemes = [], []
        for name, value in _FORWARDED_PAIR.findall(header):
            value = value.strip('"')
            if name.lower() == "for":
                chain.append(_host_only(value))
            else:
                schemes.append(value.lower())
        return chain, schemes
    chain = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
             if part.strip()]
    proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
    return chain, [proto] if proto else []


def _host_only(node: str) -> str:
    """``for=`` without its port: ``"[2001:db8::1]:80"`` → ``2001:db8::1``."""
    if node.startswith("["):
        return node[1:node.find("]")] if "]" in node else node
    return node.split(":")[0] if node.count(":") == 1 else node


def apply(app: Any, value: str | None) -> None:
    """Wrap ``app``'s WSGI callable when the settings name trusted proxies."""
    networks = parse_networks(value)
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)
