"""The example queries the home page and the query page offer, read from ``queries/*.rq``.

Each file is one SPARQL query whose header comments give its title in both languages::

    # en: Every app and mini program of a first-tier province, in launch order
    # zh: 第一梯队省份的每个应用和小程序，按上线时间排列
    SELECT …

The files are data, not code: add one and it is listed, in file-name order.
"""

import re
from dataclasses import dataclass
from importlib.resources import files

QUERIES = files("govkg.web") / "queries"
_TITLE = re.compile(r"#\s*(en|zh)\s*:\s*(.+)")


class ExampleError(ValueError):
    """An example file without both titles or without a query."""


@dataclass(frozen=True)
class Example:
    slug: str  # the file name without .rq
    titles: dict[str, str]  # language code → title
    text: str  # the query, without the title comments

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]


def parse_example(slug: str, source: str) -> Example:
    """One example from the text of its ``.rq`` file."""
    titles: dict[str, str] = {}
    lines = source.strip().splitlines()
    while lines and (match := _TITLE.fullmatch(lines[0].strip())):
        titles[match.group(1)] = match.group(2).strip()
        lines.pop(0)
    text = "\n".join(lines).strip()
    if set(titles) != {"en", "zh"} or not text:
        raise ExampleError(f"{slug}.rq needs '# en: …' and '# zh: …' title lines, then a query")
    return Example(slug, titles, text)


def load_examples() -> tuple[Example, ...]:
    """Every example in ``queries/``, in file-name order."""
    sources = sorted((f for f in QUERIES.iterdir() if f.name.endswith(".rq")),
                     key=lambda f: f.name)
    return tuple(parse_example(f.name.removesuffix(".rq"), f.read_text(encoding="utf-8"))
                 for f in sources)


EXAMPLES = load_examples()
