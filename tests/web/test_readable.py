"""Numbers, units, qualifiers and dates as a reader reads them (``govkg.web.readable``)."""

import pytest

from govkg.web.readable import amount, date_text, grouped, literal_text, magnitude

XSD = "http://www.w3.org/2001/XMLSchema#"
UNIT = "http://qudt.org/vocab/unit/"
MORE_THAN = "https://w3id.org/govkg/ontology#MoreThan"
EXACTLY = "https://w3id.org/govkg/ontology#Exactly"


@pytest.mark.parametrize(("text", "expected"), [
    ("19000000000", "19,000,000,000"), ("14500", "14,500"), ("-1200", "-1,200"),
    ("999", "999"), ("1234.56", "1,234.56"), ("ten", "ten")])
def test_digits_are_grouped(text: str, expected: str) -> None:
    assert grouped(text) == expected


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("10000000", "zh", "1000万"), ("19000000000", "zh", "190亿"), ("14500", "zh", "1.45万"),
    ("9999", "zh", ""), ("123456789", "zh", ""), ("10000000", "en", "10 million"),
    ("19000000000", "en", "19 billion"), ("14500", "en", "")])
def test_large_numbers_get_the_short_form_only_when_exact(text: str, lang: str,
                                                          expected: str) -> None:
    assert magnitude(text, lang) == expected


@pytest.mark.parametrize(("text", "datatype", "lang", "expected"), [
    ("2018-05", "gYearMonth", "zh", "2018年5月"), ("2018-05", "gYearMonth", "en", "May 2018"),
    ("2019", "gYear", "zh", "2019年"), ("2019", "gYear", "en", "2019"),
    ("2018-05-21", "date", "zh", "2018年5月21日"), ("2018-05-21", "date", "en", "21 May 2018"),
    ("2018-13", "gYearMonth", "en", "2018-13")])
def test_dates_read_by_their_precision(text: str, datatype: str, lang: str,
                                       expected: str) -> None:
    assert date_text(text, XSD + datatype, lang) == expected


def test_a_figure_reads_with_its_qualifier_and_exact_number() -> None:
    assert amount("10000000", UNIT + "NUM", "超过", MORE_THAN, "zh").text("zh") \
        == "超过1000万（10,000,000）"
    assert amount("10000000", UNIT + "NUM", "more than", MORE_THAN, "en").text("en") \
        == "more than 10 million (10,000,000)"
    assert amount("24", UNIT + "HR", "确切", EXACTLY, "zh").text("zh") == "24小时"
    assert amount("95", UNIT + "PERCENT", "", "", "en").text("en") == "95%"


def test_plain_strings_are_left_alone() -> None:
    assert literal_text("100", XSD + "string", "en") == "100"
    assert literal_text("100000", XSD + "integer", "en") == "100,000"
