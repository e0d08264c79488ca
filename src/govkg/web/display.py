"""How RDF terms appear on pages: labels in both languages, links, short names.

A ``Labeller`` looks labels up in the store once per term and turns any term into a
``Shown``: the text to print, the link to follow and what the term really is. Labels come
in the page's language (zh or en) with the other as a fallback and as a secondary line;
typed literals read as people read them (``readable``: 10,000,000, 2018年5月).
"""

from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext as _
from pyoxigraph import BlankNode, Literal, NamedNode

from govkg.query import StoreLike
from govkg.search import pinyin_forms
from govkg.table import short_term
from govkg.vocab import RDF_NS, RDFS_LABEL, SH_NS, SKOS_PREF_LABEL, XSD_NS
from govkg.web.iris import href
from govkg.web.readable import literal_text

PLAIN_TYPES = (XSD_NS + "string", RDF_NS + "langString")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
LABELS = (RDFS_LABEL, SKOS_PREF_LABEL)
SHAPE_NAME = NamedNode(SH_NS + "name")  # names a SHACL shape, which has no label

Term = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class Shown:
    kind: str  # "iri", "bnode" or "literal"
    text: str  # the label in the page's language, else the other one, else a short name
    secondary: str = ""  # the label in the other language, when both exist
    link: str | None = None  # a server path for our IRIs, the IRI itself for others
    external: bool = False
    iri: str = ""
    lang: str = ""
    datatype: str = ""  # short name of a literal's datatype, unless it is a plain string
    text_lang: str = ""  # the language of ``text`` when it is a label ("zh" or "en")
    raw: str = ""  # a typed literal's lexical form, when ``text`` reads it (10,000,000)

    @property
    def secondary_lang(self) -> str:
        return {"zh": "en", "en": "zh"}.get(self.text_lang, "")


def page_language() -> str:
    """The request's language (zh or en); English outside a request."""
    if not has_request_context():
        return "en"
    from govkg.web.i18n import current_language

    return current_language()


def in_language(zh: str, en: str, lang: str) -> tuple[str, str, str]:
    """(main, other, main's language): the label in ``lang`` first, the other as fallback."""
    if lang == "zh":
        return (zh, en, "zh") if zh else (en, "", "en" if en else "")
    return (en, zh, "en") if en else (zh, "", "zh" if zh else "")


class Labeller:
    """Labels from the store, looked up once per term."""

    def __init__(self, store: StoreLike, lang: str | None = None) -> None:
        self.store = store
        self.lang = lang or page_language()
        self._cache: dict[str, tuple[str, str]] = {}

    def labels(self, node: NamedNode | BlankNode) -> tuple[str, str]:
        """The (Chinese, English) labels of ``node``; either may be empty."""
        key = str(node)
        if key not in self._cache:
            zh, en, other = [], [], []
            for predicate in (*LABELS, SHAPE_NAME):
                if predicate == SHAPE_NAME and (zh or en or other):
                    break
                for quad in self.store.quads_for_pattern(node, predicate, None, None):
                    literal = quad.object
                    if not isinstance(literal, Literal):
                        continue
                    lang = (literal.language or "").lower()
                    bucket = zh if lang.startswith("zh") else en if lang.startswith("en") else other
                    bucket.append(literal.value)
            en = en or other
            self._cache[key] = (min(zh) if zh else "", min(en) if en else "")
        return self._cache[key]

    def show(self, term: Term | None) -> Shown:
        if term is None:
            return Shown("literal", "")
        if isinstance(term, Literal):
            datatype = "" if term.datatype.value in PLAIN_TYPES else short_term(term.datatype)
            text = literal_text(term.value, term.datatype.value, self.lang)
            return Shown("literal", text, lang=term.language or "", datatype=datatype,
                         raw=term.value if text != term.value else "")
        if isinstance(term, BlankNode):
            text, other, lang = in_language(*self.labels(term), self.lang)
            return Shown("bnode", text or _("(anonymous)"), other, text_lang=lang)
        return self.show_iri(term)

    def show_iri(self, node: NamedNode) -> Shown:
        text, other, lang = in_language(*self.labels(node), self.lang)
        local = href(node.value)
        link = local or (node.value if node.value.startswith(("http://", "https://")) else None)
        if text:
            return Shown("iri", text, other, link, local is None, node.value, text_lang=lang)
        if node.value.startswith(WIKIDATA_ENTITY):  # a link to Wikidata, by its item number
            item = node.value[len(WIKIDATA_ENTITY):]
            return Shown("iri", _("Wikidata %(item)s", item=item), "", link, True, node.value,
                         text_lang=self.lang)
        return Shown("iri", short_term(node), "", link, local is None, node.value)

    def label(self, node: NamedNode | BlankNode) -> str:
        """The label in the page's language, else the other one, else a short name."""
        text, _, _ = in_language(*self.labels(node), self.lang)
        return text or (short_term(node) if isinstance(node, NamedNode) else "")

    def name(self, node: NamedNode) -> str:
        """One line for titles and listings: ``北京通 (Beijing Tong)`` in Chinese,
        ``Beijing Tong (北京通)`` in English."""
        shown = self.show_iri(node)
        return f"{shown.text} ({shown.secondary})" if shown.secondary else shown.text


def reading_key(text: str) -> str:
    """How a reader orders names: Chinese by pinyin (as Chinese indexes do), others by
    letters, case-insensitively; never by code point."""
    forms = pinyin_forms(text)
    return (forms[1] if len(forms) > 1 else forms[0]) if forms else text.casefold()
