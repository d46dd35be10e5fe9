"""Hostile and malformed command lines and environments, through the installed ``kbtool``
console script: every expected error is one line ``kbtool: error: …`` and a documented exit
status, never a traceback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kbtool import cli
from tests.kbfactory import config_file

KBTOOL = str(Path(sys.executable).with_name("kbtool"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small knowledge base, indexed, with its ``kbtool.toml``; cases add files beside it."""
    path = config_file(tmp_path_factory.mktemp("hostile"))
    assert cli.main(["--config", str(path), "reindex"]) == 0
    (path.parent / "web.toml").write_text(
        '[web]\ndatabase = "app.sqlite3"\nsecret_key_file = "secret_key"\n', encoding="utf-8")
    return path.parent


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A loopback port some other program listens on."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def chmod(name: str, mode: int) -> Callable[[Path], None]:
    """A preparation creating the folder ``name`` if need be, and setting its mode."""
    def prepare(ws: Path) -> None:
        path = ws / name
        if not path.exists():
            path.mkdir(parents=True)
        path.chmod(mode)
    return prepare


def built_index(config: str) -> Callable[[Path], None]:
    """A preparation indexing the workspace's folders with the configuration file ``config``
    (which it writes), into its own index folder."""
    def prepare(ws: Path) -> None:
        (ws / config).write_text(source_config('name = "docs"\nkind = "folder"\npath = "docs"',
                                               index=f"{config}.index"), encoding="utf-8")
        assert cli.main(["--config", str(ws / config), "reindex"]) == 0
    return prepare


def damage(index: str) -> Callable[[Path], None]:
    """A preparation overwriting every file of the current generation of an index (its search
    arrays' folder included)."""
    def prepare(ws: Path) -> None:
        for path in (ws / index / "current").resolve().rglob("*"):
            if path.is_file():
                path.write_bytes(bytes(range(256)))
    return prepare


def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    """A preparation writing ``content`` to ``name`` in the workspace."""
    def prepare(ws: Path) -> None:
        path = ws / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return prepare


def source_config(source: str, index: str = "other-index") -> str:
    """A configuration with one source (its TOML lines), indexing into its own folder."""
    return f'[index]\ndir = "{index}"\n[[sources]]\n{source}\n'


WIKI = 'name = "wiki"\nkind = "dokuwiki"\nurl = "http://127.0.0.1:9/"\nuser = "bot"\n'


@dataclass(frozen=True)
class Case:
    """``kbtool ARGV`` (``{ws}`` is the workspace, ``{busy}`` a taken port) after ``prepare``,
    must exit with ``code`` and say ``message`` in a one-line error."""

    argv: tuple[str, ...]
    code: int
    message: str
    prepare: Callable[[Path], None] = lambda ws: None
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes = b""
    # Run without the power to read or write any file whatever its permissions (root's).
    unprivileged: bool = False


def steps(*prepares: Callable[[Path], None]) -> Callable[[Path], None]:
    """Several preparations in turn."""
    def prepare(ws: Path) -> None:
        for one in prepares:
            one(ws)
    return prepare


