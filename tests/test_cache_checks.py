"""The cache is checked, not trusted: a cached file cut short or garbled after it was
written is built again, never served as the whole; a failed build leaves nothing behind."""

import sqlite3
from pathlib import Path

import pytest
from testbed import cache_with_built_graphs

from govkg import build, search
from govkg.distributions import MANIFEST, build_distributions
from govkg.errors import GovkgError
from govkg.files import checksum_path, is_intact, write_atomically, write_checksum
from govkg.settings import load_settings
from govkg.store import open_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def private_cache(tmp_path: Path, settings: dict) -> dict:
    return load_settings({**settings, "cache_dir": str(tmp_path / "cache")})


def quads(store) -> int:
    return int(next(iter(store.query(COUNT)))["n"].value)


def graphs_file(cache: dict) -> Path:
    return next(Path(cache["cache_dir"]).glob("graphs-*.nq"))


def test_a_checksum_is_written_last_and_checked(tmp_path):
    path = tmp_path / "a.bin"
    write_atomically(path, b"whole")
    assert not is_intact(path)  # no checksum yet: not trusted (and removed)
    write_atomically(path, b"whole")
    write_checksum(path)
    assert is_intact(path)
    path.write_bytes(b"whol")
    assert not is_intact(path) and not path.exists() and not checksum_path(path).exists()


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["cut", "garbled"])
def test_a_damaged_graphs_file_is_built_again(private_cache, settings, damage):
    cache_with_built_graphs(settings, Path(private_cache["cache_dir"]))  # whole, as built
    whole = quads(open_store(private_cache))
    path = graphs_file(private_cache)
    data = path.read_bytes()
    if damage == "cut":
        path.write_bytes(data[:len(data) * 4 // 10])  # 40 %: was served as 2,841 of 7,102
    else:
        path.write_bytes(data[:1000] + b"\x00<garbled" + data[1010:])
    assert quads(open_store(private_cache)) == whole
    assert is_intact(path)


def test_a_failed_graph_build_leaves_no_temporary_file(private_cache, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build.Graph, "serialize", full_disk)
    with pytest.raises(OSError):
        open_store(private_cache)
    assert not list(Path(private_cache["cache_dir"]).glob("*.tmp"))
    assert not list(Path(private_cache["cache_dir"]).glob("graphs-*"))


def test_a_corrupt_search_index_is_built_again(private_cache):
    store = open_store(private_cache)
    index = search.open_index(private_cache, store)
    path = index.path
    index.close()
    data = path.read_bytes()
    path.write_bytes(data[:4096] + b"\xff" * 4096 + data[8192:])
    rebuilt = search.open_index(private_cache, store)
    assert rebuilt.suggest("北京")
    rebuilt.close()


def test_full_width_letters_find_their_ascii_forms(private_cache):
    index = search.open_index(private_cache, open_store(private_cache))
    try:
        assert search.fold("ｙｓｓ") == "yss"
        assert [h.iri for h in index.suggest("ｂｅｉｊｉｎｇ")] == \
            [h.iri for h in index.suggest("beijing")]
    finally:
        index.close()


def test_a_full_disk_while_indexing_is_one_error_and_nothing_left(private_cache, monkeypatch):
    def full_disk(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(search, "_write_index", full_disk)
    with pytest.raises(GovkgError, match="disk is full"):
        search.open_index(private_cache, open_store(private_cache))
    assert not list(Path(private_cache["cache_dir"]).glob("search-*"))


def test_a_cut_dump_is_built_again(private_cache, tmp_path):
    store = open_store(private_cache)
    directory = tmp_path / "dumps"
    built = build_distributions(store, directory)
    first = directory / built[0].file
    whole = first.read_bytes()
    first.write_bytes(whole[:len(whole) // 2])
    again = build_distributions(store, directory)
    assert first.read_bytes() == whole
    assert [b.sha256 for b in again] == [b.sha256 for b in built]
    assert (directory / MANIFEST).is_file()
