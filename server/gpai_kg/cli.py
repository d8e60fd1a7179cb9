"""The ``gpai-kg`` command: validate, build, list and compare releases, query (and serve, in the service)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from .config import BY_NAME, Settings
from .errors import ConfigError, GpaiKgError, QueryError, ValidationFailed
from .project import Project


def _settings(**overrides) -> Settings:
    return Settings.load({k: v for k, v in overrides.items() if k in BY_NAME})


def _setting_options(*names):
    """CLI flags for settings, with the help text declared in gpai_kg.config."""
    def decorate(func):
        for name in reversed(names):
            setting = BY_NAME[name]
            flag = {"is_flag": True} if setting.default is False else {}
            func = click.option("--" + name.replace("_", "-"), name, default=None, **flag,
                                help=setting.help + f" [env: {setting.env_var}]")(func)
        return func
    return decorate


_project_options = _setting_options("project_dir", "dist_dir")
SERVICE_SETTINGS = ("host", "port", "workers", "threads", "query_workers", "query_timeout", "max_rows",
                    "max_query_bytes", "client_max_queries", "max_long_queries", "client_max_long_queries",
                    "long_query_after",
                    "client_query_seconds", "trusted_proxies",
                    "query_memory_mb", "memory_store_max_triples", "release_memory_max_triples",
                    "service_allow", "federation",
                    "wikidata_endpoint", "store_dir", "store", "graph_store",
                    "base_iri", "release")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gpai-kg")
def cli() -> None:
    """The GPAI knowledge graph: validate and build its release, query it, serve it."""


@cli.command()
@_project_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Report as text for people or JSON for machines.")
def validate(fmt: str, **options) -> None:
    """Check every source: it parses, conforms to the shapes and passes the checks."""
    from .validate import validate as run

    project = Project.from_settings(_settings(**options))
    result = run(project)
    _print_report(result.report, fmt)
    sys.exit(0 if result.ok else 1)


@cli.command()
@_project_options
@click.option("--release", default=None, help=BY_NAME["release"].help + " [env: GPAI_KG_RELEASE]")
@click.option("--base-iri", "base_iri", default=None,
              help=BY_NAME["base_iri"].help + " [env: GPAI_KG_BASE_IRI]")
@_setting_options("publisher", "contact")
@click.option("--notes", default=None,
              help="Your words on this release, put before the summary of its changes in its version notes.")
def build(notes: str | None, **options) -> None:
    """Validate, then write a versioned release after the latest one (refused, with a report, if invalid).

    Earlier releases are kept. The new one names the latest as its predecessor and publishes the
    changes since (changes.*); it is refused if it drops an IRI the predecessor published.
    """
    from .build import build as run

    settings = _settings(**options)
    release = run(Project.from_settings(settings), settings, notes)
    counts = ", ".join(f"{name} {n}" for name, n in release.triples.items())
    click.echo(f"built release {release.version} in {release.seconds} s: {release.path}")
    click.echo(f"triples: {counts}")
    if release.previous:
        click.echo(f"follows release {release.previous}: {release.notes} (changes.md in the release)")


@cli.command()
@_project_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="A table for people or JSON for machines.")
def releases(fmt: str, **options) -> None:
    """List the releases kept in the dist folder, newest first, each checked against its SHA256SUMS.

    Exits 1 if any release is damaged.
    """
    from .release_files import latest_release
    from .releases import kept_releases
    from .store import verify_release

    project = Project.from_settings(_settings(**options))
    latest = latest_release(project.dist)
    rows = []
    for release in kept_releases(project.dist):
        try:
            verify_release(release.folder)
            checked = "ok"
        except GpaiKgError as exc:
            checked = f"damaged: {exc}"
        rows.append({"version": release.version, "issued": release.issued, "triples": release.triples,
                     "previous": release.previous, "latest": release.folder == latest, "checksums": checked})
    if fmt == "json":
        click.echo(json.dumps({"dist": str(project.dist), "releases": rows}, indent=1))
    elif not rows:
        click.echo(f"no release under {project.dist}: run `gpai-kg build` first")
    else:
        table = [["version", "issued", "triples", "previous", "checksums"]]
        table += [[r["version"] + (" (latest)" if r["latest"] else ""), r["issued"] or "?",
                   "?" if r["triples"] is None else str(r["triples"]), r["previous"] or "—", r["checksums"]]
                  for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
        for row in table:
            click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    if any(r["checksums"] != "ok" for r in rows):
        sys.exit(1)


@cli.command("diff")
@_project_options
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder to write the change set into (default: diffs/OLD--NEW/ in the dist folder).")
def diff_command(old: str | None, new: str | None, out: str | None, **options) -> None:
    """Compare two releases (default: the latest and the one before it) and write what changed.

    Writes added.nt and removed.nt (the knowledge graph's triples), patch.rdfp (an RDF Patch that
    turns OLD's dataset into NEW's, checked by applying it) and changelog.md and changelog.json
    (the changes by resource and kind). Exits 0 whatever changed.
    """
    from .changelog import KINDS
    from .diff import Snapshot, compare, write_change_set
    from .errors import ReleaseNotFound
    from .releases import find_release, kept_releases

    project = Project.from_settings(_settings(**options))
    if new is None:
        kept = kept_releases(project.dist)
        if old is not None:
            new_release = kept[0] if kept else None
        else:
            if len(kept) < 2:
                raise ReleaseNotFound(f"{len(kept)} release{'s' if len(kept) != 1 else ''} under {project.dist}: "
                                      f"a diff needs two (name them: gpai-kg diff OLD NEW)")
            new_release = kept[0]
            old = kept[0].previous or kept[1].version
        if new_release is None:
            raise ReleaseNotFound(f"no release under {project.dist}: run `gpai-kg build` first")
        new = new_release.version
    old_release, new_release = find_release(project.dist, old), find_release(project.dist, new)
    comparison = compare(Snapshot.of_release(old_release), Snapshot.of_release(new_release))
    folder = Path(out) if out else project.dist / "diffs" / f"{old}--{new}"
    write_change_set(comparison, folder, in_release=False)
    log = comparison.log
    kinds = ", ".join(f"{n} {KINDS[kind][0 if n == 1 else 1]}" for kind, n in log["kinds"].items()) or "no change"
    click.echo(f"{old} → {new}: {log['triples']['added']} quads added, {log['triples']['removed']} removed, in "
               f"{len(log['resources'])} resources ({kinds}); patch checked; written to {folder}")


RESULT_FORMATS = {
    "table": None,
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {"table": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE,
                 "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


@cli.command()
@_project_options
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(sorted({*RESULT_FORMATS, *GRAPH_FORMATS})),
              default="table", help="Output format (table: aligned text for SELECT, Turtle for graphs).")
@click.option("--release", default=None, help="Release version to query (default: the latest).")
def query(sparql: str, fmt: str, release: str | None, **options) -> None:
    """Run a SPARQL query (text, or @file.rq) against a built release."""
    from .store import open_release, release_folder, run_query

    if sparql.startswith("@"):
        sparql = Path(sparql[1:]).read_text(encoding="utf-8")
    project = Project.from_settings(_settings(**options))
    store = open_release(release_folder(project, release))
    try:
        result = run_query(store, sparql)
    except SyntaxError as exc:
        raise QueryError(f"the query does not parse: {exc}") from None
    click.echo(_render(result, fmt), nl=False)


def _render(result, fmt: str) -> str:
    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"--format {fmt} is for SELECT/ASK; use one of {', '.join(GRAPH_FORMATS)}")
        return result.serialize(format=GRAPH_FORMATS[fmt]).decode("utf-8")
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use one of {', '.join(RESULT_FORMATS)}")
    if RESULT_FORMATS[fmt] is not None:
        return result.serialize(format=RESULT_FORMATS[fmt]).decode("utf-8")
    names = [v.value for v in result.variables]
    rows = [[_cell(s[n]) for n in names] for s in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    return str(term.value) if isinstance(term, ox.NamedNode) else str(term)


@cli.group()
def link() -> None:
    """Check our links to Wikidata against Wikidata, and propose new ones for review."""


def _link_client(options):
    from .wikidata import WikidataClient

    settings = _settings(**options)
    project = Project.from_settings(settings)
    cache = None if options.get("no_cache") else Path(options.get("cache") or project.dist / "link-cache")
    return project, WikidataClient(settings.wikidata_endpoint, cache)


def _with_endpoint(work, project: Project, client, release: str | None, today):
    """Run ``work(store, client, today, progress)`` over a release, with a progress bar on stderr."""
    from .linking import our_resources
    from .store import open_release, release_folder, release_namespaces

    folder = release_folder(project, release)
    store, ns = open_release(folder), release_namespaces(folder)  # the release's IRIs, whatever its base
    linked = sum(1 for r in our_resources(store, ns).values() if r.qid)
    with click.progressbar(length=linked, label=f"asking {client.endpoint}", file=sys.stderr,
                           show_pos=True) as bar:
        return work(store, client, today, ns, progress=bar.update)


def _link_options(func):
    func = click.option("--no-cache", is_flag=True, help="Ask the endpoint again, ignoring cached answers.")(func)
    func = click.option("--cache", type=click.Path(file_okay=False), default=None,
                        help="Folder of cached answers (default: link-cache/ in the dist folder).")(func)
    func = click.option("--release", default=None, help="Release version to check (default: the latest).")(func)
    func = click.option("--endpoint", "--wikidata-endpoint", "wikidata_endpoint", default=None,
                        help=BY_NAME["wikidata_endpoint"].help + " [env: GPAI_KG_WIKIDATA_ENDPOINT]")(func)
    return _project_options(func)


@link.command("check")
@_link_options
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for link-report.json and link-report.md (default: the dist folder).")
def link_check(release: str | None, out: str | None, **options) -> None:
    """Compare our Wikidata links with the entities; exit 1 if anything disagrees or does not resolve."""
    from datetime import date

    from .linking import check, write_report

    project, client = _link_client(options)
    report = _with_endpoint(check, project, client, release, date.today())
    paths = write_report(report, Path(out) if out else project.dist)
    s = report["summary"]
    click.echo(f"{s['agreements']} agreements, {s['disagreements']} disagreements, {s['unresolved']} links that "
               f"do not resolve, {s['label_differences']} label differences, {s['unlinked']} resources unlinked "
               f"({client.requests} requests); report: {paths[0]} and {paths[1]}")
    if s["disagreements"] or s["unresolved"]:
        sys.exit(1)


@link.command("propose")
@_link_options
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Review file to write (default: review/wikidata-proposals-DATE.ttl); never one in data/.")
def link_propose(release: str | None, out: str | None, **options) -> None:
    """Write what Wikidata has and we lack (QIDs, labels, DBpedia links) to a file for review."""
    from datetime import date

    from .linking import count_proposals, propose

    project, client = _link_client(options)
    today = date.today()
    target = Path(out) if out else project.root / "review" / f"wikidata-proposals-{today.isoformat()}.ttl"
    if project.data_dir.resolve() in target.resolve().parents:
        raise GpaiKgError(f"{target} is in data/: proposals go to a review file, never into curated data")
    if target.exists():
        raise GpaiKgError(f"{target} exists: move or remove it first (proposals never overwrite a file)")
    turtle = _with_endpoint(propose, project, client, release, today)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(turtle, encoding="utf-8")
    click.echo(f"{count_proposals(turtle)} proposed statements in {target}: review them, then move the file "
               f"into data/ to accept them")


@cli.command("load")
@_project_options
@_setting_options("store", "graph_store", "base_iri")
@click.option("--release", default=None, help="Release version to load (default: the latest).")
def load_command(**options) -> None:
    """Put a validated release into an external store (SPARQL Graph Store Protocol), then check it by query.

    Each release graph replaces the store's graph of the same IRI. Exits 1, naming the graph, if
    the store then holds other counts than the release; refuses a release that is not as its
    validating build wrote it. Credentials: GPAI_KG_STORE_USER and GPAI_KG_STORE_PASSWORD.
    """
    import tempfile

    from .load import check_release, load, plan
    from .namespaces import Namespaces
    from .store import check_base, release_folder, release_void, verify_release
    from .store_client import Credentials, StoreClient

    settings = _settings(**options)
    if not settings.store or not settings.graph_store:
        raise ConfigError("load needs the store's query endpoint (--store URL) and its Graph Store endpoint "
                          "(--graph-store URL); Oxigraph: http://HOST:7878/query and …/store, Virtuoso: "
                          "http://HOST:8890/sparql and …/sparql-graph-crud-auth")
    project = Project.from_settings(settings)
    folder = release_folder(project, settings.release)
    verify_release(folder)  # quick: every file as the build wrote it
    check_base(release_void(folder), settings.base_iri)
    ns = Namespaces(settings.base_iri)
    client = StoreClient(settings.store, settings.graph_store, Credentials.from_environment())
    client.check_access()  # the store answers and takes our credentials, before the long validation
    check_release(folder, ns)
    with tempfile.TemporaryDirectory(prefix="gpai-kg-load-") as workdir:
        loads = plan(folder, Path(workdir))
        click.echo(f"release {folder.name} is valid; loading {len(loads)} graphs into {settings.graph_store}",
                   err=True)
        done = load(client, loads, on_graph=lambda d: click.echo(
            f"  <{d.graph}>: {d.sent:,} triples in {d.seconds:.2f} s", err=True))
    click.echo(f"loaded release {folder.name} into {settings.store}: "
               + ", ".join(f"<{d.graph}> {d.held:,}" for d in done) + " triples, as counted by the store")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@_project_options
@_setting_options(*SERVICE_SETTINGS)
@click.option("--dev", is_flag=True, help="Run Flask's development server instead of gunicorn.")
def serve(files: tuple[str, ...], dev: bool, **options) -> None:
    """Serve the latest release (or FILES) over SPARQL, with dumps, on a local port."""
    from .service import Service
    from .web import create_app

    if files:
        options["files"] = list(files)
    settings = _settings(**options)
    overrides = {k: v for k, v in options.items() if v is not None}
    service = Service.from_settings(settings)  # prepares the store once, before any fork
    click.echo(f"serving {service.source}: {service.triples} triples in "
               f"{len(service.graphs)} graphs at http://{settings.host}:{settings.port}/sparql", err=True)
    if dev:
        create_app(overrides, service=service).run(settings.host, settings.port, threaded=True)
        return
    from .web.wsgi import run_gunicorn

    run_gunicorn(overrides, settings)


def _print_report(report, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render(), err=not report.ok)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except ValidationFailed as exc:
        click.echo(exc.report.render(), err=True)
        sys.exit(exc.exit_code)
    except GpaiKgError as exc:
        click.echo(f"gpai-kg: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("gpai-kg: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
