"""The reindex run: the one place where the crawler and the index meet.

Incremental by default: each source lists its pages with their versions; only pages whose
version differs from the indexed one are fetched and re-indexed, and pages gone from a complete
listing are removed.  ``full=True`` rebuilds into a new generation and swaps it in.  Whatever
fails (a page, a whole source) keeps its last indexed version, is reported, and a page that
failed is read again by the next run whatever its version (``retry`` in ``status.json``): its
entry may be as old as the version listed now, and a rebuild only carried it over.  A source
whose server stops answering mid-run is read no further (``SourceDown``).  A source whose
settings changed since its pages were read (another ``base_url``, ``url_style`` or account) has
all its pages read again, since unchanged pages would otherwise keep what the old settings made
of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kbtool import stopping
from kbtool.config import Config, SourceConfig, declared_default
from kbtool.crawler import open_source
from kbtool.crawler.base import Source
from kbtool.documents import Failure, SourceDown
from kbtool.index.engine import updatable_index
from kbtool.index.updating import IndexUpdate, UpdatableIndex
from kbtool.read_ahead import read_ahead

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"
# What _write_status records per source, and each field's type.
_STATUS_FIELDS = {"last_run": str, "last_success": str, "listed": int, "errors": list,
                  "error_count": int, "retry": list}


@dataclass
class SourceReport:
    """What one run did for one source."""

    name: str
    listed: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    kept: int = 0
    failures: list[Failure] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)  # pages the next run reads whatever happens
    reading_seconds: float = 0.0  # from the first page asked for to the last one read

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class RunReport:
    """What a reindex run did, source by source."""

    full: bool
    sources: list[SourceReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sources)

    @property
    def failures(self) -> list[Failure]:
        return [fail for s in self.sources for fail in s.failures]

    def summary(self) -> str:
        """One line for cron mail and logs."""
        def total(name: str) -> int:
            return sum(getattr(s, name) for s in self.sources)
        return (f"reindex{' --full' if self.full else ''}: {len(self.sources)} source(s), "
                f"{total('listed')} pages listed, {total('added')} added, "
                f"{total('updated')} updated, {total('deleted')} deleted, "
                f"{total('skipped')} skipped, {len(self.failures)} failed "
                f"in {self.seconds:.1f} s")


@dataclass(frozen=True)
class _Plan:
    """Pages of one source to fetch, to delete, and to carry over from the previous index;
    ``reader`` is the source object that listed them (it may hold what it fetched while
    listing, or a logged-in session)."""

    name: str
    reader: Source | None
    fetch: dict[str, str]       # page id → listed version
    delete: list[str]
    carry: list[str]
    complete: bool = True       # every page of the source was listed in this run


def reindex(config: Config, *, full: bool = False, progress: bool = False,
            only: Iterable[str] = ()) -> RunReport:
    """Bring the index up to date with every configured source (or those named in ``only``)."""
    index = updatable_index(config)
    started = time.monotonic()
    with index.lock(config.get("index.lock_timeout")):
        stopping.check()
        rebuild = full or not index.exists()
        if not rebuild and not only and not index.analysis_current():
            # (Not in a run of some sources only, such as the one publishing an article
            # starts: a full crawl there would keep a reviewer waiting; the nightly run does it.)
            log.warning("%s was built by another version of kbtool's analysis: rebuilding it "
                        "in full", config.index_dir)
            rebuild = True
        report = RunReport(full=rebuild)
        indexed = index.versions()
        retry = _pages_to_retry(config.index_dir)
        recorded = index.source_settings()
        chosen = [s for s in config.sources if not only or s.name in set(only)]
        stale = set() if rebuild else _changed_settings(chosen, recorded, reread=not only)
        reread = set() if only else stale
        plans = [_plan(source, config, indexed, rebuild, report, source.name in reread,
                       retry.get(source.name, set()))
                 for source in chosen]
        if not only:
            plans.append(_orphans(config, indexed, rebuild))
        elif rebuild:
            plans += [_left_out(source, indexed) for source in config.sources
                      if source not in chosen]
        _apply(plans, index, rebuild, indexed, report, progress)
        index.record_source_settings(_settings_read(config, recorded, plans, stale - reread))
    report.seconds = time.monotonic() - started
    _write_status(config.index_dir, report)
    return report


def _settings_digest(source: SourceConfig) -> str:
    """A digest of the settings a source's pages are read with.  Settings left at their
    default count as unset, so that a kbtool declaring a new setting does not make every
    source read again."""
    chosen = {key: str(value) for key, value in source.options.items()
              if value is not None and value != declared_default(f"sources.{key}")}
    return hashlib.sha256(json.dumps(chosen, sort_keys=True).encode()).hexdigest()[:16]


def _changed_settings(sources: list[SourceConfig], recorded: dict[str, str],
                      reread: bool) -> set[str]:
    """Sources whose settings changed since their pages were read (said in a warning).  A run
    of some sources only leaves them to the next run of all sources, like a change of
    analysis: publishing an article must not keep a reviewer waiting for a whole crawl."""
    changed = {source.name for source in sources
               if recorded.get(source.name) not in (None, _settings_digest(source))}
    for name in sorted(changed):
        log.warning("the settings of source %s changed since its pages were indexed: %s", name,
                    "reading them all again" if reread else
                    "the next run of all sources reads them all again")
    return changed


def _settings_read(config: Config, recorded: dict[str, str], plans: list[_Plan],
                   unread: set[str]) -> dict[str, str]:
    """The settings digests to record after a run: a source listed in full in this run was
    read with its current settings (a page of it that failed keeps its old entry until it
    changes, as any failed page does); a source left out, not listed in full or whose changed
    settings were left ``unread`` keeps its digest."""
    listed = {plan.name for plan in plans if plan.complete and plan.name not in unread}
    digests = {}
    for source in config.sources:
        if source.name in listed:
            digests[source.name] = _settings_digest(source)
        elif source.name in recorded:
            digests[source.name] = recorded[source.name]
    return digests


def _plan(source: SourceConfig, config: Config, indexed: dict[str, str], rebuild: bool,
          report: RunReport, reread: bool, retry: set[str]) -> _Plan:
    """Compare the source's listing with the index: what to fetch (everything listed when
    ``reread``, and the pages that failed last time), delete, or carry over."""
    source_report = SourceReport(source.name)
    report.sources.append(source_report)
    mine = _indexed_pages(source, indexed)
    stopping.check()
    try:
        reader = open_source(source, config)
        listing = reader.listing()
    except Exception as exc:  # a source bug or outage must not stop the other sources
        log.exception("listing %s failed", source.name)
        source_report.failures.append(Failure(source.name, source.name,
                                              f"listing failed: {exc}"))
        source_report.retry = sorted(retry)  # nothing read: still to read again
        return _Plan(source.name, None, {}, [], sorted(mine) if rebuild else [],
                     complete=False)
    source_report.failures.extend(listing.failures)
    source_report.listed = len(listing.versions)
    changed = {pid: v for pid, v in listing.versions.items()
               if rebuild or reread or pid in retry or mine.get(pid) != v}
    gone = [pid for pid in mine if pid not in listing.versions]
    if not listing.complete:
        # An incomplete listing proves nothing about absent pages: keep them (and those to
        # read again: unseen, they still are).
        source_report.retry = sorted(pid for pid in retry if pid not in listing.versions)
        return _Plan(source.name, reader, changed, [], gone if rebuild else [], complete=False)
    return _Plan(source.name, reader, changed, gone, [])


def _left_out(source: SourceConfig, indexed: dict[str, str]) -> _Plan:
    """A source a rebuild of only some sources leaves out: its pages are carried over."""
    return _Plan(source.name, None, {}, [], sorted(_indexed_pages(source, indexed)),
                 complete=False)


def _indexed_pages(source: SourceConfig, indexed: dict[str, str]) -> dict[str, str]:
    """The source's pages in the index (page ids start with its name), with their versions."""
    prefix = f"{source.name}/"
    return {pid: version for pid, version in indexed.items() if pid.startswith(prefix)}


