"""Shared fixtures: settings with a per-session cache, the built store, and a CLI runner."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govkg.resources import default_root
from govkg.settings import load_settings
from govkg.store import open_store

ROOT = default_root()  # the sources govkg uses: installed package or checkout
REPO = Path(__file__).resolve().parents[1]  # this checkout
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> dict:
    return load_settings({"cache_dir": str(cache_dir)})


@pytest.fixture(scope="session")
def store(settings: dict):
    return open_store(settings)


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """A private copy of the sources that a test may break."""
    copy = tmp_path / "sources"
    for part in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / part, copy / part)
    return copy


def run_govkg(*args: str, cache_dir: Path, input: str | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the ``govkg`` command as a user does, in a subprocess."""
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    return subprocess.run(
        [sys.executable, "-m", "govkg", *args],
        capture_output=True, text=True, input=input, env=env, cwd=cwd, timeout=300,
    )
