"""Where the index lives on disk, how a rebuild is swapped in, and the lock against two runs.

Layout of ``index.dir``::

    current -> gen-20261128T010203-1234   (symlink, replaced atomically by a full rebuild)
    gen-20261128T010203-1234/             (a complete Whoosh index, analysis-version and
                                           source-settings.json)
    reindex.lock                          (held by the running reindex)
    status.json, crawl-state/             (what the last runs did, per source)

A full rebuild writes a new ``gen-*`` folder and only then points ``current`` at it with an atomic
rename, so the live index is never deleted first and a reindex killed midway leaves the old one
whole.  Incremental updates go through Whoosh's own commit, which is atomic too.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.reading import IndexReader

from kbtool.index.analysis import ANALYSIS_VERSION
from kbtool.index.errors import IndexBusy, IndexMissing, IndexUnreadable
from kbtool.index.schema import KEY, PAGE_VERSION, SEP, SKIPPED_SUFFIX, make_schema
from kbtool.index.whoosh_private import MappedStorage

log = logging.getLogger(__name__)

CURRENT = "current"
LOCK_FILE = "reindex.lock"
ANALYSIS_FILE = "analysis-version"   # the analysis a generation was built with
SETTINGS_FILE = "source-settings.json"   # per source, the settings its pages were read with


class IndexStore:
    """The index folder: its current generation, new generations, and the reindex lock."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def current_path(self) -> Path:
        return self.root / CURRENT

    def exists(self) -> bool:
        """True when a complete, readable index is in place (a damaged one is not: the next
        reindex builds a new one in full)."""
        try:
            return whoosh_index.exists_in(str(self.current_path))
        except Exception as exc:  # noqa: BLE001 - a damaged table of contents fails in many ways
            log.info("%s: the index cannot be read: %r", self.current_path, exc)
            return False

    def generation(self) -> str:
        """Name of the current generation (changes when a rebuild is swapped in)."""
        try:
            return os.readlink(self.current_path)
        except OSError:
            return ""

    def open(self) -> FileIndex:
        """The current index, or IndexMissing with the command that builds it."""
        if not self.exists():
            # Whoosh also says "no index" for folders it may not read: name that instead.
            for folder in (self.root, self.current_path):
                if folder.is_dir():
                    os.listdir(folder)  # PermissionError naming the folder
            if self.current_path.is_dir() and any(self.current_path.iterdir()):
                raise IndexUnreadable(f"{self.current_path.resolve()}: the index is damaged "
                                      "and cannot be read; `kbtool reindex` builds a new one")
            raise IndexMissing(f"{self.root}: no index yet; run `kbtool reindex` first")
        return MappedStorage(str(self.current_path.resolve())).open_index()

    def analysis_current(self) -> bool:
        """True when the current generation was built with this kbtool's analysis (an index
        from before versions were recorded counts as another one)."""
        try:
            built = (self.current_path / ANALYSIS_FILE).read_text(encoding="ascii").strip()
        except OSError:
            return False
        return built == str(ANALYSIS_VERSION)

    def source_settings(self) -> dict[str, str]:
        """Source name → digest of the settings its indexed pages were read with."""
        try:
            recorded = json.loads((self.current_path / SETTINGS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return recorded if isinstance(recorded, dict) else {}

    def record_source_settings(self, digests: dict[str, str]) -> None:
        """Record the digests in the current generation.  Called after the run's commit: a
        run killed between the two reads the pages again next time, never keeps stale ones."""
        path = self.current_path / SETTINGS_FILE
        tmp = path.with_name(f".{SETTINGS_FILE}.{os.getpid()}")
        tmp.write_text(json.dumps(digests, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)

    def versions(self, skipped: bool = True) -> dict[str, str]:
        """page id → indexed version, read from the term list only (no stored fields); with
        ``skipped=False``, only the pages that hold text (not the redirects remembered)."""
        with self.open().reader() as reader:
            live = (term for term in reader.lexicon(PAGE_VERSION)
                    if reader.postings(PAGE_VERSION, term).is_active())
            pairs = (term.decode("utf-8").split(SEP, 1) for term in live)
            return {page_id: version for page_id, version in pairs
                    if skipped or _holds_text(reader, page_id)}

    def create_generation(self) -> FileIndex:
        """An empty index in a new generation folder, not yet visible to readers."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = self.root / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        path.mkdir()
        (path / ANALYSIS_FILE).write_text(f"{ANALYSIS_VERSION}\n", encoding="ascii")
        return MappedStorage(str(path)).create_index(make_schema())

    def publish(self, generation: FileIndex) -> None:
        """Point ``current`` at a finished generation atomically, then drop older ones."""
        name = Path(generation.storage.folder).name
        link = self.root / f".{CURRENT}.{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        os.symlink(name, link)
        os.replace(link, self.current_path)
        self._fsync_dir()
        self.drop_stale_generations()

    def drop_stale_generations(self) -> None:
        """Remove generation folders other than the current one (left by killed rebuilds).

        Only called under the lock: no other writer can be filling one of them.  Readers that
        still have an old generation open keep their open files (POSIX unlink semantics).
        """
        keep = self.generation()
        for path in self.root.glob("gen-*"):
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def lock(self, timeout: float = 0.0) -> Iterator[None]:
        """Hold the reindex lock, or raise IndexBusy saying who holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        with open(path, "a+", encoding="utf-8") as handle:
            self._acquire(handle, path, timeout)
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            handle.flush()
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _acquire(handle, path: Path, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown process"
                    raise IndexBusy(f"another reindex is running ({holder}; lock {path})") from None
                time.sleep(0.2)

    def _fsync_dir(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _holds_text(reader: IndexReader, page_id: str) -> bool:
    """False for a page remembered as skipped (see :func:`kbtool.index.writer.add_skipped`)."""
    key = f"{page_id}{SKIPPED_SUFFIX}"
    return (KEY, key) not in reader or not reader.postings(KEY, key).is_active()
