"""Any subset of the tests collects on its own: helpers come from uniquely named modules."""

import ast
import subprocess
import sys

import pytest
from testbed import REPO

TESTS = REPO / "tests"


def test_no_test_imports_from_conftest() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ImportFrom) and node.module == "conftest") \
                    or (isinstance(node, ast.Import) and any(a.name == "conftest"
                                                            for a in node.names)):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("subset", [
    ["tests/web/test_browser.py", "tests/test_bench.py"],
    ["tests/test_bench.py", "tests/web/test_limits.py"],
    ["tests/web/test_endpoint_mode.py", "tests/test_cli.py", "tests/test_report.py"],
])
def test_a_subset_collects(subset: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *subset],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
