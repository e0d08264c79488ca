"""What a look at the pages' screenshots found, each fix driven in Debian's Chromium in both
languages and at both screen sizes: the comparison's figures read as numbers (10,000,000,
not 10000000); a policy's comment names the website it mentions, not its prefixed name."""

import re

import pytest
from live import SIZES, shot


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_comparison_groups_the_digits_of_its_figures(sized_page, live_server, lang: str,
                                                         size: str) -> None:
    sized_page.goto(live_server.url + "/compare")
    values = [v.inner_text() for v in sized_page.locator("span.number.value").all()]
    assert "10,000,000" in values
    assert [v for v in values if re.fullmatch(r"\d{5,}", v)] == []
    shot(sized_page, f"compare-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_policy_page_names_what_its_comment_mentions(sized_page, live_server, lang: str,
                                                       size: str) -> None:
    sized_page.goto(live_server.url + "/id/policy/guangdong-digital-government-master-plan.html")
    main = sized_page.locator("main").inner_text()
    assert "platform:guangdong-government-website" not in main
    link = sized_page.locator("table.statements span.literal a[href='/id/platform/"
                              "guangdong-government-website']").first
    assert link.inner_text() == "website of the Guangdong Provincial People's Government"
    assert sized_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(sized_page, f"policy-{lang}-{SIZES[size][0]}")
