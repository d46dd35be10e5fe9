"""DokuWiki syntax → sections: tables of markup, DokuWiki's own PHP ids (of both releases the
tests run: Igor and Kaos), and the real corpus."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from kbtool.wiki.ids import resolve_link
from kbtool.crawler.dokuwiki_syntax import (
    clean_id, page_url, parse_dokuwiki, section_id, wiki_id_from_path,
)
from tests import dokuwiki as harness

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wiki"
FIXTURES = Path(__file__).parent / "fixtures" / "dokuwiki" / "pages"
# The comparisons with DokuWiki's own PHP run on each release.
ON_EACH_RELEASE = pytest.mark.parametrize("release", harness.RELEASES, ids=lambda r: r.name)


def texts(markup: str) -> list[tuple[str, str, str, int]]:
    """(heading, anchor, text, level) of each section of the parsed markup."""
    return [(s.heading, s.anchor, s.text, s.level) for s in parse_dokuwiki(markup).sections]


# --- ids and anchors -------------------------------------------------------------------------

ANCHORS = [
    ("Über uns & FAQ?", "ueber_uns_faq"),
    ("Installation", "installation"),
    ("Configurer le clavier", "configurer_le_clavier"),
    ("Passer d'un agencement à l'autre", "passer_d_un_agencement_a_l_autre"),
    ("Œuvre et cœur", "œuvre_et_cœur"),  # œ is not in DokuWiki's accent table
    ("Straße", "strasse"),
    ("1. Installation", "installation"),  # leading digits, dots and _ are dropped
    ("2019", "section2019"),  # nothing but digits: "section" + the digits
    ("10.04 LTS", "lts"),
    ("Ubuntu 18.04", "ubuntu_1804"),  # dots vanish inside an anchor
    ("ns:page", "nspage"),  # and so do colons
    ("  Pré-requis  ", "pre-requis"),
    ("«Guillemets» — tiret", "guillemets_tiret"),
    ("C++ / C#", "c_c"),
    ("***", "section"),
    ("Ça marche ?!", "ca_marche"),
    ("É", "e"),
    ("Iñtërnâtiônàlizætiøn", "internationalizaetion"),
]


@pytest.mark.parametrize(("heading", "anchor"), ANCHORS)
def test_section_id_follows_dokuwiki(heading: str, anchor: str) -> None:
    assert section_id(heading, None) == anchor


def test_repeated_headings_get_numbered_like_dokuwiki() -> None:
    seen: list[str] = []
    got = [section_id(h, seen) for h in ["Usage", "Usage", "usage!", "Usage1", "Usage"]]
    assert got == ["usage", "usage1", "usage2", "usage11", "usage3"]
    assert seen == got


@pytest.mark.parametrize(("raw", "wiki_id"), [
    ("Tutoriel:Configurer le clavier", "tutoriel:configurer_le_clavier"),
    ("  :ns::Page d'accueil: ", "ns:page_d_accueil"),
    ("a/b;c", "a_b:c"),
    ("_privé_.", "prive"),
    ("ns:-x-:y", "ns:x:y"),
])
def test_clean_id(raw: str, wiki_id: str) -> None:
    assert clean_id(raw) == wiki_id


LINKS = [  # (page the link is on, link target, page id it leads to)
    ("tutoriel:a", "b", "tutoriel:b"),
    ("tutoriel:a", ":b", "b"),
    ("tutoriel:a", "autre:b", "autre:b"),
    ("tutoriel:a", ".:c", "tutoriel:c"),
    ("tutoriel:a", ".c", "tutoriel:c"),
    ("tutoriel:a", "..:b", "b"),
    ("tutoriel:sous:a", "..:b", "tutoriel:b"),
    ("tutoriel:sous:a", "..:..:..:z", "z"),
    ("tutoriel:a", "~detail", "tutoriel:a:detail"),
    ("tutoriel:a", "aide:", "aide:start"),
    ("tutoriel:a", "Été Ici#Section", "tutoriel:ete_ici"),
    ("tutoriel:a", "outils/graver", "outils:graver"),
    ("tutoriel:a", "x;y", "x:y"),
    ("start", "b", "b"),
    ("", "b", "b"),
    ("tutoriel:a", "#ici", ""),
]


@pytest.mark.parametrize(("context", "target", "wiki_id"), LINKS)
def test_links_resolve_like_dokuwiki(context: str, target: str, wiki_id: str) -> None:
    assert resolve_link(context, target) == wiki_id


_RESOLVE = r"""
$conf['useslash'] = 1;
foreach (json_decode(stream_get_contents(STDIN), true) as [$context, $target]) {
    $out[] = explode('#', (new \dokuwiki\File\PageResolver($context))->resolveId($target))[0];
}
echo json_encode($out);
"""


@ON_EACH_RELEASE
def test_links_resolve_as_dokuwiki_php_does(release: harness.Release) -> None:
    """DokuWiki's own ``PageResolver`` (with ``useslash``, which this module always assumes),
    in a throw-away wiki where no page exists: a namespace link goes to its start page."""
    targets = [[context, target] for context, target, _ in LINKS if target != "#ici"]
    assert run_php(_RESOLVE, targets, release) == [resolve_link(c, t) for c, t in targets]


def test_page_url_and_path_helpers() -> None:
    assert (page_url("https://wiki.example.org/doku.php", "ns:page", "usage")
            == "https://wiki.example.org/doku.php?id=ns:page#usage")
    assert page_url("https://w.example.org/", "page") == "https://w.example.org/doku.php?id=page"
    assert page_url("https://w.example.org/wiki", "x") == "https://w.example.org/wiki/doku.php?id=x"
    assert page_url("/doku.php", "ns:été", "a b") == "/doku.php?id=ns:%C3%A9t%C3%A9#a%20b"
    assert wiki_id_from_path("tutoriel/x.txt") == "tutoriel:x"
    assert wiki_id_from_path("a/b/c.txt") == "a:b:c"
    assert wiki_id_from_path("start.txt") == "start"
    assert wiki_id_from_path("ns/%C3%A9t%C3%A9.txt") == "ns:été"  # fnencode=url file names


# The same ids computed by DokuWiki's own PHP (deaccent=1, sepchar=_, useslash=0).
_PHP = r"""
$inc = getenv('DOKUWIKI_CODE') . '/inc/';
define('DOKU_INC', getenv('DOKUWIKI_CODE') . '/');
$conf = ['sepchar' => '_', 'useslash' => 0, 'deaccent' => 1];
require $inc . 'utf8.php';
foreach (['Unicode', 'Table', 'PhpString', 'Clean'] as $class) {
    require_once $inc . "Utf8/$class.php";
}
require $inc . 'pageutils.php';
$out = [];
foreach (json_decode(stream_get_contents(STDIN), true) as $page) {
    $seen = [];
    $out[] = ['ids' => array_map('cleanID', $page),
              'anchors' => array_map(function ($title) use (&$seen) {
                  return sectionID($title, $seen);
              }, $page)];
}
echo json_encode($out);
"""


def php_ids(pages: list[list[str]], release: harness.Release) -> list[dict[str, list[str]]]:
    """cleanID() and sectionID() of each page's headings, computed by DokuWiki itself."""
    reason = harness.skip_reason(release)
    if reason:
        pytest.skip(reason)
    env = {**os.environ, "DOKUWIKI_CODE": str(release.code)}
    done = subprocess.run(["php", "-r", _PHP], input=json.dumps(pages), capture_output=True,
                          text=True, check=True, env=env, timeout=300)
    return json.loads(done.stdout)


