"""Index contents shared by the index tests: many pages whose words repeat across sections, and
readings of an index that do not depend on how its segments came about."""

from __future__ import annotations

from whoosh.index import FileIndex

from kbtool.documents import Document, Section

TEXTS = [
    "Les comptabilités d'une paroisse : le compte 445660 et le formulaire 2042-RICI.",
    "Mise-à-jour d'Ubuntu 22.04 ; sudo apt-get install grub-pc, puis redémarrer. " * 3,
    "L'échéancier gère les opérations planifiées, les prélèvements et les virements.",
    "",
    "le la les de des",  # stop words only
    "Œuvres reçues, élus, journaux, adhérents — ERR-4012 www.example.org/a/b",
]


def pages(count: int) -> list[Document]:
    """Pages whose words repeat across many sections, so long posting lists span blocks."""
    return [Document(source="wiki", page_id=f"wiki/ns/page_{n}.txt", title=f"Page {n} paroisse",
                     url=f"https://wiki.example.org/doku.php?id=ns:page_{n}", namespace="ns",
                     version=str(n), modified=float(n), tags=("compta", f"tag{n % 7}"),
                     sections=tuple(Section(f"Titre {s} de {n}", f"titre_{s}",
                                            TEXTS[(n + s) % len(TEXTS)] + f" numéro {n * s}")
                                    for s in range(n % 4 + 1)))
            for n in range(count)]


def segment_files(ix: FileIndex) -> dict[str, bytes]:
    """Every file of a one-segment index, named without the segment's random id."""
    (segment,) = ix._segments()
    storage = segment.open_compound_file(ix.storage)
    return {name.replace(segment.segment_id(), "SEGMENT"): storage.open_file(name).read()
            for name in storage.list()}


def contents(ix: FileIndex) -> tuple[dict, dict]:
    """Stored fields and postings by section key, whatever the segments and their order."""
    with ix.reader() as reader:
        keys = {docnum: fields["key"] for docnum, fields in reader.iter_docs()}
        stored = {fields["key"]: fields for _, fields in reader.iter_docs()}
        postings = {}
        for field, text in reader.all_terms():
            matcher = reader.postings(field, text)
            found = []
            while matcher.is_active():
                found.append((keys[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            postings[field, text] = sorted(found)
    return stored, postings
