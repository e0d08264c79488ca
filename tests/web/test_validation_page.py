"""``/validation`` reports on the data as served: it conforms, and a store too big to check
says so and why instead of claiming anything."""

import pytest

from govkg import validate
from govkg.web.app import create_app


def test_the_served_data_conforms(client) -> None:
    page = client.get("/validation", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "The asserted graphs as served checked against" in page
    assert "The data conforms to the shapes." in page and "Not checked" not in page


def test_a_store_too_big_to_check_says_why(settings: dict, tmp_path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "MAX_VALIDATED_QUADS", 100)
    app = create_app({**settings, "cache_dir": str(tmp_path)})
    for language, words in (("en", "Not checked: the store holds more than 100 asserted"),
                            ("zh", "未检查：存储中陈述的语句超过 100 条")):
        page = app.test_client().get("/validation", headers={
            "Accept": "text/html", "Accept-Language": language}).get_data(as_text=True)
        assert words in page and "conforms to the shapes" not in page


@pytest.mark.parametrize(("lang", "name", "description", "absent"), [
    ("zh", "带标签的实体", "数据描述的每个实体至少有一个中文（@zh）", "Labelled entity"),
    ("en", "Labelled entity", "Every entity the data describes has at least one", "带标签的实体"),
])
def test_the_shapes_page_names_and_describes_shapes_in_the_page_language(
        client, lang: str, name: str, description: str, absent: str) -> None:
    page = client.get("/shapes", headers={"Accept": "text/html", "Accept-Language": lang}
                      ).get_data(as_text=True)
    assert f'<h3><span lang="{lang}">{name}</span> <code>gks:LabelledEntityShape</code>' in page
    assert f'<p class="definition" lang="{lang}">{description}' in page
    assert absent not in page and "(only in English)" not in page and "（仅有" not in page
