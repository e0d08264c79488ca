"""An automated accessibility check: axe-core (from npm, ``js/node_modules``; ``cd js && npm
ci`` installs it) run in Debian's Chromium on the main pages, in both languages and at both
sizes, reports no serious or critical violation (WCAG 2 A and AA rules)."""

import os
from pathlib import Path

import pytest
from live import SIZES

AXE = Path(__file__).resolve().parents[2] / "js" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/", "/provinces/guangdong", "/id/platform/yueshengshi.html",
         "/id/figure/guangdong-yueshengshi-first-day-users.html", "/figures", "/timeline",
         "/compare", "/search?q=政务", "/classes/", "/ontology", "/dumps/",
         "/sparql?query=SELECT%20%3Fp%20WHERE%20%7B%20%3Fp%20a%20gk%3AProvince%20%7D"]
RUN = """async () => {
  const result = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21aa"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => `${v.id}: ${v.help} (${v.nodes.length}) e.g. ${v.nodes[0].target.join(" ")}`);
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing: run `cd js && npm ci`")
        pytest.skip("axe-core is not installed (cd js && npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_serious_accessibility_violations(browser, live_server, axe_source: str,
                                             lang: str, size: str) -> None:
    width, height = SIZES[size]
    # the pages' Content-Security-Policy forbids injected scripts; axe is the tester's own
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next=/")
        found = []
        for path in PAGES:
            page.goto(live_server.url + path)
            if path.startswith("/sparql"):
                page.locator("#results .summary").wait_for()
            page.add_script_tag(content=axe_source)
            found += [f"{path}: {v}" for v in page.evaluate(RUN)]
        assert found == [], "\n".join(found)
    finally:
        context.close()
