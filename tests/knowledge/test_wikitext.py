"""Markdown → safe HTML (preview) and → DokuWiki (publication), as tables of cases."""

from __future__ import annotations

import subprocess

import pytest
from bs4 import BeautifulSoup

from kbtool.knowledge.markup import to_html
from kbtool.knowledge.wikitext import to_dokuwiki
from kbtool.wiki.links import WikiLinks

CASES = [
    ("headings", "## Question\n\n### Détail", "===== Question =====\n\n==== Détail ===="),
    ("bold and italic", "**gras** et *italique*", "**gras** et //italique//"),
    ("inline code", "menu `Fichier > Ouvrir`", "menu ''%%Fichier > Ouvrir%%''"),
    ("external link", "[la FAQ](https://wiki.example.org/faq?a=1&b=2)",
     "[[https://wiki.example.org/faq?a=1&b=2|la FAQ]]"),
    ("bullet list", "- un\n- deux\n    - deux bis", "  * un\n  * deux\n    * deux bis"),
    ("numbered list", "1. un\n2. deux", "  - un\n  - deux"),
    # Nested by three spaces, as CommonMark has it and people type it (issue 13).
    ("list nested by three spaces", "1. un\n   - un bis\n      - un ter\n2. deux",
     "  - un\n    * un bis\n      * un ter\n  - deux"),
    ("bullets nested by three spaces", "* un\n   * un bis\n* deux",
     "  * un\n    * un bis\n  * deux"),
    ("code block", "```python\nprint('ok')\n```", "<code python>\nprint('ok')\n</code>"),
    ("code block without language", "```\nC:\\Tresorio\n```", "<code>\nC:\\Tresorio\n</code>"),
    ("table", "| Compte | Libellé |\n|---|---|\n| 512 | Banque |",
     "^Compte^Libellé^\n|512   |Banque |"),
    ("long paragraph stays on one line", "mot " * 60, ("mot " * 60).strip()),
    ("wiki markup typed as text is escaped", "un //chemin// à garder",
     "un %%//chemin//%% à garder"),
]


@pytest.mark.parametrize("name, markdown, expected", CASES, ids=[c[0] for c in CASES])
def test_markdown_to_dokuwiki(name, markdown, expected):
    assert to_dokuwiki("Titre", markdown) == f"====== Titre ======\n\n{expected}\n"


WIKI = WikiLinks("https://wiki.example.org/doku.php")
PAGE = "https://wiki.example.org/doku.php?id="
# (case, Markdown, DokuWiki text published, where the preview's link leads)
WIKI_LINKS = [
    ("page id", "[la FAQ](faq:banque)", "[[faq:banque|la FAQ]]", PAGE + "faq:banque"),
    ("id cleaned as DokuWiki does", "[x](<Logiciel:Import Relevés>)",
     "[[logiciel:import_releves|x]]", PAGE + "logiciel:import_releves"),
    ("section", "[x](<faq:banque#Les écarts>)", "[[faq:banque#les_ecarts|x]]",
     PAGE + "faq:banque#les_ecarts"),
    ("namespace", "[x](faq:)", "[[faq:start|x]]", PAGE + "faq:start"),
    ("page outside any namespace", "[x](https://wiki.example.org/doku.php?id=Accueil)",
     "[[:accueil|x]]", PAGE + "accueil"),
    ("address", "[x](https://wiki.example.org/doku.php?id=faq:banque)", "[[faq:banque|x]]",
     PAGE + "faq:banque"),
    ("address of a section", "[x](https://wiki.example.org/doku.php?id=FAQ:Banque#ecarts)",
     "[[faq:banque#ecarts|x]]", PAGE + "faq:banque#ecarts"),
    ("address with the id in the path", "[x](https://wiki.example.org/doku.php/faq/banque)",
     "[[faq:banque|x]]", PAGE + "faq:banque"),
    ("rewritten address", "[x](http://WIKI.example.org/faq:banque)", "[[faq:banque|x]]",
     PAGE + "faq:banque"),
    ("bare address", "<https://wiki.example.org/doku.php?id=faq:banque>",
     "[[faq:banque|https://wiki.example.org/doku.php?id=faq:banque]]", PAGE + "faq:banque"),
    ("label the link cannot carry", "[a\\]\\]](faq:banque)",
     "%%a]]%% ([[faq:banque|faq:banque]])", PAGE + "faq:banque"),
    # Not pages of the wiki: as before.
    ("another site", "[x](https://example.org/doku.php?id=faq:banque)",
     "[[https://example.org/doku.php?id=faq:banque|x]]",
     "https://example.org/doku.php?id=faq:banque"),
    ("another action", "[x](https://wiki.example.org/doku.php?id=faq:banque&do=edit)",
     "[[https://wiki.example.org/doku.php?id=faq:banque&do=edit|x]]",
     "https://wiki.example.org/doku.php?id=faq:banque&do=edit"),
    ("media", "[x](https://wiki.example.org/lib/exe/fetch.php?media=a.png)",
     "[[https://wiki.example.org/lib/exe/fetch.php?media=a.png|x]]",
     "https://wiki.example.org/lib/exe/fetch.php?media=a.png"),
    ("page name without namespace", "[x](banque)", "x", "banque"),
    ("script", "[x](javascript:alert(1))", "x", None),
    ("e-mail", "[x](mailto:a@b.example)", "[[a@b.example|x]]", "mailto:a@b.example"),
]