def _orphans(config: Config, indexed: dict[str, str], rebuild: bool) -> _Plan:
    """Pages of sources no longer configured: dropped."""
    names = {f"{s.name}/" for s in config.sources}
    stale = [pid for pid in indexed if not any(pid.startswith(n) for n in names)]
    return _Plan("(removed sources)", None, {}, [] if rebuild else stale, [])


def _apply(plans: list[_Plan], index: UpdatableIndex, rebuild: bool,
           indexed: dict[str, str], report: RunReport, progress: bool) -> None:
    """Fetch, add and delete as planned, into a new generation when ``rebuild``; commit it all
    at once, or nothing."""
    work = sum(len(p.fetch) for p in plans)
    update = index.update(rebuild=rebuild, pages=work)
    reports = {r.name: r for r in report.sources}
    try:
        with _ProgressBar(work, progress) as tick:
            for plan in plans:
                source_report = reports.get(plan.name, SourceReport(plan.name))
                _apply_plan(plan, update, rebuild, indexed, source_report, tick)
        stopping.check()
    except BaseException:
        update.abort()
        raise
    update.commit()


def _apply_plan(plan: _Plan, update: IndexUpdate, rebuild: bool,
                indexed: dict[str, str], report: SourceReport,
                tick: Callable[[], None]) -> None:
    kept: list[str] = list(plan.carry)
    started = time.monotonic()
    pending = list(plan.fetch)
    for done, (page_id, result) in enumerate(read_ahead(plan.reader, pending)):
        report.reading_seconds = time.monotonic() - started
        tick()
        stopping.check()
        if isinstance(result, Failure):
            unread = pending[done:] if isinstance(result, SourceDown) else [page_id]
            _failed(result, unread, report)
            kept += unread
            continue
        known = page_id in indexed
        if known:
            update.delete_page(page_id)
        if result is None or result.redirect:
            update.add_skipped(page_id, plan.name, plan.fetch[page_id],
                               result.redirect if result else "")
            report.skipped += 1
            continue
        update.add_page(result)
        if known:
            report.updated += 1
        else:
            report.added += 1
    for page_id in plan.delete:
        update.delete_page(page_id)
        report.deleted += 1
    if rebuild:
        _carry_over(kept, update, indexed, report)


