"""Query text for a remote SPARQL endpoint: what pyoxigraph takes as options, written into
the query itself, never by pasting user strings.

Terms are written by pyoxigraph (``str(NamedNode)``, ``str(Literal)``: N-Triples syntax, a
subset of SPARQL's), prefixes are prepended on the query's first line (so the line numbers
of a remote syntax error stay right), and substitutions become a ``VALUES`` block opening
the WHERE clause. A blank node from a remote result is written as the endpoint's own
reference to it where the endpoint has one (Virtuoso: ``<nodeID://b10010>``).
"""

import re
from collections.abc import Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Variable

from govkg.sparql_text import tokens, unescape

Term = NamedNode | BlankNode | Literal

REMOTE_BLANK = "r"  # local blank node labels: "r" + the hex of the remote label
VIRTUOSO_BLANK = "nodeID://"  # Virtuoso names its blank nodes so, and accepts <nodeID://…>
_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def local_blank_label(remote_label: str) -> str:
    """A valid blank node label that keeps the endpoint's own label (any string)."""
    return REMOTE_BLANK + remote_label.encode().hex()


def remote_blank_label(node: BlankNode) -> str | None:
    """The endpoint's label of a blank node that came from it, else ``None``."""
    hex_part = node.value[len(REMOTE_BLANK):]
    if not node.value.startswith(REMOTE_BLANK) or not _HEX.fullmatch(hex_part):
        return None
    try:
        return bytes.fromhex(hex_part).decode()
    except UnicodeDecodeError:
        return None


def term_text(term: Term) -> str | None:
    """``term`` in SPARQL syntax, or ``None`` for a blank node the endpoint cannot be asked
    about (only Virtuoso lets a query name a blank node of its results)."""
    if isinstance(term, BlankNode):
        label = remote_blank_label(term)
        if label is None or not label.startswith(VIRTUOSO_BLANK):
            return None
        return str(NamedNode(label))
    return str(term)


def with_prefixes(text: str, prefixes: dict[str, str] | None) -> str:
    """``text`` with the declarations of the ``prefixes`` it may use, on its first line.

    A prefix the query declares again wins: SPARQL lets a later declaration replace one.
    """
    used = [(name, iri) for name, iri in (prefixes or {}).items() if f"{name}:" in text]
    declarations = "".join(f"PREFIX {name}: {NamedNode(iri)} " for name, iri in used)
    return declarations + text


def with_values(text: str, substitutions: dict[Variable, Term]) -> str:
    """``text`` with its variables bound by a ``VALUES`` block opening the WHERE clause.

    The block joins the whole group, so a FILTER or BIND in it sees the bound value (as
    with pyoxigraph's substitutions for the queries govkg writes).
    """
    variables, terms = [], []
    for variable, term in substitutions.items():
        written = term_text(term)
        if written is None:
            raise ValueError(f"{term} cannot be sent to a SPARQL endpoint")
        variables.append(str(variable))
        terms.append(written)
    block = f" VALUES ({' '.join(variables)}) {{ ({' '.join(terms)}) }} "
    position = _where_brace(text)
    return text[:position] + block + text[position:]


def _where_brace(text: str) -> int:
    """The offset just after the ``{`` that opens the outer WHERE clause: the first one at
    the top level after ``WHERE``, or without that keyword the first one at the top level
    (but a CONSTRUCT's first one is its template)."""
    form, after_where, depth = None, False, 0
    for token in tokens(text):
        word, other = (token.group("word") or "").upper(), token.group("other")
        if word and form is None and word not in ("BASE", "PREFIX"):
            form = word
        if word == "WHERE" and depth == 0:
            after_where = True
        elif other in ("{", "("):
            if other == "{" and depth == 0 and (after_where or form != "CONSTRUCT"):
                return token.end
            depth += 1
        elif other in ("}", ")"):
            depth -= 1
    raise ValueError("the query has no WHERE clause")


def declared_dataset(text: str, prefixes: dict[str, str] | None
                     ) -> tuple[list[str], list[str]] | None:
    """The IRIs of the query's own ``FROM`` and ``FROM NAMED`` clauses, or ``None`` if it
    has none. A prefixed name is resolved with the query's prefixes, then ``prefixes``."""
    known = dict(prefixes or {})
    default: list[str] = []
    named: list[str] = []
    found = False
    tokens = _tokens(unescape(text))
    for kind, value in tokens:
        if kind == "word" and value.upper() == "PREFIX":
            name = next(tokens, ("", ""))[1]
            iri = next(tokens, ("", ""))[1]
            known[name.rstrip(":")] = iri[1:-1]
        elif kind == "word" and value.upper() == "FROM":
            found = True
            kind, value = next(tokens, ("", ""))
            target = default
            if kind == "word" and value.upper() == "NAMED":
                target = named
                kind, value = next(tokens, ("", ""))
            iri = _resolve(kind, value, known)
            if iri is not None:
                target.append(iri)
    return (default, named) if found else None


def without_dataset(text: str) -> str:
    """``text`` without its ``FROM`` / ``FROM NAMED`` clauses, ``\\u`` escapes resolved.

    Virtuoso lets a query's FROM win over the protocol's ``default-graph-uri``, against
    the SPARQL Protocol, so the dataset is sent as parameters only. Escapes are resolved
    first, as the SPARQL grammar says, so an escaped ``FROM`` cannot slip through.
    """
    text = unescape(text)
    spans, pending = [], None
    for token in tokens(text):
        kind = token.lastgroup
        if kind == "comment":
            continue
        word = (token.group("word") or "").upper()
        if pending is None:
            if word == "FROM":
                pending = token.start
        elif word == "NAMED":
            continue
        else:
            spans.append((pending, token.end if kind in ("iri", "pname") else token.start))
            pending = None
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return text


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    for token in tokens(text):
        kind = token.lastgroup or "other"
        if kind not in ("comment",):
            yield kind, token.group(kind)


def _resolve(kind: str, value: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return value[1:-1]
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None
