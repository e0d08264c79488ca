"""Every visible string of a page is in the page's language, in Debian's Chromium against
``govkg serve``: ``language_probe.js`` reads what is drawn and reports text in the other
language that is not marked as such (a data label the data lacks in the page's language
is marked with its own ``lang`` and passes)."""

from pathlib import Path

import pytest

PROBE = (Path(__file__).parent / "language_probe.js").read_text(encoding="utf-8")
PAGES = ["/", "/provinces/guangdong", "/id/platform/yueshengshi.html",
         "/id/figure/guangdong-yueshengshi-first-day-users.html", "/figures", "/timeline",
         "/compare", "/search?q=政务", "/classes/", "/classes/gk:Event", "/entities/",
         "/dumps/", "/validation", "/sparql"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_visible_text_is_in_the_pages_language(page, live_server, lang: str) -> None:
    page.goto(f"{live_server.url}/lang/{lang}?next=/")
    faults = []
    for path in PAGES:
        page.goto(live_server.url + path)
        faults += [f"{path}: {text}" for text in page.evaluate(PROBE)]
    assert faults == [], "\n".join(faults)
