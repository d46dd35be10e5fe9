"""Write one benchmark's figures into its own section of ``docs/benchmarks.md``.

Several benchmarks share that file and may be re-run in any order, so each one owns the text
between its two marker comments under its heading and leaves the rest of the file alone.
"""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, heading: str, begin: str, end: str, text: str) -> None:
    """Put ``text`` (which starts with ``begin`` and ends with ``end``) under ``heading`` in
    ``path``: in place of the previous run's text between the markers, else right under the
    heading, else as a new section at the end.  The file is read just before it is written."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in current and end in current:
        before, _, rest = current.partition(begin)
        _, _, after = rest.partition(end)
        updated = before + text + after
    elif f"\n{heading}\n" in f"\n{current}":   # the whole line: one heading may start another
        updated = f"\n{current}".replace(f"\n{heading}\n", f"\n{heading}\n\n{text}\n", 1)[1:]
    else:
        start = "# Benchmarks\n" if not current else current.rstrip("\n") + "\n"
        updated = f"{start}\n{heading}\n\n{text}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated, encoding="utf-8")


def publish(text: str, out: Path | None, heading: str, begin: str, end: str) -> None:
    """Print the report and, given a file, write it as that file's section."""
    print(text)
    if out:
        write_section(out, heading, begin, end, text)
        print(f"written to {out}")
