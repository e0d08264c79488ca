"""Shared fixtures: settings with a per-session cache, the built store, and a sources copy;
and how the suite shares the machine: two worker processes by default (pytest-xdist, whole
files to a worker), with the tests marked ``alone`` run while no other test runs.

Helpers that tests import live in ``testbed`` (never ``from conftest import``: two modules
of that name exist, and which one a subset of tests sees depends on the subset).

Why two workers: most of the suite waits on subprocesses, servers, browsers and sockets, so
two workers on two cores take the whole suite from about 850 s to the figure in the README.
Files go whole to a worker (``--dist loadfile``) because several start a server or a
Virtuoso once per module. ``-n 0``, ``-n N`` or ``-p no:xdist`` on the command line win.

Tests that measure time or throughput under load (the flood, slow clients, the benchmarks'
quick runs, the linear-time parses) are marked ``alone``: one holds the suite's lock
exclusively (``fcntl.flock``) while every other test holds it shared, so while it runs the
other worker waits between tests. A turnstile taken before the shared lock keeps a waiting
``alone`` test from being passed over. Without xdist there is nobody to wait for.

Under xdist each worker has its own session cache directory, copied from one that the first
worker to get there builds (the graphs, dumps, search index, figures, SHACL report and parser
tables, all named by input hash), so the build runs once per run, not once per worker, and
no worker's cache changes under another's tests.
"""

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from testbed import ROOT

from govkg.prebuilt import prepare
from govkg.settings import load_settings
from govkg.store import open_store

WORKERS = 2  # the cores the suite's time budget is measured on


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """``-n 2 --dist loadfile`` unless the command line says otherwise. Set here, not in
    ``addopts``: ``-p no:xdist`` would make an ``-n`` there an unknown option."""
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    if config.option.numprocesses is None and not config.getoption("usepdb", False):
        config.option.numprocesses = WORKERS
        if config.option.dist == "no":
            config.option.dist = "loadfile"
            config.option.loadscopereorder = False  # the order below, not the most tests first


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with ``slow`` tests first, those with ``alone`` tests last among them: with
    whole files to a worker, the longest start early and the run does not end waiting for
    one of them, and two ``alone`` files are not handed out at once."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    alone = {item.path for item in items if item.get_closest_marker("alone")}
    items.sort(key=lambda item: (item.path not in slow, item.path in slow & alone))


def shared_dir(config: pytest.Config) -> Path | None:
    """The run's directory that every xdist worker sees (the parent of each worker's own
    temporary directory), or None without xdist."""
    if not hasattr(config, "workerinput"):
        return None
    return Path(config.option.basetemp).parent


@contextmanager
def locked(path: Path, how: int) -> Iterator[None]:
    with path.open("a") as file:
        fcntl.flock(file, how)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


class Room:
    """The run's lock: shared by ordinary tests, exclusive for an ``alone`` test, which may
    keep it for the ``alone`` tests that follow it on its worker."""

    def __init__(self, directory: Path) -> None:
        self.turnstile = (directory / "alone-turnstile.lock").open("a")
        self.room = (directory / "alone-room.lock").open("a")
        self.alone = False

    def enter(self, alone: bool) -> None:
        if alone and self.alone:
            return  # still holding it from the previous alone test
        fcntl.flock(self.turnstile, fcntl.LOCK_EX)
        fcntl.flock(self.room, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if not alone:
            fcntl.flock(self.turnstile, fcntl.LOCK_UN)
        self.alone = alone

    def leave(self, keep_alone: bool) -> None:
        if self.alone and keep_alone:
            return
        fcntl.flock(self.room, fcntl.LOCK_UN)
        if self.alone:
            fcntl.flock(self.turnstile, fcntl.LOCK_UN)
        self.alone = False

    def close(self) -> None:
        self.leave(keep_alone=False)
        self.turnstile.close()
        self.room.close()


ROOM = pytest.StashKey[Room]()


def is_alone(item: pytest.Item | None) -> bool:
    return item is not None and item.get_closest_marker("alone") is not None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Setup, call and teardown (session fixtures included) inside the run's lock."""
    directory = shared_dir(item.config)
    if directory is None:
        return (yield)
    if ROOM not in item.config.stash:
        item.config.stash[ROOM] = Room(directory)
    room = item.config.stash[ROOM]
    room.enter(is_alone(item))
    try:
        return (yield)
    finally:
        stopping = item.session.shouldstop or item.session.shouldfail
        room.leave(keep_alone=is_alone(nextitem) and not stopping)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Let go of the run's lock however the session ends (``-x`` stops before the next
    ``alone`` test that it was kept for)."""
    if ROOM in session.config.stash:
        session.config.stash[ROOM].close()


def seed_cache(directory: Path) -> Path:
    """The run's built cache, built by whichever worker asks first while the others wait."""
    seed = directory / "cache-seed"
    with locked(directory / "cache-seed.lock", fcntl.LOCK_EX):
        if not seed.is_dir():
            building = directory / "cache-seed.building"
            shutil.rmtree(building, ignore_errors=True)
            settings = load_settings({"cache_dir": str(building)})
            prepare(settings, open_store(settings))
            building.rename(seed)
    return seed


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    directory = shared_dir(pytestconfig)
    if directory is not None:
        shutil.copytree(seed_cache(directory), cache, dirs_exist_ok=True)
    return cache


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
