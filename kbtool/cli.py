"""The ``kbtool`` command: reindex (cron), search, evaluate, status, and the web commands.

Expected errors (bad configuration or input, a file or folder the system refuses, a busy port or
index) become one line on stderr, ``kbtool: error: …``, and a documented exit status, so cron
mail and scripts can tell what went wrong without a traceback.  Only a bug shows one.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from kbtool import __version__, stopping
from kbtool.config import Config, ConfigError, declared_default, load

if TYPE_CHECKING:
    from kbtool.index.synonym_rules import SynonymRules

EXIT_OK = 0
EXIT_FAILURES = 1      # the run finished, but some pages or sources failed
EXIT_USAGE = 2         # bad arguments, configuration or input file
EXIT_BUSY = 3          # another reindex holds the lock
EXIT_NO_INDEX = 4      # nothing indexed yet
EXIT_SYSTEM = 5        # the system refused: a file or folder, the database, the port to serve on
EXIT_INTERRUPTED = 130  # Ctrl+C (SIGINT)
EXIT_CLOSED_PIPE = 141  # the reader of the output went away (`kbtool search … | head`)

Handler = Callable[[argparse.Namespace, Config], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    # A terminal or pipe that cannot show a character (PYTHONIOENCODING=ascii, an argument that
    # is not UTF-8) gets an escape sequence for it rather than a crash halfway through.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        config = None if getattr(args, "no_config", False) else load(args.config)
        code = args.handler(args, config)
        sys.stdout.flush()  # here, so that a reader gone away is noticed inside the try
    except stopping.Terminated:
        code = stopping.EXIT_STATUS
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        code = _output_closed()
    except Exception as exc:  # noqa: BLE001 - every known error becomes one line
        code = _exit_code(exc)
        if code is None:
            raise
        print(f"kbtool: error: {_describe(exc)}", file=sys.stderr)
    finally:
        terminated = stopping.uninstall()
    # SIGTERM (``kill``, ``timeout``, systemd) stops a reindex at its next check, through its
    # clean-up code (see kbtool.stopping); one that came after the last check, or while the
    # run was failing anyway, still ends it with 143, as asked.  Other commands end at once
    # (the default), or as the web server decides.
    return stopping.EXIT_STATUS if terminated else code


def build_parser() -> argparse.ArgumentParser:
    """All subcommands; web ones come from :mod:`kbtool.webcli`."""
    parser = argparse.ArgumentParser(prog="kbtool", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="configuration file (default: $KBTOOL_CONFIG, "
                                         "then ./kbtool.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"kbtool {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    reindex = commands.add_parser("reindex", help="crawl the sources and update the index")
    reindex.add_argument("--full", action="store_true",
                         help="rebuild from scratch in a new folder, then swap it in")
    reindex.add_argument("--source", action="append", default=[], metavar="NAME",
                         help="only this source (repeatable)")
    reindex.set_defaults(handler=_reindex)

    search = commands.add_parser("search", help="search the index")
    search.add_argument("query")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.add_argument("--limit", type=_positive,
                        help="pages to show (default: search.limit)")
    search.add_argument("--page", type=_positive, default=1, help="result page (default 1)")
    search.add_argument("--source", action="append", default=[], metavar="NAME")
    search.add_argument("--namespace", action="append", default=[], metavar="NS")
    search.set_defaults(handler=_search)

    evaluate = commands.add_parser("evaluate", help="measure search quality on judged queries")
    evaluate.add_argument("queries", type=Path, help="JSON Lines file of judged queries")
    evaluate.add_argument("--json", action="store_true", help="machine-readable output")
    evaluate.set_defaults(handler=_evaluate)

    status = commands.add_parser("status", help="last runs, page counts and errors per source")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=_status)

    demo = commands.add_parser("demo", help="index the bundled sample and serve the web UI")
    demo.add_argument("--dir", type=Path, default=Path("var/demo"),
                      help="folder for the demo's index and database (default var/demo)")
    demo.add_argument("--host", default=declared_default("web.host"))
    demo.add_argument("--port", type=int, default=declared_default("web.port"))
    demo.add_argument("--no-serve", action="store_true", help="prepare only, do not serve")
    demo.set_defaults(handler=_demo, no_config=True)

    from kbtool import webcli
    webcli.add_commands(commands)
    return parser


def _positive(text: str) -> int:
    """An argparse type: a whole number from 1 up."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 up")
    return int(text)


