"""SELECT results as a plain-text table for the terminal, IRIs shortened by the known prefixes."""

from pyoxigraph import Literal, NamedNode, QuerySolutions

from govkg.vocab import PREFIXES

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def short_term(term: object) -> str:
    """A term as a person reads it: ``platform:beijingtong``, ``"北京通"@zh``, ``42``."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in _BY_LENGTH:
            if term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace):]}"
        return f"<{term.value}>"
    if isinstance(term, Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        return term.value
    return str(term)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def render_table(solutions: QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[short_term(row[n]) for n in names] for row in solutions]
    widths = [max([_width(n), *(_width(r[i]) for r in rows)]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    out = [line(names), "-+-".join("-" * w for w in widths), *(line(r) for r in rows)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
