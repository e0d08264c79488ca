"""SHACL validation of the data (with the ontology, so shapes see the class hierarchy)."""

from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import SH

from govkg.vocab import ASSERTED_GRAPHS


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str
    shape: str


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    graph: Graph  # the SHACL validation report itself


def validate_graphs(graphs: dict[str, Graph]) -> ValidationReport:
    """Validate the asserted graphs against the shapes graph."""
    data = Graph()
    for name in ASSERTED_GRAPHS:
        for triple in graphs[name]:
            data.add(triple)
    import pyshacl  # here, not at the top: it takes half a second to import

    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=graphs["shapes"], inference="none", advanced=True, allow_warnings=True
    )
    return ValidationReport(bool(conforms), _violations(report), report)


def _violations(report: Graph) -> tuple[Violation, ...]:
    found = []
    for result in report.subjects(SH.resultSeverity, None):
        def one(predicate, result=result) -> str:
            value = report.value(result, predicate)
            return "" if value is None else str(value)

        found.append(Violation(
            focus=one(SH.focusNode),
            path=one(SH.resultPath),
            message=one(SH.resultMessage),
            severity=one(SH.resultSeverity).rsplit("#", 1)[-1],
            shape=one(SH.sourceShape),
        ))
    return tuple(sorted(found, key=lambda v: (v.focus, v.path, v.message)))
