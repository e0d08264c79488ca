"""Every serialisation a client receives goes through ``govkg.formats``: no other module of
govkg calls a serialiser (the endpoint, the documents, the dumps and the command line alike).

The two rdflib calls that remain write govkg's own cache files, never an answer: the SHACL
report's Turtle (``prebuilt``) and the N-Triples the build hands to Oxigraph (``build``).
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "govkg"
REGISTRY = {"formats.py", "jsonld.py"}
CACHE_FILES = {("prebuilt.py", "serialize"), ("build.py", "serialize")}


def serialiser_calls() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in REGISTRY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                    getattr(node.func, "id", "")
                if name == "serialize" and (path.name, name) not in CACHE_FILES:
                    found.append((str(path.relative_to(PACKAGE)), name, node.lineno))
    return found


def test_only_the_registry_serialises():
    assert serialiser_calls() == []