@ON_EACH_RELEASE
def test_ids_match_dokuwiki_php(release: harness.Release) -> None:
    headings = [h for h, _ in ANCHORS] + [
        "Usage", "Usage", "usage!", "Usage1", "", "   ", "l'été", "Qu’est-ce que c’est ?",
        "Naïve façon", "ÀÉÎÕÜ majuscules", "100 %", "_-_", "-->", "a.b:c/d;e", "x*y", "tab\there",
        "Æsir þorn ðe", "émoji 🙂 ok", "50€ ou 10£", "¿Qué?", "#1 & #2",
    ]
    [php] = php_ids([headings], release)
    seen: list[str] = []
    assert [clean_id(h) for h in headings] == php["ids"]
    assert [section_id(h, seen) for h in headings] == php["anchors"]


@ON_EACH_RELEASE
def test_corpus_anchors_match_dokuwiki_php(release: harness.Release) -> None:
    """Every heading of the real wiki gets the anchor DokuWiki itself gives it."""
    if not CORPUS.is_dir():
        pytest.skip(f"test corpus not found at {CORPUS}")
    parsed = [parse_dokuwiki(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.rglob("*.txt"))]
    pages = [[s.heading for s in page.sections if s.heading] for page in parsed]
    php = php_ids(pages, release)
    for page, expected in zip(parsed, php):
        assert [s.anchor for s in page.sections if s.heading] == expected["anchors"]


