"""``pip install .`` gives a ``govkg`` that works from any directory: the wheel carries its data."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from testbed import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                   check=True, timeout=300)
    (built,) = out.glob("govkg-*.whl")
    return built


def test_wheel_carries_ontology_data_shapes_and_report(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("govkg/resources/ontology/govkg.ttl", "govkg/resources/shapes/govkg-shapes.ttl",
                     "govkg/resources/data/common.ttl", "govkg/resources/data/external/wikidata.ttl",
                     "govkg/resources/data/source/report.zh.txt", "govkg/cli.py",
                     "govkg/sparql11.lark"):
        assert required in names, required


@pytest.mark.slow
def test_fresh_venv_install_runs_from_elsewhere(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path),
           "GOVKG_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([str(venv / "bin" / "govkg"), "stats"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Sentences: 77" in result.stdout
    assert "graph inferred" in result.stdout
