"""Tables read whole on phones and desktops, in Debian's Chromium against ``govkg serve``.

On every page of a bounded crawl from the home page (plus one page of each kind), at
1366×900 and 390×844 and in both languages, no table cell is narrower than its longest
word and no word or number is broken across lines (``layout_probe.js`` measures both with
the layout the browser drew); nor does any page scroll sideways as a whole.
"""

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from live import SIZES, shot

PROBE = (Path(__file__).parent / "layout_probe.js").read_text(encoding="utf-8")
SEEDS = ["/", "/provinces/guangdong", "/id/platform/yueshengshi.html",
         "/id/figure/guangdong-yueshengshi-first-day-users.html", "/figures", "/timeline",
         "/compare", "/search?q=政务", "/classes/", "/classes/gk:Platform", "/entities/",
         "/validation", "/dumps/", "/ontology", "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2020"]
MAX_PAGES = 40  # the seeds and the first pages linked from them


def crawl_paths(page, base: str) -> list[str]:
    """The seeds, then same-site HTML pages linked from them, up to ``MAX_PAGES``."""
    paths = list(SEEDS)
    for seed in SEEDS[:3]:
        page.goto(base + seed)
        for href in page.eval_on_selector_all("main a[href]", "as => as.map(a => a.href)"):
            parts = urlsplit(urljoin(base, href))
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if (parts.netloc == urlsplit(base).netloc and path not in paths
                    and not path.startswith(("/dumps/", "/sparql", "/lang/"))
                    and path.rpartition(".")[2] not in ("ttl", "nt", "nq", "trig", "rdf",
                                                       "jsonld", "json", "csv", "xml")):
                paths.append(path)
            if len(paths) >= MAX_PAGES:
                return paths
    return paths


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES)
def test_table_cells_keep_whole_words(browser, live_server, size: str, lang: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/lang/{lang}?next=/")
    faults = []
    for path in crawl_paths(page, live_server.url):
        page.goto(live_server.url + path)
        faults += [f"{path}: {fault}" for fault in page.evaluate(PROBE)]
        if page.evaluate("document.documentElement.scrollWidth") > width + 1:
            faults.append(f"{path}: the page scrolls sideways")
        if path in ("/provinces/guangdong", "/figures"):
            shot(page, f"layout-{path.strip('/').replace('/', '-')}-{lang}-{width}")
    context.close()
    assert faults == [], "\n".join(faults)
