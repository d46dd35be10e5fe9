"""The section writer writes the very files Whoosh's own writer writes for the same documents."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import TEXT, Schema
from whoosh.formats import Frequency
from whoosh.index import FileIndex

from kbtool.documents import Document
from kbtool.index.analysis import stem_analyzer, words_analyzer
from kbtool.index.schema import make_schema
from kbtool.index.segment import SectionWriter
from kbtool.index.writer import add_page, add_skipped
from kbtool.index.whoosh_private import commit_segments, merged_segments
from tests.index.corpus import TEXTS, pages, segment_files


def build_with_whoosh(path: Path, docs: list[Document]) -> FileIndex:
    ix = index.create_in(str(path), make_schema())
    writer = ix.writer()
    for doc in docs:
        add_page(writer, doc)
    add_skipped(writer, "wiki/redirect.txt", "wiki", "7")
    writer.commit()
    return ix


def build_with_sections(path: Path, docs: list[Document]) -> FileIndex:
    ix = index.create_in(str(path), make_schema())
    main, writer = ix.writer(), SectionWriter(ix)
    for doc in docs:
        add_page(writer, doc)
    add_skipped(writer, "wiki/redirect.txt", "wiki", "7")
    commit_segments(main, [*merged_segments(main, lambda _, segments: segments),
                           writer.finish()])
    return index.open_dir(str(path))


def test_same_files_as_whoosh(tmp_path: Path) -> None:
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "sections").mkdir()
    docs = pages(400)
    expected = segment_files(build_with_whoosh(tmp_path / "whoosh", docs))
    written = segment_files(build_with_sections(tmp_path / "sections", docs))
    assert sorted(written) == sorted(expected)
    for name, content in expected.items():
        assert written[name] == content, name
    with index.open_dir(str(tmp_path / "sections")).reader() as reader:
        assert reader.doc_frequency("source", "wiki") > 128  # several blocks were written


@pytest.mark.parametrize("analyzer", [stem_analyzer(), words_analyzer()])
def test_term_counts_count_the_tokens_the_analyzer_yields(analyzer) -> None:
    for text in TEXTS:
        assert analyzer.term_counts(text) == Counter(token.text for token in analyzer(text))


def test_fields_it_cannot_write_are_refused(tmp_path: Path) -> None:
    ix = index.create_in(str(tmp_path), Schema(body=TEXT(analyzer=stem_analyzer())))
    assert type(ix.schema["body"].format) is not Frequency  # positions, for phrases
    with pytest.raises(ValueError, match="body"):
        SectionWriter(ix)
