"""Turning Documents into index entries (one per section), and back, for the reindex pipeline."""

from __future__ import annotations

from typing import Any, Iterator

from whoosh.searching import Searcher as WhooshSearcher
from whoosh.writing import IndexWriter

from kbtool.documents import Document, Section
from kbtool.index import schema as f
from kbtool.index.build import IndexBuilder
from kbtool.index.seeds import pair_term, seeds


def namespace_chain(namespace: str) -> list[str]:
    """'a:b:c' → ['a', 'a:b', 'a:b:c'] (and 'x/y' alike), so a filter on 'a' finds sub-namespaces."""
    sep = ":" if ":" in namespace else "/"
    parts = [p for p in namespace.split(sep) if p]
    return [sep.join(parts[: i + 1]) for i in range(len(parts))]


def section_entries(doc: Document) -> Iterator[dict[str, Any]]:
    """The index entries of one page, one per section."""
    namespaces = " ".join(namespace_chain(doc.namespace))
    for number, section in enumerate(doc.sections):
        entry = {
            f.KEY: f"{doc.page_id}#{number}",
            f.PAGE_ID: doc.page_id,
            f.SOURCE: doc.source,
            f.NAMESPACES: namespaces,
            f.NAMESPACE: doc.namespace,
            f.URL: doc.url,
            f.ANCHOR: section.anchor,
            f.SECTION_NO: number,
            f.MODIFIED: doc.modified,
            f.PAGE_TITLE: doc.title,
            f.HEADING: section.heading,
            f.HEADING_WORDS: section.heading,
            f.BODY: section.text,
            f.BODY_WORDS: section.text,
        }
        pairs = seeds(section.text)
        if pairs:
            entry[f.SYNONYMS] = ",".join(map(pair_term, pairs))
        if number == 0:
            entry.update({f.PAGE_VERSION: f"{doc.page_id}{f.SEP}{doc.version}",
                          f.TITLE: doc.title, f.TITLE_WORDS: doc.title, f.TAGS: doc.tags,
                          f.LABELS: " ".join((*doc.tags, page_name(doc.page_id))),
                          f.LINKS: " ".join(doc.links)})
        yield entry


def page_name(page_id: str) -> str:
    """Words of a page's file name: 'wiki/tutoriel/live_usb.txt' → 'live usb'."""
    name = page_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return name.replace("_", " ").replace("-", " ")


def add_page(writer: IndexWriter | IndexBuilder, doc: Document) -> None:
    """Index a page that is not in the index (delete its old entries first when updating).

    An index built by an older kbtool lacks the fields added since; until the next nightly run
    rebuilds it (``IndexStore.analysis_current``), a page written into it leaves them out.
    """
    for entry in section_entries(doc):
        _add(writer, entry)


def add_skipped(writer: IndexWriter | IndexBuilder, page_id: str, source: str,
                version: str, redirect: str = "") -> None:
    """Remember a page the source leaves out (a redirect, an empty page) at this version, so
    the next incremental run does not fetch it again; it holds no text and is never a result.
    A redirect's page name is indexed as what its target is about (see ranking.PageTable)."""
    entry = {f.KEY: f"{page_id}{f.SKIPPED_SUFFIX}", f.PAGE_ID: page_id, f.SOURCE: source,
             f.PAGE_VERSION: f"{page_id}{f.SEP}{version}", f.SECTION_NO: 0, f.URL: "",
             f.NAMESPACE: ""}
    if redirect:
        entry.update({f.REDIRECT: redirect, f.LABELS: page_name(page_id)})
    _add(writer, entry)


def _add(writer: IndexWriter | IndexBuilder, entry: dict[str, Any]) -> None:
    """Add one entry, leaving out the fields an index built by an older kbtool lacks."""
    schema = writer.schema
    writer.add_document(**{name: value for name, value in entry.items() if name in schema})


def delete_page(writer: IndexWriter | IndexBuilder, page_id: str) -> None:
    """Remove every section of a page."""
    writer.delete_by_term(f.PAGE_ID, page_id)


def copy_page(searcher: WhooshSearcher, writer: IndexWriter | IndexBuilder, page_id: str,
              version: str) -> bool:
    """Copy an indexed page into a rebuilt index, re-analysed from its stored fields, when its
    source failed this time or was left out of the run (its last good version stays
    searchable); a page remembered as skipped stays a skipped one.  False if it is not there."""
    stored = sorted(searcher.documents(**{f.PAGE_ID: page_id}), key=lambda d: d[f.SECTION_NO])
    if not stored:
        return False
    first = stored[0]
    if first[f.KEY].endswith(f.SKIPPED_SUFFIX):
        add_skipped(writer, page_id, first[f.SOURCE], version, first.get(f.REDIRECT, ""))
        return True
    sections = tuple(Section(heading=d.get(f.HEADING, ""), anchor=d.get(f.ANCHOR, ""),
                             text=d.get(f.BODY, "")) for d in stored)
    add_page(writer, Document(source=first[f.SOURCE], page_id=page_id,
                              title=first.get(f.PAGE_TITLE, ""), url=first[f.URL],
                              namespace=first.get(f.NAMESPACE, ""), version=version,
                              sections=sections, modified=first.get(f.MODIFIED, 0.0),
                              tags=tuple(first.get(f.TAGS, ())),
                              links=tuple(first.get(f.LINKS, "").split())))
    return True