CASES = {
    # Configuration: missing, unreadable, malformed, wrong settings.
    "config missing": Case(("--config", "{ws}/absent.toml", "status"), 2,
                           "configuration file not found"),
    "config is a folder": Case(("--config", "{ws}", "status"), 2,
                               "configuration file not found"),
    "config not TOML": Case(("--config", "{ws}/bad.toml", "status"), 2, "not valid TOML",
                            write("bad.toml", "[index\n")),
    "config not UTF-8": Case(("--config", "{ws}/latin1.toml", "status"), 2, "cannot read",
                             write("latin1.toml", "# caf\xe9\n".encode("latin-1"))),
    "config unknown setting": Case(("--config", "{ws}/unknown.toml", "status"), 2,
                                   "unknown setting index.colour",
                                   write("unknown.toml", '[index]\ncolour = "red"\n')),
    "config wrong type": Case(("--config", "{ws}/type.toml", "status"), 2, "http.timeout",
                              write("type.toml", '[http]\ntimeout = "long"\n')),
    "KBTOOL_CONFIG names nothing": Case(("status",), 2, "configuration file not found",
                                        env={"KBTOOL_CONFIG": "/nonexistent/kbtool.toml"}),
    "password_env not set": Case(
        ("--config", "{ws}/noenv.toml", "reindex"), 2,
        "environment variable KBTOOL_NO_SUCH_PASSWORD (password_env) is not set",
        write("noenv.toml", source_config(WIKI + 'password_env = "KBTOOL_NO_SUCH_PASSWORD"'))),
    "password_file is a folder": Case(
        ("--config", "{ws}/pwdir.toml", "reindex"), 2, "cannot read password_file",
        write("pwdir.toml", source_config(WIKI + 'password_file = "."'))),
    "website start outside its prefix": Case(
        ("--config", "{ws}/site.toml", "reindex"), 2, "outside allowed_prefix",
        write("site.toml", source_config(
            'name = "site"\nkind = "website"\nstart_urls = ["http://127.0.0.1:9/a/"]\n'
            'allowed_prefix = "http://127.0.0.1:9/b/"'))),
    "unknown source": Case(("--config", "{ws}/kbtool.toml", "reindex", "--source", "nope"), 2,
                           "unknown source 'nope'"),
    # The index: absent, or its folder where the system refuses it.
    "no index yet": Case(("--config", "{ws}/empty.toml", "search", "banque"), 4,
                         "never-built: no index yet; run `kbtool reindex` first",
                         write("empty.toml", '[index]\ndir = "never-built"\n')),
    "index folder under a file": Case(
        ("--config", "{ws}/underfile.toml", "reindex"), 5, "Not a directory",
        write("underfile.toml", source_config(
            'name = "docs"\nkind = "folder"\npath = "docs"', index="kbtool.toml/index"))),
    "index damaged": Case(("--config", "{ws}/damaged.toml", "search", "budget"), 4,
                          "the index is damaged and cannot be read",
                          steps(built_index("damaged.toml"), damage("damaged.toml.index"))),
    "index folder is a file": Case(("--config", "{ws}/isfile.toml", "search", "banque"), 4,
                                   "no index yet",
                                   write("isfile.toml", '[index]\ndir = "kbtool.toml"\n')),
    "index folder in /proc": Case(
        ("--config", "{ws}/proc.toml", "reindex"), 5, "/proc/kbtool-index",
        write("proc.toml", source_config('name = "docs"\nkind = "folder"\npath = "docs"',
                                         index="/proc/kbtool-index"))),
    # Query files of `kbtool evaluate`.
    "queries missing": Case(("--config", "{ws}/kbtool.toml", "evaluate", "{ws}/none.jsonl"), 2,
                            "cannot read"),
    "queries is a folder": Case(("--config", "{ws}/kbtool.toml", "evaluate", "{ws}"), 2,
                                "cannot read"),
    "queries not JSON": Case(("--config", "{ws}/kbtool.toml", "evaluate", "{ws}/q.jsonl"), 2,
                             "q.jsonl:1: not a query line", write("q.jsonl", "{not json\n")),
    "queries binary": Case(("--config", "{ws}/kbtool.toml", "evaluate", "{ws}/q.bin"), 2,
                           "cannot read", write("q.bin", b"\x00\xff\xfe\x00")),
    "queries empty": Case(("--config", "{ws}/kbtool.toml", "evaluate", "{ws}/q0.jsonl"), 2,
                          "no queries", write("q0.jsonl", "\n\n")),
    # Search arguments.
    "limit zero": Case(("--config", "{ws}/kbtool.toml", "search", "banque", "--limit", "0"), 2,
                       "--limit"),
    "negative page": Case(("--config", "{ws}/kbtool.toml", "search", "banque", "--page", "-3"),
                          2, "--page"),
    "limit not a number": Case(("--config", "{ws}/kbtool.toml", "search", "x", "--limit", "a"),
                               2, "--limit"),
    "query of operators only": Case(
        ("--config", "{ws}/kbtool.toml", "search", "((( OR NOT [a TO"), 0, ""),
    "query of 20,000 characters": Case(
        ("--config", "{ws}/kbtool.toml", "search", "x" * 20_000), 0, ""),
    "query with control characters": Case(
        ("--config", "{ws}/kbtool.toml", "search", "a\x01\x1b[2Jb"), 0, ""),
    "evaluate before any index": Case(
        ("--config", "{ws}/empty.toml", "evaluate", "{ws}/q1.jsonl"), 4, "no index yet",
        steps(write("empty.toml", '[index]\ndir = "never-built"\n'),
              write("q1.jsonl", '{"id": "1", "query": "x"}\n'))),
    "unknown command": Case(("frobnicate",), 2, "invalid choice"),
    # The web server's address.
    "port taken": Case(("--config", "{ws}/web.toml", "serve", "--port", "{busy}"), 5,
                       "cannot listen on 127.0.0.1:{busy}: Address already in use"),
    "port out of range": Case(("--config", "{ws}/web.toml", "serve", "--port", "70000"), 5,
                              "a port is a number from 1 to 65535"),
    "host unknown": Case(("--config", "{ws}/web.toml", "serve", "--host", "nowhere.invalid"), 5,
                         "cannot listen on nowhere.invalid"),
    "demo port taken": Case(("demo", "--dir", "{ws}/demo", "--port", "{busy}"), 5,
                            "Address already in use"),
    "demo folder is a file": Case(("demo", "--dir", "{ws}/kbtool.toml", "--no-serve"), 5,
                                  "kbtool.toml"),
    # The web database.
    "database is a folder": Case(("--config", "{ws}/dbdir.toml", "user", "list"), 2,
                                 "cannot open database",
                                 write("dbdir.toml", '[web]\ndatabase = "."\n')),
    "database not SQLite": Case(("--config", "{ws}/dbjunk.toml", "user", "list"), 5,
                                "database (web.database): file is not a database",
                                steps(write("dbjunk.toml", '[web]\ndatabase = "junk.db"\n'),
                                      write("junk.db", b"not a database\n" * 100))),
    "password on stdin too short": Case(("--config", "{ws}/web.toml", "user", "add", "x"), 2,
                                        "password too short", stdin=b"court\n"),
    "publish without a wiki": Case(("--config", "{ws}/web.toml", "publish", "--retry"), 0, ""),
    # Files and folders the system refuses.
    "config unreadable": Case(("--config", "{ws}/secret.toml", "status"), 2, "Permission denied",
                              steps(write("secret.toml", "[index]\n"), chmod("secret.toml", 0)),
                              unprivileged=True),
    "index folder read-only": Case(
        ("--config", "{ws}/ro.toml", "reindex"), 5, "Permission denied: {ws}/ro-index",
        steps(write("ro.toml", source_config('name = "docs"\nkind = "folder"\npath = "docs"',
                                             index="ro-index")), chmod("ro-index", 0o555)),
        unprivileged=True),
    "index folder unreadable": Case(
        ("--config", "{ws}/locked.toml", "search", "budget"), 5, "Permission denied",
        steps(built_index("locked.toml"), chmod("locked.toml.index", 0)), unprivileged=True),
    "queries unreadable": Case(("--config", "{ws}/kbtool.toml", "evaluate", "{ws}/q.secret"), 2,
                               "Permission denied",
                               steps(write("q.secret", "{}\n"), chmod("q.secret", 0)),
                               unprivileged=True),
    "database folder read-only": Case(
        ("--config", "{ws}/rodb.toml", "user", "list"), 2, "cannot open database",
        steps(write("rodb.toml", '[web]\ndatabase = "ro-db/app.sqlite3"\n'),
              chmod("ro-db", 0o555)), unprivileged=True),
    "source folder unreadable": Case(
        ("--config", "{ws}/hidden.toml", "reindex"), 1, "",
        steps(write("hidden.toml", source_config(
            'name = "docs"\nkind = "folder"\npath = "hidden-docs"', index="hidden-index")),
            chmod("hidden-docs", 0)), unprivileged=True),
    # The environment.
    "query not UTF-8": Case(("--config", "{ws}/kbtool.toml", "search", "caf\udce9"), 0, ""),
    "ASCII-only output": Case(("--config", "{ws}/kbtool.toml", "search", "reçu"), 0, "",
                              env={"PYTHONIOENCODING": "ascii"}),
}