@ON_EACH_RELEASE
def test_anchors_match_dokuwiki_rendering(release: harness.Release) -> None:
    """DokuWiki's own renderer (``p_render``) puts the same ids on the headings: the fixture
    pages exactly, and nearly all of the real wiki (see README: an unclosed ``**`` or ``//``
    makes DokuWiki swallow later headings, which we do not emulate)."""
    fixtures = sorted(FIXTURES.rglob("*.txt"))
    rendered = render_heading_ids([p.read_text(encoding="utf-8") for p in fixtures], release)
    for path, ids in zip(fixtures, rendered):
        page = parse_dokuwiki(path.read_text(encoding="utf-8"))
        assert [s.anchor for s in page.sections if s.heading] == ids, path.name
    if CORPUS.is_dir():
        sample = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.txt"))[::25]]
        same = sum([s.anchor for s in parse_dokuwiki(text).sections if s.heading] == ids
                   for text, ids in zip(sample, render_heading_ids(sample, release)))
        assert same >= 0.98 * len(sample)


_RENDER = r"""
foreach (json_decode(stream_get_contents(STDIN), true) as $text) {
    $info = [];
    preg_match_all('/<h[1-5]\b[^>]*\bid="([^"]*)"/',
                   p_render('xhtml', p_get_instructions($text), $info), $found);
    $out[] = $found[1];
}
echo json_encode($out);
"""


_RENDER_LINKS = r"""
$conf['useslash'] = 1;
foreach (json_decode(stream_get_contents(STDIN), true) as [$id, $text]) {
    $ID = $id;
    $info = [];
    preg_match_all('/<a href="[^"]*" class="wikilink[12]" title="([^"]*)"/',
                   p_render('xhtml', p_get_instructions($text), $info), $found);
    $out[] = array_values(array_diff(array_unique($found[1]), [$id]));
}
echo json_encode($out);
"""


@ON_EACH_RELEASE
def test_links_match_dokuwiki_rendering(release: harness.Release) -> None:
    """The pages a page links to are those DokuWiki's renderer links it to (internal links,
    resolved from the page's namespace), on a sample of the real wiki.  The one page of the
    sample that differs (``clipit``) has an indented line after a list and a line of spaces:
    DokuWiki's lexer renders it as a paragraph (the spaces' line ends the list and takes the
    newline the preformatted mode needs), kbtool reads it as preformatted text."""
    if not CORPUS.is_dir():
        pytest.skip(f"test corpus not found at {CORPUS}")
    sample = [(wiki_id_from_path(str(path.relative_to(CORPUS))), path.read_text(encoding="utf-8"))
              for path in sorted(CORPUS.rglob("*.txt"))[::25]]
    rendered = run_php(_RENDER_LINKS, [list(page) for page in sample], release)
    same = sum(set(parse_dokuwiki(text, wiki_id).links) == set(links)
               for (wiki_id, text), links in zip(sample, rendered))
    assert sum(len(links) for links in rendered) > 1000
    assert same >= 0.98 * len(sample)


def render_heading_ids(pages: list[str], release: harness.Release) -> list[list[str]]:
    """The heading ids of each page as DokuWiki renders it, in a throw-away test wiki."""
    return run_php(_RENDER, pages, release)


