"""The source article as RDF: the article and each of its sentences, with text and position.

Sentences are numbered by the report file's line (the title is line 1) and by their order
within the line; a sentence ends at 。！？ or a semicolon. Every fact in ``data/`` points
at these IRIs with ``gk:statedIn``.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import DCTERMS, RDF, RDFS, XSD, Graph, Literal, URIRef

from govkg.errors import DataFileError
from govkg.vocab import ARTICLE, GK, sentence_iri

_SENTENCE = re.compile(r"[^。！？；;]+[。！？；;]?[”」’]?")


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


def report_graph(sentences: list[Sentence]) -> Graph:
    """The sentences as ``gk:Sentence`` resources, part of the article."""
    graph = Graph()
    for s in sentences:
        graph.add((s.iri, RDF.type, GK.Sentence))
        graph.add((s.iri, RDFS.label, Literal(f"第{s.line}行第{s.number}句", lang="zh")))
        graph.add((s.iri, RDFS.label, Literal(f"line {s.line}, sentence {s.number}", lang="en")))
        graph.add((s.iri, GK.text, Literal(s.text, lang="zh")))
        graph.add((s.iri, GK.line, Literal(s.line, datatype=XSD.positiveInteger)))
        graph.add((s.iri, GK.sentenceNumber, Literal(s.number, datatype=XSD.positiveInteger)))
        graph.add((s.iri, GK.position, Literal(s.position, datatype=XSD.positiveInteger)))
        graph.add((s.iri, DCTERMS.isPartOf, ARTICLE))
    return graph
