"""The ``govkg`` command: thin wrappers over the library, one clear line on any error."""

import os
import sys
from pathlib import Path
from typing import Any

import click
from pyoxigraph import QueryBoolean, QuerySolutions

from govkg.dump import SELECTIONS, quads_of
from govkg.errors import GovkgError
from govkg.formats import find_format, result_kind, serialise_quads, serialise_result
from govkg.query import run_query
from govkg.report import read_report, read_translations
from govkg.resources import find_sources
from govkg.settings import load_settings, root_path
from govkg.sparql_grammar import refused_services
from govkg.stats import graph_stats
from govkg.store import open_store
from govkg.table import render_table
from govkg.validate import validate_store

QUERY_FORMATS = ("table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml")
DUMP_FORMATS = ("ttl", "nq", "nt", "jsonld", "trig")


class GovkgGroup(click.Group):
    """A click group that reports govkg's errors as one line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GovkgError as error:
            _fail(str(error))
        except BrokenPipeError:
            # The reader (``| head``) went away: stop quietly, as other Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as error:
            _fail(f"{error.strerror or error}: {error.filename}" if error.filename else str(error))


def _fail(message: str) -> None:
    click.echo(f"govkg: error: {message}", err=True)
    sys.exit(1)


@click.group(cls=GovkgGroup)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              help="Directory holding ontology/, data/ and shapes/ (default: the bundled ones).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where built graphs are cached.")
@click.version_option(package_name="govkg")
@click.pass_context
def main(ctx: click.Context, root: Path | None, cache_dir: Path | None) -> None:
    """govkg: the knowledge graph of China's provincial digital government."""
    ctx.obj = load_settings({"root": root, "cache_dir": cache_dir})