# What every script run in a test wiki starts with: DokuWiki loaded, an empty answer list.
_IN_WIKI = r"""
define('DOKU_INC', getenv('DOKUWIKI_CODE') . '/');
define('NOSESSION', 1);
require_once DOKU_INC . 'inc/init.php';
$out = [];
"""


def run_php(script: str, data: list, release: harness.Release) -> list:
    """What ``script`` prints (JSON) for ``data`` on stdin, run in a throw-away test wiki of
    that release with DokuWiki loaded (``_IN_WIKI``)."""
    reason = harness.skip_reason(release)
    if reason:
        pytest.skip(reason)
    with tempfile.TemporaryDirectory(prefix="kbtool-php-") as folder:
        wiki = harness.TestWiki(Path(folder), release=release)
        done = subprocess.run(["php", "-r", _IN_WIKI + script], input=json.dumps(data), text=True,
                              capture_output=True, check=True, timeout=300,
                              env={**os.environ, "DOKUWIKI_CODE": str(wiki.code_dir)})
    return json.loads(done.stdout)


# --- markup → text ---------------------------------------------------------------------------

def test_headings_split_sections_with_levels_and_intro() -> None:
    markup = ("Intro **text**\n====== Titre ======\nA\n===== Sous-titre =====\nB\n"
              "==== Niveau 3 ====\n=== Niveau 4 ===\n== Niveau 5 ==\nC\n")
    assert texts(markup) == [
        ("", "", "Intro text", 1),
        ("Titre", "titre", "A", 1),
        ("Sous-titre", "sous-titre", "B", 2),
        ("Niveau 3", "niveau_3", "", 3),
        ("Niveau 4", "niveau_4", "", 4),
        ("Niveau 5", "niveau_5", "C", 5),
    ]
    assert parse_dokuwiki(markup).title == "Titre"


@pytest.mark.parametrize(("markup", "expected"), [
    # DokuWiki is not picky about the closing '=': two are enough, spaces optional
    ("=====Sans espace  =====\nx", [("Sans espace", "sans_espace", "x", 2)]),
    ("==== Pour les CD====\nx", [("Pour les CD", "pour_les_cd", "x", 3)]),
    ("======= Sept =======\nx", [("Sept", "sept", "x", 1)]),
    ("== un = deux ==\nx", [("un = deux", "un_deux", "x", 5)]),
    # not headings: one '=', unclosed, indented (preformatted), empty title
    ("= Pas titre =\nx", [("", "", "= Pas titre =\nx", 1)]),
    ("==== Pas fermé\nx", [("", "", "==== Pas fermé\nx", 1)]),
    ("  == Code ==\nx", [("", "", "== Code ==\nx", 1)]),
    ("A\n=====\nB", [("", "", "A\nB", 1)]),
    # mid-line '==…==' closes the paragraph and is a heading, except in tables, lists, quotes
    ("8-o===== Titre =====\nx", [("", "", "8-o", 1), ("Titre", "titre", "x", 2)]),
    ("| a == b == |\nx", [("", "", "a == b ==\nx", 1)]),
    ("  * == x ==\n> == y ==", [("", "", "== x ==\n== y ==", 1)]),
    # a heading inside a code block is code
    ("<code>\n== Pas titre ==\n</code>", [("", "", "== Pas titre ==", 1)]),
])
def test_what_is_a_heading(markup: str, expected: list) -> None:
    assert texts(markup) == expected


def test_repeated_headings_on_a_page() -> None:
    markup = "== Usage ==\na\n== Usage ==\nb\n== 2. Usage ==\nc\n"
    assert [s[1] for s in texts(markup)] == ["usage", "usage1", "usage2"]


