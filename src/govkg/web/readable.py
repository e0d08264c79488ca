"""How numbers, units, qualifiers and dates read on a page, in the page's language.

Numbers are grouped by thousands (``19,000,000,000``); on Chinese pages a large number
also gets the 万/亿 form the report itself writes (``190亿``), shown beside the exact
number, never instead of it. Dates read by their precision: ``"2019-11"^^xsd:gYearMonth``
is 2019年11月 or November 2019, never a day that was not given. QUDT's unit labels are not
in the store, so the units the data uses are named here.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_TYPES = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long",
                                   "nonNegativeInteger", "positiveInteger", "short")}
DATE_TYPES = {XSD + t for t in ("gYear", "gYearMonth", "date", "dateTime")}
QUDT_UNIT = "http://qudt.org/vocab/unit/"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# Chinese magnitudes: 亿 = 10^8, 万 = 10^4 (the report writes 1000万, 190多亿).
CHINESE_MAGNITUDES = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
ENGLISH_MAGNITUDES = ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million"))


def parse_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def grouped(text: str) -> str:
    """``19000000000`` → ``19,000,000,000``; decimals keep their digits; non-numbers as given."""
    number = parse_number(text)
    if number is None:
        return text
    whole, _, fraction = text.strip().lstrip("+").partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if not digits.isdigit():  # exponent notation and the like: as written
        return text
    return f"{sign}{int(digits):,}" + (f".{fraction}" if fraction else "")


def _plain(number: Decimal) -> str:
    """A short decimal without trailing zeros: 190, 1.45, 0.5."""
    text = f"{number.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text or "0"


def magnitude(text: str, lang: str) -> str:
    """The 万/亿 form on Chinese pages (``1000万``), million/billion on English ones; "" when
    the number is small or has no short form that is exact to two decimals."""
    number = parse_number(text)
    if number is None:
        return ""
    scales = CHINESE_MAGNITUDES if lang == "zh" else ENGLISH_MAGNITUDES
    for scale, word in scales:
        if abs(number) >= scale:
            short = number / scale
            if short != short.quantize(Decimal("0.01")):
                return ""
            return f"{_plain(short)}{word}" if lang == "zh" else f"{_plain(short)} {word}"
    return ""


def unit_word(unit_iri: str, lang: str) -> str:
    """A unit as a word in the page's language; "" for a bare count (unit:NUM)."""
    key = unit_iri.removeprefix(QUDT_UNIT)
    words = {"NUM": ("", ""), "PERCENT": ("%", "%"), "HR": ("小时", "hours"),
             "YR": ("年", "years"), "DAY": ("天", "days"), "MIN": ("分钟", "minutes"),
             "SEC": ("秒", "seconds"), "MO": ("个月", "months")}
    if key in words:
        return words[key][0 if lang == "zh" else 1]
    return key if unit_iri.startswith(QUDT_UNIT) else unit_iri


def date_text(text: str, datatype: str, lang: str) -> str:
    """A date by its precision: 2019年11月 / November 2019; 2018年5月20日 / 20 May 2018."""
    kind = datatype.removeprefix(XSD)
    parts = text.split("T")[0].split("-")
    try:
        if kind == "gYear" and len(parts) == 1:
            year = int(parts[0])
            return f"{year}年" if lang == "zh" else str(year)
        if kind == "gYearMonth" and len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            return f"{year}年{month}月" if lang == "zh" else f"{MONTHS[month - 1]} {year}"
        if kind in ("date", "dateTime") and len(parts) == 3:
            year, month, day = (int(p[:2]) if i == 2 else int(p) for i, p in enumerate(parts))
            return (f"{year}年{month}月{day}日" if lang == "zh"
                    else f"{day} {MONTHS[month - 1]} {year}")
    except (ValueError, IndexError):
        pass
    return text


def literal_text(text: str, datatype_iri: str, lang: str) -> str:
    """A typed literal as a reader reads it: numbers grouped, dates by precision."""
    if datatype_iri in NUMERIC_TYPES:
        return grouped(text)
    if datatype_iri in DATE_TYPES:
        return date_text(text, datatype_iri, lang)
    return text


@dataclass(frozen=True)
class Amount:
    """A figure's value as read: qualifier, number, its 万/亿 or million form, and unit."""

    qualifier: str  # in words: 超过 / more than; "" when exact or not given
    exact: str  # grouped digits: 10,000,000
    short: str  # 1000万 / 10 million, or ""
    unit: str  # %, 小时, hours …; "" for counts

    def brief(self, lang: str) -> str:
        """Without the exact number beside the short form: ``超过1000万`` (for charts)."""
        return Amount(self.qualifier, self.short or self.exact, "", self.unit).text(lang)

    def text(self, lang: str) -> str:
        """``超过1000万（10,000,000）`` / ``more than 10 million (10,000,000)``."""
        number = self.short or self.exact
        glue = "" if lang == "zh" else " "
        unit = self.unit
        if unit and unit != "%":
            number = f"{number}{glue}{unit}"
        elif unit:
            number += unit
        said = f"{self.qualifier}{glue}{number}" if self.qualifier else number
        if self.short:
            said += f"（{self.exact}）" if lang == "zh" else f" ({self.exact})"
        return said


def amount(value: str, unit_iri: str, qualifier_label: str, qualifier_iri: str,
           lang: str) -> Amount:
    """The ``Amount`` of a figure; the qualifier ``exactly`` is not said."""
    qualifier = "" if qualifier_iri.endswith("#Exactly") else qualifier_label
    return Amount(qualifier, grouped(value), magnitude(value, lang), unit_word(unit_iri, lang))