def _failed(failure: Failure, unread: list[str], report: SourceReport) -> None:
    """Pages that could not be read this time: reported once, and read again next run."""
    if isinstance(failure, SourceDown):
        failure = SourceDown(failure.source, failure.location,
                             f"{failure.reason}; stopped reading this source: {len(unread)} "
                             "page(s) not read keep their indexed version")
    report.failures.append(failure)
    report.retry += unread


def _carry_over(page_ids: list[str], update: IndexUpdate, indexed: dict[str, str],
                report: SourceReport) -> None:
    """Copy into a rebuilt index the last good version of pages that failed this time, or
    of a source the run left out.

    (An incremental run needs nothing of the kind: a page is deleted only once its new version
    has been read.)
    """
    for page_id in page_ids:
        if page_id in indexed:
            stopping.check()
            if update.keep_page(page_id, indexed[page_id]):
                report.kept += 1


class _ProgressBar:
    """A tqdm bar on a terminal, nothing under cron."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled and total and sys.stderr.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="page", file=sys.stderr)

    def __enter__(self) -> Callable[[], None]:
        return self.bar.update if self.bar is not None else (lambda: None)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _write_status(root: Path, report: RunReport) -> None:
    """Record per source the last run, the last success, page counts, errors (kbtool status)
    and the pages to read again."""
    path = root / STATUS_FILE
    status = _read_status(root)
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    for source in report.sources:
        entry = status.setdefault(source.name, {})
        entry.update(last_run=now, listed=source.listed,
                     errors=[str(fail) for fail in source.failures[:20]],
                     error_count=len(source.failures), retry=source.retry)
        if source.ok:
            entry["last_success"] = now
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_status(config: Config) -> dict[str, dict]:
    """What :func:`reindex` recorded per source."""
    return _read_status(config.index_dir)


def _read_status(root: Path) -> dict[str, dict]:
    """The status file as :func:`_write_status` writes it; whatever else a disk, an editor or a
    crash left there is dropped (the next run writes it anew) rather than trusted."""
    try:
        status = json.loads((root / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(status, dict):
        return {}
    return {name: _status_entry(entry) for name, entry in status.items()
            if isinstance(entry, dict)}


def _status_entry(entry: dict) -> dict:
    """The fields of one source's entry that have the type kbtool writes."""
    kept: dict = {}
    for name, kind in _STATUS_FIELDS.items():
        value = entry.get(name)
        if kind is list and isinstance(value, list):
            kept[name] = [item for item in value if isinstance(item, str)]
        elif kind is int and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            kept[name] = value
        elif kind is str and isinstance(value, str):
            kept[name] = value
    return kept


def _pages_to_retry(root: Path) -> dict[str, set[str]]:
    """Source name → the pages that failed in its last run (see the module docstring)."""
    return {name: set(entry.get("retry", ())) for name, entry in _read_status(root).items()}