@pytest.mark.parametrize(("markup", "text"), [
    ("**gras** //italique// __souligné__ ''mono''", "gras italique souligné mono"),
    ("voir http://example.org/a//b et file:///etc", "voir http://example.org/a//b et file:///etc"),
    ("sur ///dev/dvd// en vitesse 2", "sur /dev/dvd en vitesse 2"),
    ("[[tutoriel:comment_installer_un_paquet|installer un paquet]]", "installer un paquet"),
    ("[[:tutoriel:comment_installer_un_paquet]]", "comment installer un paquet"),
    ("[[ns:page#section]] et [[#ancre]]", "page et ancre"),
    ("[[wpfr>Gravure_de_disque]] [[apt>brasero]]", "Gravure_de_disque brasero"),
    ("[[wpfr>cdrtools|cdrecord]]", "cdrecord"),
    ("[[https://example.org/x|le site]] [[https://example.org/y]]",
     "le site https://example.org/y"),
    ("{{ :icons:brasero.png?100|Icone Brasero}} {{:img.png}} fin", "Icone Brasero fin"),
    ("[[page|{{img.png|logo}}]]", "logo"),
    ("{{backlinks>.}}{{topic>x}}reste", "reste"),
    ("~~NOTOC~~ ~~NOCACHE~~ texte ~~DISCUSSION:off~~", "texte"),
    ("Phrase((une note de bas de page)) suite", "Phrase une note de bas de page suite"),
    ("ligne un\\\\ ligne deux", "ligne un\nligne deux"),
    ("<note tip>Astuce [[apt>x]]</note>", "Astuce x"),
    ("<note important>\nAttention\n</note>", "Attention"),
    ("<box 50% round>boîte</box> <del>barré</del> H<sub>2</sub>O x<sup>2</sup>",
     "boîte barré H2O x2"),
    ("<WRAP center round tip>emballé</WRAP>", "emballé"),
    ("<html><b>caché</b></html>visible<php>echo 1;</php>", "visible"),
    ("<nowiki>**brut**</nowiki> et %%[[pas un lien]]%%", "**brut** et [[pas un lien]]"),
    ("^ Titre A ^ Titre B ^\n| a1 | [[x|b1]] |\n| ::: | b2 |", "Titre A Titre B\na1 b1\nb2"),
    ("  * un\n  * **deux**\n    - trois\n\t* quatre", "un\ndeux\ntrois\nquatre"),
    ("> cité\n>> plus loin", "cité\nplus loin"),
    ("avant\n----\naprès", "avant\naprès"),
    ("paragraphe\n\n\n\nsuivant   avec\tespaces", "paragraphe\nsuivant avec espaces"),
    ("Touches <Ctrl> + <Alt> et <nom_du_paquet>", "Touches <Ctrl> + <Alt> et <nom_du_paquet>"),
])
def test_markup_becomes_plain_text(markup: str, text: str) -> None:
    [(_, _, got, _)] = texts(markup)
    assert got == text


def test_code_and_preformatted_blocks_are_kept_verbatim() -> None:
    markup = ("Installez :\n<code bash>\nsudo apt install **k3b**\n  echo [[x]]\n</code>\n"
              "<file ini /etc/x.conf>\n[section]\nkey=//value//\n</file>\n"
              "Puis :\n  sudo dpkg-reconfigure keyboard-configuration\n\tmake //all//\nFin.")
    [(_, _, text, _)] = texts(markup)
    assert text == ("Installez :\nsudo apt install **k3b**\n  echo [[x]]\n[section]\n"
                    "key=//value//\nPuis :\nsudo dpkg-reconfigure keyboard-configuration\n"
                    "make //all//\nFin.")


def test_tags_redirect_and_links_are_collected() -> None:
    page = parse_dokuwiki(
        "{{tag>Logiciels tutoriel logiciels}}\n~~REDIRECT>:tutoriel:nouvelle_page~~\n"
        "[[:Gnome]] [[tutoriel:x#a|x]] [[wpfr>Y]] [[http://e.org]] [[:Gnome|encore]] [[#ici]] "
        "[[voisine?do=edit]] [[.:logiciels:page]] [[:doc:page]] [[aide:]]", "doc:page")
    assert page.tags == ("logiciels", "tutoriel")
    assert page.redirect == ":tutoriel:nouvelle_page"
    # Page ids, resolved from the page's namespace; not itself, nor other wikis or the web.
    assert page.links == ("gnome", "tutoriel:x", "doc:voisine", "doc:logiciels:page",
                          "aide:start")
    assert "tag" not in page.sections[0].text and "REDIRECT" not in page.sections[0].text


