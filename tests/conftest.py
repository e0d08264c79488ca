"""Shared fixtures: settings with a per-session cache, the built store, and a sources copy.

Helpers that tests import live in ``testbed`` (never ``from conftest import``: two modules
of that name exist, and which one a subset of tests sees depends on the subset).
"""

import shutil
from pathlib import Path

import pytest
from testbed import ROOT

from govkg.settings import load_settings
from govkg.store import open_store


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
