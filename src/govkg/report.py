"""The source article as RDF: the article and each of its sentences, with text, position
and govkg's English translation.

Sentences are numbered by the report file's line (the title is line 1) and by their order
within the line; a sentence ends at 。！？ or a semicolon. Every fact in ``data/`` points
at these IRIs with ``gk:statedIn``.

The translation (``data/source/report.en.txt``) is govkg's editorial work, not the report's
words: it is ``gk:translation`` (@en), apart from the sentence's ``gk:text`` (@zh). Each of
its blocks starts ``[p<line>s<n>] <the sentence in Chinese>``, so that a person editing it
sees what is translated and the build can check that it is still that sentence; every
sentence has exactly one.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import DCTERMS, RDF, RDFS, XSD, Graph, Literal, URIRef

from govkg.errors import DataFileError
from govkg.vocab import ARTICLE, GK, sentence_iri

_SENTENCE = re.compile(r"[^。！？；;]+[。！？；;]?[”」’]?")
_BLOCK_START = re.compile(r"\[p(\d+)s(\d+)\]\s*(.*)")


@dataclass(frozen=True)
class Sentence:
    line: int
    number: int
    position: int
    text: str

    @property
    def iri(self) -> URIRef:
        return sentence_iri(self.line, self.number)


def split_sentences(text: str) -> list[Sentence]:
    """Split the report into sentences, numbered by line and by order."""
    sentences: list[Sentence] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        parts = [part.strip() for part in _SENTENCE.findall(line.strip())]
        for number, part in enumerate((p for p in parts if p), start=1):
            sentences.append(Sentence(line_number, number, len(sentences) + 1, part))
    return sentences


def read_report(path: Path) -> list[Sentence]:
    try:
        return split_sentences(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise DataFileError(str(path), None, "no such file") from error
    except UnicodeDecodeError as error:
        raise DataFileError(str(path), None, f"not UTF-8 text ({error.reason})") from error


def read_translations(path: Path, sentences: list[Sentence]) -> dict[URIRef, str]:
    """The English of each sentence, by sentence IRI, from a translation file; a block that
    names no sentence of the report, or quotes it wrongly, or a sentence without a
    translation, raises ``DataFileError`` naming the file and the line."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # an editor may add a BOM
    except FileNotFoundError as error:
        raise DataFileError(str(path), None, "no such file") from error
    except UnicodeDecodeError as error:
        raise DataFileError(str(path), None, f"not UTF-8 text ({error.reason})") from error
    by_key = {(s.line, s.number): s for s in sentences}
    found: dict[URIRef, str] = {}
    current: tuple[Sentence, int, list[str]] | None = None

    def finish() -> None:
        if current is None:
            return
        sentence, start, english = current
        if not english:
            raise DataFileError(str(path), start, f"p{sentence.line}s{sentence.number} has "
                                                  "no English (write it on the next line)")
        found[sentence.iri] = " ".join(english)

    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text.startswith("#"):
            continue
        if not text:
            finish()
            current = None
            continue
        start = _BLOCK_START.fullmatch(text)
        if start:
            finish()
            current = _start_block(path, number, start, by_key, found)
        elif current is None:
            raise DataFileError(str(path), number, 'expected "[p<line>s<n>] <the sentence>"')
        else:
            current[2].append(text)
    finish()
    missing = [f"p{s.line}s{s.number}" for s in sentences if s.iri not in found]
    if missing:
        raise DataFileError(str(path), None, f"no translation of {', '.join(missing)}")
    return found


def _start_block(path: Path, number: int, start: re.Match, by_key: dict,
                 found: dict[URIRef, str]) -> tuple[Sentence, int, list[str]]:
    key = f"p{start.group(1)}s{start.group(2)}"
    sentence = by_key.get((int(start.group(1)), int(start.group(2))))
    if sentence is None:
        raise DataFileError(str(path), number, f"{key} is no sentence of the report")
    if sentence.iri in found:
        raise DataFileError(str(path), number, f"{key} is translated twice")
    if start.group(3) != sentence.text:
        raise DataFileError(str(path), number,
                            f"{key} is not quoted as the report writes it: {sentence.text}")
    return sentence, number, []


def report_graph(sentences: list[Sentence],
                 translations: dict[URIRef, str] | None = None) -> Graph:
    """The sentences as ``gk:Sentence`` resources, part of the article, with their English
    (``translations``, by sentence IRI) as ``gk:translation``."""
    graph = Graph()
    for s in sentences:
        if translations and s.iri in translations:
            graph.add((s.iri, GK.translation, Literal(translations[s.iri], lang="en")))
        graph.add((s.iri, RDF.type, GK.Sentence))
        graph.add((s.iri, RDFS.label, Literal(f"第{s.line}行第{s.number}句", lang="zh")))
        graph.add((s.iri, RDFS.label, Literal(f"line {s.line}, sentence {s.number}", lang="en")))
        graph.add((s.iri, GK.text, Literal(s.text, lang="zh")))
        graph.add((s.iri, GK.line, Literal(s.line, datatype=XSD.positiveInteger)))
        graph.add((s.iri, GK.sentenceNumber, Literal(s.number, datatype=XSD.positiveInteger)))
        graph.add((s.iri, GK.position, Literal(s.position, datatype=XSD.positiveInteger)))
        graph.add((s.iri, DCTERMS.isPartOf, ARTICLE))
    return graph