def test_title_falls_back_to_the_page_name() -> None:
    assert parse_dokuwiki("Juste du texte.", "tutoriel:mon_tuto").title == "mon tuto"
    assert parse_dokuwiki("", "start").sections == ()


@pytest.mark.parametrize("markup", [
    "<code>jamais fermé\n== Titre ==\n", "[[lien pas fermé", "{{media pas fermé", "((note",
    "<note>sans fin", "%%seul", "<html>sans fin", "**", "\\\\", "^", "|", "====== ======",
    "\x00\x01 binaire \ufeff", "\r\n== Windows ==\r\nligne\r\n", "~~REDIRECT>~~", "[[]]", "{{}}",
    "=" * 50, "\n" * 20, "[[a|[[b]]]]", "<code>" * 100,
])
def test_odd_input_never_raises(markup: str) -> None:
    page = parse_dokuwiki(markup)
    assert all(s.heading or s.text for s in page.sections)


def test_unclosed_code_block_is_text_and_later_heading_counts() -> None:
    assert texts("<code>jamais fermé\n== Titre ==\nsuite") == [
        ("", "", "<code>jamais fermé", 1), ("Titre", "titre", "suite", 5)]


# --- the real wiki ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"test corpus not found at {CORPUS}")
    return CORPUS


def parse_file(corpus: Path, rel: str):
    return parse_dokuwiki((corpus / rel).read_text(encoding="utf-8"), wiki_id_from_path(rel))


def test_corpus_gravure(corpus: Path) -> None:
    page = parse_file(corpus, "gravure.txt")
    assert page.title == "Graver des CD et des DVD"
    assert page.tags == ("logiciels", "tutoriel")
    headings = [s.heading for s in page.sections if s.heading]
    source = (corpus / "gravure.txt").read_text(encoding="utf-8")
    assert len(headings) == len(re.findall(r"^=+[^=\n].*=+[ \t]*$", source, re.M))
    dvd = next(s for s in page.sections if s.heading == "Pour les DVD")
    assert dvd.anchor == "pour_les_dvd" and dvd.level == 3
    assert "growisofs -dvd-compat -speed=2 -Z /dev/dvd=dvd_image.iso" in dvd.text
    assert "sur /dev/dvd en vitesse 2" in dvd.text
    assert not re.search(r"\[\[|\]\]|\{\{|\*\*|<note", "\n".join(s.text for s in page.sections))


def test_corpus_keyboard_tutorial(corpus: Path) -> None:
    page = parse_file(corpus, "tutoriel/configurer_le_clavier.txt")
    assert page.title == "Configurer le clavier"
    assert [s.anchor for s in page.sections][:3] == [
        "configurer_le_clavier", "ajouter_des_agencements_de_clavier_standards",
        "passer_d_un_agencement_a_l_autre"]
    assert len(page.sections) == 14
    text = "\n".join(s.text for s in page.sections)
    assert "sudo dpkg-reconfigure keyboard-configuration" in text
    assert "setxkbmap fr" in text


def test_corpus_redirect_page(corpus: Path) -> None:
    page = parse_file(corpus, "office.txt")
    assert page.redirect == "Bureautique"
    assert page.sections == ()


def test_corpus_sudo_commands_from_code_blocks_are_searchable(corpus: Path) -> None:
    """Every ``sudo …`` line of a <code> block ends up in the text of some section."""
    code = re.compile(r"<code\b[^>]*>(.*?)</code>", re.S)
    checked = 0
    for path in sorted(corpus.glob("a*.txt"))[:80]:
        source = path.read_text(encoding="utf-8")
        text = "\n".join(s.text for s in parse_dokuwiki(source).sections)
        for block in code.findall(source):
            for line in block.splitlines():
                if line.strip().startswith("sudo "):
                    assert line.strip() in text, (path.name, line)
                    checked += 1
    assert checked > 50
