"""What keeps a store of millions of triples servable, checked on the embedded data with the
size limits lowered: streamed dumps, bounded entity pages, figures kept on disk."""

import gzip
import re
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import NamedNode

from govkg import distributions
from govkg.web import entity

HUB = "https://w3id.org/govkg/id/indicator/service-items"  # what three figures measure


def parsed(path: Path, dist: distributions.Distribution) -> set[str]:
    data = path.read_bytes()
    if dist.gzipped:
        data = gzip.decompress(data)
    return {str(q) for q in pyoxigraph.parse(data, format=dist.format.oxigraph)}


def test_streamed_dumps_hold_what_sorted_dumps_hold(store: pyoxigraph.Store, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    sorted_built = distributions.build_distributions(store, tmp_path / "sorted")
    monkeypatch.setattr(distributions, "SORTED_MAX_QUADS", 100)
    assert distributions.is_big(store)
    streamed = distributions.build_distributions(store, tmp_path / "streamed")
    for a, b in zip(sorted_built, streamed, strict=True):
        assert a.file == b.file
        assert a.triples == b.triples  # no triple is in two graphs of one dump here
        assert parsed(tmp_path / "sorted" / a.file, a.distribution) == \
            parsed(tmp_path / "streamed" / b.file, b.distribution), a.file


def test_a_hub_page_reads_a_bounded_number_of_links(client, store: pyoxigraph.Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    node = NamedNode(HUB)
    evidence = NamedNode("https://w3id.org/govkg/graph/evidence")  # shown as references instead
    pairs = {(q.subject, q.predicate) for q in store.quads_for_pattern(None, None, node, None)
             if q.graph_name != evidence}
    assert len(pairs) > 3
    monkeypatch.setattr(entity, "MAX_INCOMING", 2)
    monkeypatch.setattr(entity, "MAX_INCOMING_READ", 2)
    monkeypatch.setattr(entity, "MAX_FIGURES", 1)
    page = client.get(HUB.removeprefix("https://w3id.org/govkg") + ".html").get_data(as_text=True)
    links = page.split('<section class="incoming">')[1].split("</section>")[0]
    assert links.count("<tr><td>") == 2
    assert f"… and {len(pairs) - 2} more" in links
    figures = page.split('<section class="figures">')[1].split("</section>")[0]
    assert len(re.findall(r"<tr><td>", figures)) == 1 and "… and more" in figures


def test_whole_store_figures_are_computed_once_per_build(client, settings: dict) -> None:
    from govkg.builds import build_id

    facts = Path(settings["cache_dir"]) / f"facts-{build_id(settings)}"
    for path in ("/", "/.well-known/void"):
        assert client.get(path).status_code == 200
    kept = {p.name: p.stat().st_mtime_ns for p in facts.iterdir()}
    assert {"stats.json", "graph-counts.json", "dataset-statistics.json"} <= set(kept)
    for path in ("/", "/.well-known/void"):
        assert client.get(path).status_code == 200
    assert {p.name: p.stat().st_mtime_ns for p in facts.iterdir()} == kept