@pytest.mark.parametrize("name, markdown, expected, href", WIKI_LINKS,
                         ids=[c[0] for c in WIKI_LINKS])
def test_links_to_the_wiki_are_published_as_internal_links(name, markdown, expected, href):
    assert to_dokuwiki("Titre", markdown, WIKI) == f"====== Titre ======\n\n{expected}\n"


@pytest.mark.parametrize("name, markdown, expected, href", WIKI_LINKS,
                         ids=[c[0] for c in WIKI_LINKS])
def test_the_preview_leads_where_the_published_link_will(name, markdown, expected, href):
    assert [a.get("href") for a in BeautifulSoup(to_html(markdown, WIKI), "html.parser")("a")] \
        == [href]


HOSTILE = [
    ("script tag", "<script>alert(1)</script>"),
    ("javascript link", "[clic](javascript:alert(1))"),
    ("mixed-case scheme", '<a href="JaVaScRiPt:alert(1)">x</a>'),
    ("event handler", '<img src="x" onerror="alert(1)">'),
    ("raw iframe", '<iframe src="https://evil.example"></iframe>'),
    ("style attribute", '<p style="background:url(javascript:x)">t</p>'),
    ("code class injection", '```"onmouseover=alert(1)\nx\n```'),
    ("data url", "[x](data:text/html;base64,PHNjcmlwdD4=)"),
    ("reference link", "[x][r]\n\n[r]: javascript:alert(1)"),
]
ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


def unsafe_parts(html: str) -> list[str]:
    """Elements and attributes of the HTML that could run code or load something."""
    found = []
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name in ("script", "iframe", "img", "style", "object", "embed", "svg"):
            found.append(element.name)
        for name, value in element.attrs.items():
            if name.startswith("on") or name == "style" or name == "src":
                found.append(name)
            if name == "href" and not value.lower().startswith(ALLOWED_SCHEMES):
                found.append(f"href={value}")
            if name == "class" and any(not c.startswith("language-") for c in value):
                found.append(f"class={value}")
    return found


@pytest.mark.parametrize("name, markdown", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_markdown_is_cleaned_before_preview_and_publication(name, markdown):
    assert unsafe_parts(to_html(markdown)) == []
    assert "javascript:" not in to_dokuwiki("T", markdown).lower()


def test_the_check_itself_sees_unsafe_html():
    assert unsafe_parts('<a href="javascript:x" onclick="y">z</a><script></script>') == [
        "href=javascript:x", "onclick", "script"]


def test_the_title_is_escaped_and_becomes_the_first_heading():
    assert to_dokuwiki("Import <OFX> & CSV", "texte").startswith(
        "====== Import <OFX> & CSV ======\n\ntexte")


# (Markdown typed, text the wiki must show): DokuWiki markup in prose stays prose.
TYPED_AS_TEXT = [(typed, typed) for typed in (
    "[[kb:autre]]", "{{http://e.example/x.png}}", "~~NOTOC~~", "%%lit%%", "((note))", "----",
    "''m''", "^ a | b", "==== x ====", "a > b")] + [("&lt;sub&gt;x&lt;/sub&gt;", "<sub>x</sub>")]


def render(wiki, text: str) -> BeautifulSoup:
    """DokuWiki's own rendering of a page text (bin/render.php of the test wiki)."""
    done = subprocess.run(["php", str(wiki.code_dir / "bin/render.php")], input=text,
                          capture_output=True, text=True, cwd=wiki.code_dir, timeout=60,
                          check=True)
    return BeautifulSoup(done.stdout, "html.parser")


def test_dokuwiki_shows_wiki_markup_typed_in_text_as_typed(dokuwiki):
    markdown = "\n\n".join(f"avant {typed} après" for typed, _ in TYPED_AS_TEXT)
    rendered = render(dokuwiki, to_dokuwiki("T", markdown))
    paragraphs = " ".join(p.get_text(" ", strip=True) for p in rendered.find_all("p"))
    for _, shown in TYPED_AS_TEXT:
        assert f"avant {shown} après" in paragraphs
    assert rendered.find("a") is None and rendered.find("img") is None


def test_dokuwiki_renders_the_formatting_it_should(dokuwiki):
    rendered = render(dokuwiki, to_dokuwiki("Titre", "**gras** *ital* [lien](https://e.example/)"
                                            "\n\n- un\n- deux\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert rendered.find("h1").get_text(strip=True) == "Titre"
    assert rendered.find("strong").get_text() == "gras" and rendered.find("em").get_text() == "ital"
    assert rendered.find("a")["href"] == "https://e.example/"
    assert [li.get_text(strip=True) for li in rendered.find_all("li")] == ["un", "deux"]
    assert [td.get_text(strip=True) for td in rendered.find_all("td")] == ["1", "2"]
