"""Small real PDFs for tests: pages of text lines in Helvetica, written by hand.

Enough of the PDF format to give pypdf (and poppler) a genuine text layer, with accents
(WinAnsiEncoding), an optional metadata title and a correct cross-reference table, so tests
need neither a PDF library that writes text nor binary files in the repository.
"""

from __future__ import annotations


def make_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A PDF with one page per entry of ``pages``, each line of it drawn under the previous."""
    font = 3 + 2 * len(pages)
    info = font + 1
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                   b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(len(pages))), len(pages)),
               font: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                     b"/Encoding /WinAnsiEncoding >>",
               info: b"<< /Title (%s) >>" % _pdf_string(title) if title else b"<< >>"}
    for number, lines in enumerate(pages):
        page, content = 3 + 2 * number, 4 + 2 * number
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                         b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                         % (font, content))
        objects[content] = _stream(b"BT /F1 12 Tf 16 TL 72 770 Td "
                                   + b" ".join(b"(%s) Tj T*" % _pdf_string(line)
                                               for line in lines) + b" ET")
    return _assemble(objects, info)


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def _assemble(objects: dict[int, bytes], info: int) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, info, xref)
    return bytes(out)
