"""Allowed hosts (400 for any other Host) and trusted proxies (their forwarded client and
scheme believed, nobody else's)."""

import pytest
from werkzeug.test import Client, EnvironBuilder

from govkg.web.app import create_app
from govkg.web.forwarded import TrustedProxies, parse_networks


def seen(proxies: str, remote: str, headers: dict[str, str]) -> tuple[str, str]:
    """The client address and scheme the app sees behind ``TrustedProxies``."""
    captured = {}

    def app(environ, start_response):
        captured.update(environ)
        start_response("204 No Content", [])
        return []

    wrapped = TrustedProxies(app, parse_networks(proxies))
    environ = EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": remote}).get_environ()
    wrapped(environ, lambda *args: None)
    return captured["REMOTE_ADDR"], captured["wsgi.url_scheme"]


def test_forwarded_headers_from_anyone_else_are_ignored():
    spoofed = {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https",
               "Forwarded": "for=5.6.7.8;proto=https"}
    assert seen("", "203.0.113.9", spoofed) == ("203.0.113.9", "http")
    assert seen("10.0.0.0/8", "203.0.113.9", spoofed) == ("203.0.113.9", "http")


def test_a_trusted_proxy_names_the_client_and_scheme():
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    assert seen("10.0.0.0/8", "10.1.2.3", headers) == ("198.51.100.7", "https")


def test_the_chain_is_read_from_the_right_past_trusted_proxies_only():
    # the client may send its own X-Forwarded-For: only what trusted hops added counts
    headers = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.2"}
    assert seen("10.0.0.0/8", "10.0.0.1", headers)[0] == "198.51.100.7"


def test_the_standard_forwarded_header_is_read_too():
    headers = {"Forwarded": 'for="[2001:db8::7]:4711";proto=https, for=10.0.0.2'}
    assert seen("10.0.0.0/8 ::1", "::1", headers) == ("2001:db8::7", "https")


def test_a_bad_proxy_address_is_refused():
    with pytest.raises(ValueError):
        parse_networks("10.0.0.300")


@pytest.fixture(scope="module")
def hosted(settings):
    app = create_app({**settings, "allowed_hosts": "data.example.org .example.net"})
    yield Client(app)


@pytest.mark.parametrize(("host", "status"), [
    ("data.example.org", 200), ("data.example.org:8443", 200), ("a.example.net", 200),
    ("evil.example", 400), ("data.example.org.evil.example", 400),
])
def test_only_allowed_hosts_are_answered(hosted, host, status):
    response = hosted.get("/robots.txt", headers={"Host": host})
    assert response.status_code == status
    if status == 200:
        assert "evil" not in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["10.0.0.5:8000", "[fd00::5]:8000", "evil.example"])
def test_health_probes_are_answered_for_any_host(hosted, host):
    """Load balancers and orchestrators probe by address, not by the public name: /health
    and /$/ping are answered before the allowed-hosts check, everything else is not."""
    for path in ("/health", "/$/ping"):
        assert hosted.get(path, headers={"Host": host}).status_code == 200
    assert hosted.get("/health", headers={"Host": host}).get_data() == b"ok\n"
    assert hosted.get("/robots.txt", headers={"Host": host}).status_code == 400