def _reindex(args: argparse.Namespace, config: Config) -> int:
    from kbtool.crawler import open_source
    from kbtool.pipeline import reindex
    # An unknown name, or a setting only its source checks (a password that cannot be found,
    # a start URL outside its prefix), is a configuration error: exit 2 before anything runs,
    # rather than one more failed source of a run that exits 1.
    for source in [config.source(name) for name in args.source] or config.sources:
        open_source(source, config)
    stopping.install()  # the run checks for SIGTERM where it can stop cleanly
    report = reindex(config, full=args.full, progress=True, only=args.source)
    for failure in report.failures:
        print(f"failed: {failure}", file=sys.stderr)
    _recheck_citations(config)
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAILURES


def _recheck_citations(config: Config) -> None:
    """Compare the sections cited in the app with the index just updated (the findings wait in
    the store for the reviewers' dashboard) and say how many need a look, before the run's
    summary line.  A store that cannot be read is reported, not a failure of the reindex."""
    from kbtool import store
    from kbtool.index.engine import search_index
    from kbtool.index.errors import IndexMissing
    from kbtool.knowledge import verification
    database = Path(config.get("web.database"))
    if not database.is_file():
        return  # the web app never ran: nothing is cited
    try:
        with closing(store.connect(database)) as conn, \
                closing(search_index(config)) as searcher:
            report = verification.check(conn, searcher, config)
    except (store.StoreError, sqlite3.Error, IndexMissing) as exc:
        print(f"cited sections not checked: {database}: {exc}", file=sys.stderr)
        return
    if report.sections or report.articles:
        print(f"to re-verify on the reviewers' dashboard: {len(report.sections)} cited "
              f"section(s), {len(report.articles)} article(s)")


def _search(args: argparse.Namespace, config: Config) -> int:
    from kbtool.index.engine import search_index
    searcher = search_index(config)
    limit = args.limit or config.get("search.limit")
    results = searcher.search(args.query, sources=args.source, namespaces=args.namespace,
                              limit=limit, page=args.page, synonyms=_team_synonyms(config))
    if args.json:
        print(json.dumps(results_to_json(results), ensure_ascii=False, indent=2))
        return EXIT_OK
    if results.also_searched:
        print(f"Also searched: {', '.join(results.also_searched)}")
    if results.suggestion:
        print(f"Did you mean: {results.suggestion}")
    if not results.confident:
        print("No confident answer in the knowledge base: write the missing article.")
    for rank, hit in enumerate(results.hits, start=(results.page - 1) * limit + 1):
        print(f"{rank:>2}. {hit.title}  [{hit.page_id}]\n    {hit.url}")
        for section in hit.sections:
            print(f"    - {section.heading or '(top of page)'}: {section.url}")
    print(f"{results.total} page(s), page {results.page}/{results.page_count}")
    return EXIT_OK


def results_to_json(results) -> dict:
    """The JSON shape of ``kbtool search --json``."""
    return {
        "query": results.query,
        "confident": results.confident,
        "suggestion": results.suggestion,
        "also_searched": list(results.also_searched),
        "total": results.total,
        "page": results.page,
        "page_count": results.page_count,
        "hits": [{
            "page_id": hit.page_id, "title": hit.title, "url": hit.url, "source": hit.source,
            "namespace": hit.namespace, "modified": hit.modified, "score": round(hit.score, 4),
            "sections": [{"heading": s.heading, "anchor": s.anchor, "url": s.url,
                          "snippet": s.snippet, "score": round(s.score, 4)}
                         for s in hit.sections],
        } for hit in results.hits],
    }


