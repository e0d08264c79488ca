"""The import graph points one way: each layer of govkg imports only from the layers below it.

Read from the source with ``ast`` (every import, function-level ones included), so the
check needs nothing installed and sees what the code says, not what one run happened to
load. The layers, top to bottom, are those of the README's architecture section.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "govkg"

# Top first. A module belongs to the longest prefix that names it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("command line", ("govkg.cli", "govkg.__main__")),
    ("server process", ("govkg.web.server",)),
    ("web app", ("govkg.web.app",)),
    ("views", ("govkg.web.views",)),
    ("web helpers", ("govkg.web",)),
    ("serving machinery", ("govkg.web.serve",)),
    ("derived artefacts", ("govkg.prebuilt", "govkg.facts", "govkg.search", "govkg.search_short",
                           "govkg.builds", "govkg.distributions", "govkg.stats", "govkg.dump",
                           "govkg.terms")),
    ("stores", ("govkg.store", "govkg.remote_store", "govkg.bulkload", "govkg.reason_sparql",
                "govkg.virtuoso")),
    ("graph building", ("govkg.turtle", "govkg.evidence", "govkg.report", "govkg.reason",
                        "govkg.build", "govkg.validate", "govkg.intervals")),
    ("sparql text and formats", ("govkg.sparql_text", "govkg.sparql_grammar",
                                 "govkg.query_text", "govkg.query",
                                 "govkg.formats", "govkg.jsonld", "govkg.table")),
    ("foundations", ("govkg.settings", "govkg.vocab", "govkg.errors", "govkg.files",
                     "govkg.resources", "govkg")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def layer_of(module: str) -> int:
    best = max(((len(prefix), index) for index, (_, prefixes) in enumerate(LAYERS)
                for prefix in prefixes if module == prefix or module.startswith(prefix + ".")),
               default=None)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[1]


def imports_of(module: str) -> set[str]:
    """Every govkg module that ``module`` imports, at any depth of its code."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                     for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in MODULES and name != module)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_from_a_layer_above(module):
    upward = [f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} "
              f"({LAYERS[layer_of(target)][0]})"
              for target in sorted(GRAPH[module]) if layer_of(target) < layer_of(module)]
    assert not upward


def test_no_import_cycles():
    state: dict[str, int] = {}  # 1: on the path, 2: done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target] if target in path
                              else [module, target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])
    assert not cycles


def test_the_serving_machinery_has_no_flask():
    for module, path in MODULES.items():
        if module.startswith("govkg.web.serve."):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {alias.name.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.Import) for alias in node.names}
            names |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                      if isinstance(node, ast.ImportFrom)}
            assert not names & {"flask", "flask_babel", "werkzeug", "jinja2"}, module


def test_the_package_root_imports_nothing():
    assert GRAPH["govkg"] == set()
    tree = ast.parse(MODULES["govkg"].read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def test_govkg_load_imports_nothing_of_the_web(tmp_path, cache_dir):
    """What a run of ``govkg load`` imports, read from Python's own ``-X importtime`` log."""
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "govkg", "load", "--embedded",
         "--store", str(tmp_path / "store")],
        capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines()
              if line.startswith("import time:")}
    ours = {name for name in loaded if name == "govkg" or name.startswith("govkg.")}
    assert "govkg.prebuilt" in ours and "govkg.bulkload" in ours  # the log is read right
    assert not {name for name in ours if name.startswith("govkg.web")}
    assert not {name for name in loaded if name.split(".")[0] in ("flask", "werkzeug")}