def run(argv: list[str], env: dict[str, str], stdin: bytes = b"",
        unprivileged: bool = False) -> subprocess.CompletedProcess[bytes]:
    """The console script, as a user's shell runs it."""
    return subprocess.run([*(_unprivileged() if unprivileged else []), KBTOOL, *argv],
                          input=stdin, capture_output=True, timeout=120,
                          env={**os.environ, **env})


def _unprivileged() -> list[str]:
    """The command prefix that takes root's power over file permissions away (nothing for
    another user, who has none)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux) to drop its privileges")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_expected_errors_are_one_line_and_a_documented_status(case: Case, workspace: Path,
                                                              busy_port: int) -> None:
    case.prepare(workspace)
    fill = {"ws": str(workspace), "busy": str(busy_port)}
    done = run([arg.format(**fill) for arg in case.argv], case.env, case.stdin,
               case.unprivileged)
    err = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err
    assert done.returncode == case.code, err
    if case.code in (0, 1):  # 1: the run went on and listed its failures
        return
    lines = err.splitlines()
    assert case.message.format(**fill) in lines[-1]
    if lines[0].startswith("usage: kbtool"):  # argparse: the usage, then its error line
        assert case.code == 2 and lines[-1].startswith(("kbtool: error: ", "kbtool search: "))
    else:
        assert lines == [lines[-1]] and lines[-1].startswith("kbtool: error: ")


@pytest.mark.parametrize("argv", [
    ("search", "budget"),
    ("search", "budget", "--json"),
    ("status",),
    ("evaluate", "{queries}", "--json"),
], ids=" ".join)
def test_a_reader_gone_away_ends_the_output_quietly(argv: tuple[str, ...],
                                                    workspace: Path) -> None:
    """``kbtool search … | head``: once the reader has gone, kbtool stops without a word,
    with the status of a program ended by SIGPIPE."""
    queries = workspace / "pipe.jsonl"
    queries.write_text('{"id": "1", "query": "budget", "relevant": {}}\n', encoding="utf-8")
    reader, writer = os.pipe()
    os.close(reader)  # gone before kbtool writes its first line
    try:
        done = subprocess.run(
            [KBTOOL, "--config", str(workspace / "kbtool.toml"),
             *(arg.format(queries=queries) for arg in argv)],
            stdout=writer, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (cli.EXIT_CLOSED_PIPE, b"")


def test_a_damaged_index_is_rebuilt_by_the_next_reindex(workspace: Path) -> None:
    """What the error line of a damaged index promises."""
    steps(built_index("rebuilt.toml"), damage("rebuilt.toml.index"))(workspace)
    config = str(workspace / "rebuilt.toml")
    assert run(["--config", config, "search", "budget"], {}).returncode == 4
    assert run(["--config", config, "reindex"], {}).returncode == 0
    found = run(["--config", config, "search", "budget", "--json"], {})
    assert found.returncode == 0 and b'"total": 1' in found.stdout
