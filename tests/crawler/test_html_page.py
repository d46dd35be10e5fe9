"""HTML → sections: headings and their anchors, chrome dropped, tables and encodings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbtool.crawler.html_page import parse_html
from kbtool.documents import Section

CORPUS = Path("/work/shared/corpus/docs")
FIXTURES = Path(__file__).parent / "fixtures" / "folder"


def outline(html: str | bytes) -> list[tuple[str, str, int]]:
    return [(s.heading, s.anchor, s.level) for s in parse_html(html).sections]


@pytest.mark.parametrize(("html", "expected"), [
    ('<h2 id="cloture">Clôture</h2><p>x</p>', [("Clôture", "cloture", 2)]),
    ('<h3><a id="lettrage"></a>Lettrage</h3><p>x</p>', [("Lettrage", "lettrage", 3)]),
    ('<h3><a name="old-style">Lettrage</a></h3><p>x</p>', [("Lettrage", "old-style", 3)]),
    ('<a name="avant"></a>\n<h2>Bilan</h2><p>x</p>', [("Bilan", "avant", 2)]),
    ('<section id="budget"><h2>Budget</h2><p>x</p><h3>Suivi</h3><p>y</p></section>',
     [("Budget", "budget", 2), ("Suivi", "", 3)]),
    ('<div id="outer"><div id="inner"><h4>Deep</h4></div></div>', [("Deep", "inner", 4)]),
    ('<main id="page"><h1>Titre</h1><section id="s1"><h2>Un</h2></section></main>',
     [("Titre", "page", 1), ("Un", "s1", 2)]),
    ('<a id="x"></a><p>texte entre deux</p><h2>Loin</h2>', [("", "", 1), ("Loin", "", 2)]),
    ('<h2>Sans ancre</h2><p>x</p>', [("Sans ancre", "", 2)]),
], ids=["own-id", "a-id-inside", "a-name-inside", "a-just-before", "section-first-heading",
        "innermost-container", "docutils-main", "a-not-adjacent", "none"])
def test_heading_anchors(html: str, expected: list[tuple[str, str, int]]) -> None:
    assert outline(html) == expected


def test_text_before_first_heading_is_its_own_section() -> None:
    page = parse_html("<p>Introduction.</p><h2 id='a'>A</h2><p>Suite.</p>")
    assert page.sections == (Section("", "", "Introduction."),
                             Section("A", "a", "Suite.", 2))


@pytest.mark.parametrize("chrome", [
    "<script>var menu = 'Accueil';</script>",
    "<style>.menu { color: red }</style>",
    "<nav><a href='/'>Accueil</a></nav>",
    "<header><p>Accueil</p></header>",
    "<footer>Accueil</footer>",
    "<aside>Accueil</aside>",
    "<div role='navigation'>Accueil</div>",
    "<div class='sphinxsidebar'>Accueil</div>",
    "<form><input name='q'><button>Accueil</button></form>",
    "<!-- Accueil -->",
])
def test_chrome_is_dropped(chrome: str) -> None:
    page = parse_html(f"<body>{chrome}<h2 id='a'>Titre</h2><p>Contenu.</p>{chrome}</body>")
    assert page.sections == (Section("Titre", "a", "Contenu.", 2),)


@pytest.mark.parametrize("html", [
    '<title>Reçus</title><nav>Menu</nav><section id="conf"><h2>Configuration</h2><p>x</p>',
    '<html><head><title>Reçus</title></head><body><section id="conf"><h2>Configuration</h2>'
    "<p>x</p></section></body></html>",
    '<section id="conf"><h2>Configuration</h2><p>x</p></section><title>Reçus</title>',
], ids=["fragment", "document", "title-late"])
def test_title_is_not_text_and_html5_fragments_are_kept(html: str) -> None:
    page = parse_html(html)
    assert (page.title, page.sections) == ("Reçus", (Section("Configuration", "conf", "x", 2),))


def test_permalink_sign_is_not_part_of_the_heading() -> None:
    html = '<h2 id="x">Budget<a class="headerlink" href="#x" title="Lien">¶</a></h2>'
    assert outline(html) == [("Budget", "x", 2)]


def test_header_inside_an_article_is_content() -> None:
    html = "<header>Site</header><article><header><h1>Article</h1></header><p>x</p></article>"
    assert outline(html) == [("Article", "", 1)]


def test_links_include_menus_for_crawlers() -> None:
    html = ("<nav><a href='/menu.html'>Menu</a></nav><p><a href='a.html#x'>a</a>"
            "<a href='a.html#x'>again</a><a href=''>empty</a><a>no href</a></p>")
    assert parse_html(html).links == ("/menu.html", "a.html#x")


@pytest.mark.parametrize(("html", "title"), [
    ("<title> Reçus\n fiscaux </title><h1>Autre</h1>", "Reçus fiscaux"),
    ("<title></title><h1>Premier <em>titre</em></h1><h1>Second</h1>", "Premier titre"),
    ("<p>rien</p>", ""),
])
def test_title(html: str, title: str) -> None:
    assert parse_html(html).title == title


def test_blocks_break_lines_and_tables_keep_rows() -> None:
    html = ("<h2>T</h2><p>Un</p><p>deux <b>gras</b> fin</p><ul><li>a</li><li>b</li></ul>"
            "<table>\n<tr>\n<th>Compte</th>\n<th>Libellé</th></tr>\n"
            "<tr><td>512</td><td>Banque</td></tr></table>texte<br>suite")
    assert parse_html(html).sections[0].text == (
        "Un\ndeux gras fin\na\nb\nCompte | Libellé\n512 | Banque\ntexte\nsuite")


@pytest.mark.parametrize(("raw", "encoding"), [
    ('<meta charset="iso-8859-1"><p>Clôture déjà réglée</p>'.encode("latin-1"), None),
    ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
     "<p>Clôture déjà réglée</p>".encode("cp1252"), None),
    ("<p>Clôture déjà réglée</p>".encode("utf-8"), None),
    ("<p>Clôture déjà réglée</p>".encode("latin-1"), None),
    ('<meta charset="utf-8"><p>Clôture déjà réglée</p>'.encode("latin-1"), None),
    ('<meta charset="no-such-charset"><p>Clôture déjà réglée</p>'.encode("utf-8"), None),
    ("<p>Clôture déjà réglée</p>".encode("latin-1"), "iso-8859-1"),
    ('<meta charset="utf-8"><p>Clôture déjà réglée</p>'.encode("latin-1"), "latin-1"),
    (b"\xef\xbb\xbf" + "<p>Clôture déjà réglée</p>".encode("utf-8"), None),
], ids=["meta-latin1", "http-equiv-cp1252", "utf8-undeclared", "latin1-undeclared",
        "declared-utf8-wrongly", "unknown-charset", "caller-encoding", "caller-beats-meta",
        "bom"])
def test_encodings(raw: bytes, encoding: str | None) -> None:
    assert parse_html(raw, encoding).sections[0].text == "Clôture déjà réglée"


@pytest.mark.parametrize(("raw", "title", "headings", "words"), [
    (b"", "", [], []),
    (b"\x00\x01\xff\xfe garbage \x81", "", [""], ["garbage"]),
    (b"<h2", "", [], []),
    (b"</p></div>", "", [], []),
    (b"<h2>Titre</h2", "", ["Titre"], []),
    (b"<p>texte<h2>Suite", "", ["", "Suite"], ["texte"]),
    (b"<script>alert(1)</script><p>ok</p>", "", [""], ["ok"]),
    (b"<title>T</title><a href='x.html'>", "T", [], []),
], ids=["empty", "binary", "open-tag", "close-tags", "unclosed-heading", "unclosed-paragraph",
        "script", "title-only"])
def test_junk_gives_what_text_it_holds(raw: bytes, title: str, headings: list[str],
                                       words: list[str]) -> None:
    """Broken or binary input is no error: the page has the words and headings that can be
    read from it, and nothing else (no script, no placeholder section)."""
    page = parse_html(raw)
    assert page.title == title
    assert [s.heading for s in page.sections] == headings
    assert re.findall(r"\w+", " ".join(s.text for s in page.sections)) == words


def test_hevea_fixture_latin1_with_navigation() -> None:
    page = parse_html((FIXTURES / "grisbi" / "rapprochement.html").read_bytes())
    assert page.title == "Rapprochement bancaire"
    assert outline((FIXTURES / "grisbi" / "rapprochement.html").read_bytes()) == [
        ("Chapitre 9 Rapprochement bancaire", "reconcile", 1),
        ("9.1 Démarrer un rapprochement", "reconcile-start", 2),
        ("9.2 Terminer", "reconcile-end", 2)]
    text = "\n".join(s.text for s in page.sections)
    assert "pavé des détails" in text
    assert not re.search(r"Previous|Next|Up", text)
    assert "chapitre-suivant.html" in page.links


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus absent: {CORPUS}")


@needs_corpus
def test_grisbi_chapter() -> None:
    path = CORPUS / "grisbi" / "grisbi-manuel018.html"
    raw = path.read_bytes()
    page = parse_html(raw)
    assert page.title == "Budgets prévisionnels"
    assert page.sections[0].heading == "Chapitre 17 Budgets prévisionnels"
    headings = {s.heading: s.anchor for s in page.sections}
    assert headings["17.4 Création d’un budget prévisionnel"] == "budget-create"
    anchors = [s.anchor for s in page.sections]
    assert all(anchors), "every HeVeA heading has an id"
    assert all(f'id="{anchor}"'.encode() in raw for anchor in anchors)
    assert len(page.sections) == len(re.findall(rb"<h[1-6]\b", raw))


@needs_corpus
def test_diacamma_page() -> None:
    raw = (CORPUS / "diacamma" / "member" / "taxreceipt.html").read_bytes()
    page = parse_html(raw)
    assert page.title == "Reçus fiscaux"
    assert [(s.heading, s.anchor) for s in page.sections] == [
        ("Reçus fiscaux", "recus-fiscaux"), ("Configuration", "configuration"),
        ("Génération des reçus", "generation-des-recus")]
    assert "image de cachet ou de signature" in page.sections[1].text


def test_inline_markup_inside_a_word_does_not_split_it() -> None:
    page = parse_html("<h1>Cl<b>ô</b>ture de l'<em>ex</em>ercice</h1><p>r<b>é</b>sultat</p>")
    assert (page.title, page.sections[0].heading, page.sections[0].text) == (
        "Clôture de l'exercice", "Clôture de l'exercice", "résultat")