@main.command()
@click.option("--store", "store_dir", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Check this persistent Oxigraph store instead of the embedded data.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Check the graphs of this SPARQL 1.1 endpoint instead of the embedded data.")
@click.pass_obj
def validate(settings: dict[str, Any], store_dir: Path | None, endpoint: str | None) -> None:
    """Check the data as served (the embedded build, a store or an endpoint) against the SHACL
    shapes as served."""
    settings = {**settings, "store": str(store_dir) if store_dir else None, "endpoint": endpoint}
    report = validate_store(open_store(settings))
    if report.unchecked:
        _fail(f"not checked: {report.unchecked}")
    if report.conforms:
        click.echo("The data as served conforms to the shapes.")
        return
    for v in report.violations:
        path = f" {v.path}" if v.path else ""
        click.echo(f"{v.severity}: <{v.focus}>{path}: {v.message}")
    _fail(f"{len(report.violations)} SHACL violation(s)")


@main.command()
@click.argument("query")
@click.option("--format", "format_name", type=click.Choice(QUERY_FORMATS),
              help="Output format (default: a table on a terminal; TSV or Turtle otherwise).")
@click.pass_obj
def query(settings: dict[str, Any], query: str, format_name: str | None) -> None:
    """Run a SPARQL query: QUERY is the text, @FILE a file, or - for standard input."""
    text = _read_query(query)
    refused = refused_services(text, str(settings.get("service_allow") or "").split())
    if refused:
        raise GovkgError(f"SERVICE to {', '.join(refused)} is not allowed (GOVKG_SERVICE_ALLOW "
                         "names the endpoints that SERVICE may call)")
    result = run_query(open_store(settings), text)
    if format_name is None:
        if isinstance(result, QuerySolutions | QueryBoolean):
            format_name = "table" if sys.stdout.isatty() else "tsv"
        else:
            format_name = "turtle"
    if format_name == "table" or (format_name == "tsv" and isinstance(result, QueryBoolean)):
        if isinstance(result, QueryBoolean):
            click.echo("true" if bool(result) else "false")
        elif isinstance(result, QuerySolutions):
            click.echo(render_table(result))
        else:
            raise GovkgError("a table is for SELECT and ASK results; use --format turtle")
        return
    fmt = find_format(format_name)
    assert fmt is not None
    if fmt.kind != result_kind(result):
        wanted = "SELECT and ASK" if fmt.kind == "results" else "CONSTRUCT and DESCRIBE"
        raise GovkgError(f"--format {format_name} is for {wanted} queries")
    sys.stdout.buffer.write(serialise_result(result, fmt))
    sys.stdout.flush()


def _read_query(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        path = Path(argument[1:])
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise GovkgError(f"{path}: no such file") from error
    return argument


@main.command()
@click.option("--format", "format_name", type=click.Choice(DUMP_FORMATS), default="ttl",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--graph", "selection", type=click.Choice(tuple(SELECTIONS)), default="asserted",
              show_default=True, help="Which named graphs to dump.")
@click.pass_obj
def dump(settings: dict[str, Any], format_name: str, output: Path | None, selection: str) -> None:
    """Write the graph as Turtle, N-Quads, N-Triples, JSON-LD or TriG."""
    fmt = find_format(format_name)
    assert fmt is not None
    data = serialise_quads(quads_of(open_store(settings), selection), fmt)
    if output:
        output.write_bytes(data)
        click.echo(f"Wrote {len(data)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@main.command()
@click.pass_obj
def stats(settings: dict[str, Any]) -> None:
    """What the graph holds: triples per graph, entities per class, figures, sentences."""
    s = graph_stats(open_store(settings))
    click.echo(f"Triples: {s.triples}")
    for name, count in s.triples_per_graph.items():
        click.echo(f"  graph {name:<10} {count:>7}")
    click.echo(f"Entities: {s.entities}")
    click.echo(f"Figures: {s.figures}")
    click.echo(f"Sentences: {s.sentences} ({s.sentences_cited} cited by the data)")
    click.echo("Entities per class (data graph):")
    for name, count in s.entities_per_class.items():
        click.echo(f"  {name:<28} {count:>5}")


@main.command()
@click.option("--english", is_flag=True,
              help="Add govkg's English translation of each sentence (editorial) as a column.")
@click.pass_obj
def sentences(settings: dict[str, Any], english: bool) -> None:
    """List the report's sentences with the IRIs the data cites them by."""
    sources = find_sources(root_path(settings))
    found = read_report(sources.report)
    translations = read_translations(sources.translation, found) if english else {}
    for s in found:
        extra = f"\t{translations[s.iri]}" if english else ""
        click.echo(f"sentence:p{s.line}s{s.number}\t{s.text}{extra}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", "store_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory of the persistent Oxigraph store (created if missing).")
@click.option("--graph", default=None, metavar="IRI",
              help="Named graph for triples (and default-graph quads); default: graph/data.")
@click.option("--embedded", is_flag=True,
              help="Also load govkg's own built graphs (ontology, data, report, inferred …).")
@click.option("--reason", is_flag=True,
              help="Then materialise the OWL RL subset into graph/inferred (as `govkg reason`).")
@click.pass_obj
def load(settings: dict[str, Any], files: tuple[Path, ...], store_dir: Path, graph: str | None,
         embedded: bool, reason: bool) -> None:
    """Bulk-load Turtle, N-Triples, N-Quads or TriG files (also .gz) into a persistent store.

    All or nothing: a bad file stops the load and leaves the store as it was. Then the
    dumps and the search index that `govkg serve --store` offers are built.
    """
    from govkg.bulkload import DEFAULT_GRAPH, input_size, load_files
    from govkg.store import built_graphs_file

    paths = [built_graphs_file(settings)] if embedded else []
    paths += list(files)
    if not paths:
        raise click.UsageError("give FILE… to load, or --embedded")
    if sys.stderr.isatty():
        size = input_size([p for p in paths if p.is_file()])
        with click.progressbar(length=size, label="Loading", file=sys.stderr,
                               update_min_steps=1 << 20) as bar:
            result = load_files(store_dir, paths, graph=graph or DEFAULT_GRAPH,
                                progress=bar.update)
    else:
        result = load_files(store_dir, paths, graph=graph or DEFAULT_GRAPH)
    click.echo(f"Loaded {result.added:,} triples from {result.files} file(s) into {store_dir} "
               f"in {result.seconds:.1f} s ({result.rate:,.0f} triples/s); "
               f"the store holds {result.total:,}.")
    if reason:
        _reason(store_dir)
    _prepare(settings, store_dir)


@main.command()
@click.option("--store", "store_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory of the persistent Oxigraph store (made by `govkg load`).")
@click.pass_obj
def reason(settings: dict[str, Any], store_dir: Path) -> None:
    """Materialise OWL RL's subclass, subproperty, inverse, transitive, chain, domain and range
    rules inside a persistent store (replacing graph/inferred), all or nothing."""
    _reason(store_dir)
    _prepare(settings, store_dir)


def _reason(store_dir: Path) -> None:
    from govkg.bulkload import reason_store

    result = reason_store(store_dir)
    click.echo(f"Reasoned over {store_dir} in {result.seconds:.1f} s ({result.rounds} rounds): "
               f"graph/inferred holds {result.inferred:,} triples.")


def _prepare(settings: dict[str, Any], store_dir: Path) -> None:
    """Build what the server needs for the store now, not at its start (``prebuilt.prepare``)."""
    import time

    from govkg.prebuilt import prepare
    from govkg.store import open_writable

    started = time.perf_counter()
    store_settings = {**settings, "store": str(store_dir)}
    prepare(store_settings, open_writable(store_dir))
    seconds = time.perf_counter() - started
    click.echo(f"Built the dumps, the search index and the figures in {seconds:.1f} s.")


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default 2).")
@click.option("--base-url", default=None, metavar="URL",
              help="Public URL of the server, when it differs from the request's host.")
@click.option("--store", "store_dir", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Serve this persistent Oxigraph store instead of the embedded data.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Serve the graphs of this SPARQL 1.1 endpoint (Virtuoso, Fuseki, QLever …) "
                   "instead of the embedded data.")
@click.option("--query-timeout", type=click.FloatRange(min=0.1), default=None, metavar="S",
              help="Seconds a SPARQL query may run before it is stopped with 503 (default 30).")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Most rows the query page shows; it says when it cuts them (default "
                   "10000). Other clients get complete results.")
@click.option("--query-workers", type=click.IntRange(min=1), default=None,
              help="Query worker processes per server worker (default 2).")
@click.option("--service-allow", multiple=True, metavar="URL",
              help="An endpoint SPARQL SERVICE may call (repeatable; default: none).")
@click.option("--allowed-host", multiple=True, metavar="HOST",
              help="A host name the server answers for (repeatable; .example.org matches "
                   "subdomains; default: any). Production sets it, with --base-url.")
@click.option("--trusted-proxy", multiple=True, metavar="ADDRESS",
              help="A reverse proxy (address or network) whose X-Forwarded-For / Forwarded "
                   "headers are believed (repeatable; default: none).")
@click.option("--query-memory", type=click.IntRange(min=64), default=None, metavar="MIB",
              help="Most memory one query worker may use (default: the machine's memory "
                   "shared among all query workers).")
@click.option("--allow-unconfined", is_flag=True, default=None,
              help="Serve even where query workers cannot be cut off from the network.")
@click.option("--result-cache-mb", type=click.IntRange(min=0), default=None, metavar="MB",
              help="Megabytes of SPARQL answers and documents kept for reuse until the next "
                   "build, shared by the server's processes (default 64; 0: none).")
@click.pass_obj
def serve(settings: dict[str, Any], host: str | None, port: int | None, workers: int | None,
          base_url: str | None, store_dir: Path | None, endpoint: str | None,
          query_timeout: float | None,
          max_rows: int | None, query_workers: int | None,
          service_allow: tuple[str, ...], allowed_host: tuple[str, ...],
          trusted_proxy: tuple[str, ...], query_memory: int | None,
          allow_unconfined: bool | None, result_cache_mb: int | None) -> None:
    """Serve the SPARQL endpoint, linked-data pages and dumps on gunicorn."""
    from govkg.settings import load_settings
    from govkg.web.server import serve as run_server

    overrides = {"root": settings.get("root"), "cache_dir": settings.get("cache_dir"),
                 "host": host, "port": port, "workers": workers, "base_url": base_url,
                 "store": str(store_dir) if store_dir else None, "endpoint": endpoint,
                 "query_timeout": query_timeout, "max_rows": max_rows,
                 "query_workers": query_workers,
                 "service_allow": " ".join(service_allow) or None,
                 "allowed_hosts": " ".join(allowed_host) or None,
                 "trusted_proxies": " ".join(trusted_proxy) or None,
                 "query_memory_mb": query_memory, "allow_unconfined": allow_unconfined,
                 "result_cache_mb": result_cache_mb}
    run_server(load_settings(overrides))