def _evaluate(args: argparse.Namespace, config: Config) -> int:
    from kbtool.evaluation import evaluate, format_report, load_queries
    from kbtool.index.engine import search_index
    queries = load_queries(args.queries)
    searcher = search_index(config)
    report = evaluate(searcher, queries, _team_synonyms(config))
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json
          else format_report(report))
    return EXIT_OK


def _team_synonyms(config: Config) -> SynonymRules:
    """The team's synonym table when the web UI's database exists; none otherwise (a fresh
    machine searches with the pairs the documentation gives only)."""
    from kbtool import store
    from kbtool.index.synonym_rules import NO_RULES
    from kbtool.knowledge import synonyms
    path = Path(config.get("web.database"))
    if not path.exists():
        return NO_RULES
    with closing(store.connect(path)) as conn:
        return synonyms.rules(conn)


def _status(args: argparse.Namespace, config: Config) -> int:
    from kbtool.index.engine import updatable_index
    from kbtool.pipeline import read_status
    status = read_status(config)
    counts: dict[str, int] = {}
    for page_id in updatable_index(config).versions(skipped=False):
        name = page_id.split("/", 1)[0]
        counts[name] = counts.get(name, 0) + 1
    rows = {s.name: {"kind": s.kind, "pages": counts.get(s.name, 0), **status.get(s.name, {})}
            for s in config.sources}
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    for name, row in rows.items():
        print(f"{name} ({row['kind']}): {row['pages']} pages indexed; "
              f"last run {row.get('last_run', 'never')}, "
              f"last success {row.get('last_success', 'never')}, "
              f"{row.get('error_count', 0)} error(s)")
        for error in row.get("errors", []):
            print(f"    {error}")
    return EXIT_OK


def _demo(args: argparse.Namespace, _: None) -> int:
    """The README's first command: the bundled sample, indexed and served, no server needed.
    Its configuration is written to a file, which the printed lines point the other commands at."""
    from kbtool.demo import next_steps, write_config
    from kbtool.pipeline import reindex
    from kbtool.web import ensure_admin, serve
    config_path = write_config(args.dir, args.host, args.port)
    config = load(config_path)
    print(reindex(config).summary())
    created = ensure_admin(config)
    if created:
        print(f"Admin account created: {created[0]}, password: {created[1]} (shown only once)")
    print("\n".join(next_steps(config_path, created[0] if created else "admin")), flush=True)
    if args.no_serve:
        return EXIT_OK
    serve(config, args.host, args.port)
    return EXIT_OK


def _exit_code(exc: Exception) -> int | None:
    """The documented status of an expected error; None for a bug (its traceback is shown)."""
    from kbtool.evaluation import QueryFileError
    from kbtool.index.errors import IndexBusy, IndexMissing
    from kbtool.webcli import USAGE_ERRORS
    if isinstance(exc, (ConfigError, QueryFileError, *USAGE_ERRORS)):
        return EXIT_USAGE
    if isinstance(exc, IndexBusy):
        return EXIT_BUSY
    if isinstance(exc, IndexMissing):
        return EXIT_NO_INDEX
    if isinstance(exc, (OSError, sqlite3.Error)):
        return EXIT_SYSTEM
    return None


def _describe(exc: Exception) -> str:
    """One line for an error: an OSError as ``reason: path`` rather than ``[Errno 13] …``."""
    if isinstance(exc, OSError) and exc.strerror:
        if exc.filename is None:
            return exc.strerror
        target = f"{exc.filename} -> {exc.filename2}" if exc.filename2 else exc.filename
        return f"{exc.strerror}: {target}"
    if isinstance(exc, sqlite3.Error):
        return f"database (web.database): {exc}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _output_closed() -> int:
    """The reader of our output went away: stop quietly.  Standard output is pointed at
    /dev/null so that Python's own flush at exit does not fail a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_CLOSED_PIPE
