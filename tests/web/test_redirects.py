"""The language switch's ``next=``: a path on this site only, as a browser would read it;
and its cookie, ``Secure`` when the site is reached over HTTPS."""

import pytest


@pytest.mark.parametrize("target", [
    "/\t/evil.example/phish",  # a browser drops the tab: //evil.example/phish
    "/\n/evil.example/", "/\r/evil.example/", "\t//evil.example/",
    "/\r\nSet-Cookie: x=1", "/\\/evil.example/", "https:evil.example", "//evil.example",
    "javascript:alert(1)", "evil.example",
])
def test_the_switch_goes_home_for_anything_but_a_site_path(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_encoded_tab_from_the_report_goes_home(client):
    response = client.get("/lang/en?next=/%09/evil.example/phish")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/provinces/", "/search?q=a%20b", "/id/platform/x#top"])
def test_a_site_path_is_kept(client, target):
    assert client.get("/lang/zh", query_string={"next": target}).headers["Location"] == target


def test_the_cookie_is_secure_over_https_only(client):
    plain = client.get("/lang/zh?next=/").headers["Set-Cookie"]
    secure = client.get("/lang/zh?next=/", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" not in plain
    assert "Secure" in secure and "HttpOnly" in secure
