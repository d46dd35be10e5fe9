"""Configuration: one TOML file, every setting declared once with its default and help.

The declaration (``SETTINGS``) is the single source of truth: loading validates against it, the
README's settings table is checked against it by a test, and errors name the key and the file.
Relative paths in the file are taken relative to the file's own folder, so a configuration works
the same whatever the current directory of cron or of the web server.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_VAR = "KBTOOL_CONFIG"
DEFAULT_FILE = "kbtool.toml"


class ConfigError(Exception):
    """A wrong, missing or unreadable setting; the message names the key and the file."""


@dataclass(frozen=True)
class Setting:
    """One declared setting: ``table.key`` (``sources.key`` for per-source settings)."""

    name: str
    default: Any
    help: str
    type: type = str
    required: bool = False
    path: bool = False
    kinds: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    minimum: float | None = None     # the smallest number accepted


SOURCE_KINDS = ("dokuwiki-dir", "folder", "dokuwiki", "website")

SETTINGS: tuple[Setting, ...] = (
    Setting("index.dir", "var/index", "Folder of the Whoosh index.", path=True),
    Setting("index.lock_timeout", 0.0,
            "Seconds a reindex waits for another one to finish before giving up.", float),
    Setting("index.memory_mb", 2048,
            "Memory bound of a reindex's index writing: the postings its writer processes hold "
            "before writing them (split between them; a writer writes its segment and starts "
            "another when its share is full, so a full build does not hold every posting of the "
            "base), and Whoosh's posting pool when a commit merges older segments.", int),
    Setting("search.limit", 10, "Pages shown per result page.", int),
    Setting("search.sections_per_page", 3, "Best sections shown under each page.", int),
    Setting("search.min_coverage", 0.65,
            "Share of the query's weighted key terms one of the first three pages must hold for "
            "the search to be a confident answer.", float),
    Setting("search.known_problems_namespace", "erreurs",
            "Wiki namespace of the known-problem pages (one per error message), shown first "
            "when a request is a bug (empty: only pages naming the query's error code)."),
    Setting("learning.half_life_days", 90.0,
            "Days after which a citation learned from a reply or a closed question weighs half "
            "as much in search (old habits fade).", float, minimum=1),
    Setting("learning.keep_days", 365,
            "Days a learned citation is kept; older ones are deleted.", int, minimum=1),
    Setting("http.timeout", 20.0,
            "Seconds an HTTP request may take in all (connecting, headers, body).", float),
    Setting("http.retries", 3,
            "Retries on 429, 502, 503, 504 and dropped connections (with backoff).", int),
    Setting("http.max_bytes", 20_000_000, "Largest response body accepted, in bytes.", int),
    Setting("http.delay", 0.5,
            "Seconds between two requests to one host (robots.txt Crawl-delay wins if longer).",
            float),
    Setting("http.user_agent", "kbtool/0.1 (+support knowledge base)",
            "User-Agent sent with every request."),
    Setting("web.host", "127.0.0.1", "Address `kbtool serve` listens on."),
    Setting("web.port", 8000, "Port `kbtool serve` listens on.", int),
    Setting("web.database", "var/kbtool.sqlite3",
            "SQLite file of the application's own data (users, drafts, logs, articles).",
            path=True),
    Setting("web.secret_key_file", "var/secret_key",
            "File holding the session signing key (created on first start).", path=True),
    Setting("web.session_hours", 12, "Hours before an idle session expires.", int),
    Setting("web.processes", 2,
            "Worker processes of `kbtool serve` (searches are CPU-bound: one per core).", int),
    Setting("web.secure_cookies", True,
            "Send the session cookie over HTTPS only (browsers accept it on plain "
            "http://127.0.0.1 and localhost too); false only to serve plain HTTP to other "
            "machines.", bool),
    Setting("web.namespaces", ["kb"],
            "Wiki namespaces offered for new articles.", list),
    Setting("web.wiki_source", "",
            "Name of the `dokuwiki` source where approved articles are published."),
    Setting("web.wiki_login", False,
            "Let accounts of the wiki of `web.wiki_source` sign in with their wiki password "
            "(local accounts are tried first).", bool),
    Setting("web.wiki_groups", [],
            "Wiki groups mapped to roles, as `\"group=role\"` (wikis with `core.whoAmI`, "
            "2024 and later).", list),
    Setting("web.wiki_role_pages", [],
            "Roles given by the wiki's ACL, as `\"role=page_id\"`: the role goes to those who "
            "may edit that page (any wiki version).", list),
    Setting("web.mailing_return_page", "",
            "Id of the wiki page (`ns:page`) of the mailing-return procedure, linked on the "
            "search page when that kind of request is chosen (empty: no link)."),
    Setting("web.smtp_host", "", "SMTP server for e-mail notifications (empty: none)."),
    Setting("web.smtp_from", "kbtool@localhost", "Sender of e-mail notifications."),
    Setting("knowledge.recent_days", 90,
            "Days a reply draft's cited sections are watched after its last edit: when one of "
            "them changes heavily, moves or disappears, the reviewers' dashboard lists it.", int),
    Setting("knowledge.verify_after_months", 12,
            "Months after which a published article still cited (by a recent reply or a closed "
            "gap) is listed on the reviewers' dashboard for verification.", int),
    Setting("sources.name", None, "Unique name of the source; first part of its page ids.",
            required=True),
    Setting("sources.kind", None, "One of: " + ", ".join(SOURCE_KINDS) + ".", required=True),
    Setting("sources.path", None, "Folder read from disk.", required=True, path=True,
            kinds=("dokuwiki-dir", "folder")),
    Setting("sources.base_url", "",
            "Public URL that page links are built on (`doku.php` of the wiki, root of the "
            "documentation site).", kinds=("dokuwiki-dir", "folder")),
    Setting("sources.url_style", "file",
            "How a file's path is published under `base_url`: `file` (as it is) or `mkdocs` "
            "(Markdown as MkDocs publishes it: `a/b.md` → `a/b/`, `a/index.md` → `a/`).",
            kinds=("folder",), choices=("file", "mkdocs")),
    Setting("sources.url", None, "Base URL of the DokuWiki (e.g. `http://127.0.0.1:8080/`).",
            required=True, kinds=("dokuwiki",)),
    Setting("sources.user", "", "Account the crawler logs in with.", kinds=("dokuwiki",)),
    Setting("sources.password_env", "",
            "Environment variable holding that account's password.", kinds=("dokuwiki",)),
    Setting("sources.password_file", "",
            "File holding that account's password (first line).", path=True,
            kinds=("dokuwiki",)),
    Setting("sources.start_urls", None, "Pages the crawl starts from.", list, required=True,
            kinds=("website",)),
    Setting("sources.allowed_prefix", "",
            "Only URLs starting with this are followed (default: the first start URL's folder).",
            kinds=("website",)),
    Setting("sources.sitemap", "", "URL of a sitemap.xml listing the pages.", kinds=("website",)),
    Setting("sources.max_pages", 5000, "Most pages fetched from the site in one run.", int,
            kinds=("website",)),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_TABLES = sorted({s.name.split(".")[0] for s in SETTINGS} - {"sources"})


def declared_default(name: str) -> Any:
    """The default a setting is declared with, for code that also runs without a
    configuration (a ``Searcher`` opened by a test or a benchmark)."""
    return _BY_NAME[name].default


@dataclass(frozen=True)
class SourceConfig:
    """The settings of one ``[[sources]]`` entry, defaults filled in."""

    name: str
    kind: str
    options: dict[str, Any]

    def get(self, key: str) -> Any:
        """Value of ``sources.<key>`` for this source."""
        return self.options[key]


@dataclass(frozen=True)
class Config:
    """A loaded, validated configuration."""

    file: Path | None
    values: dict[str, Any]
    sources: tuple[SourceConfig, ...] = field(default_factory=tuple)

    def get(self, name: str) -> Any:
        """Value of a declared ``table.key`` setting."""
        return self.values[name]

    @property
    def index_dir(self) -> Path:
        return Path(self.values["index.dir"])

    def source(self, name: str) -> SourceConfig:
        """The source of that name, or a ConfigError naming the known ones."""
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"unknown source {name!r} (configured: {known})")


def locate(explicit: str | os.PathLike[str] | None) -> Path:
    """The configuration file to use: ``--config``, then ``$KBTOOL_CONFIG``, then ./kbtool.toml."""
    chosen = explicit or os.environ.get(ENV_VAR) or DEFAULT_FILE
    path = Path(chosen)
    if not path.is_file():
        how = "--config" if explicit else (ENV_VAR if os.environ.get(ENV_VAR) else "default")
        raise ConfigError(f"{path}: configuration file not found ({how}); "
                          f"pass --config FILE or set {ENV_VAR}")
    return path


def load(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the configuration file."""
    path = locate(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return from_dict(raw, path)


def from_dict(raw: dict[str, Any], file: Path | None = None) -> Config:
    """Validate a parsed TOML document; paths are relative to ``file``'s folder (or cwd)."""
    where = str(file) if file else "<config>"
    base = file.resolve().parent if file else Path.cwd()
    values = {s.name: _default(s, base) for s in SETTINGS if not s.name.startswith("sources.")}
    for table, content in raw.items():
        if table == "sources":
            continue
        if table not in _TABLES:
            raise ConfigError(f"{where}: unknown table [{table}] (known: {', '.join(_TABLES)})")
        if not isinstance(content, dict):
            raise ConfigError(f"{where}: {table} must be a table [{table}]")
        for key, value in content.items():
            setting = _BY_NAME.get(f"{table}.{key}")
            if setting is None:
                raise ConfigError(f"{where}: unknown setting {table}.{key}")
            values[setting.name] = _coerce(setting, value, base, where, setting.name)
    sources = _sources(raw.get("sources", []), base, where)
    return Config(file=file, values=values, sources=sources)


def _sources(entries: Any, base: Path, where: str) -> tuple[SourceConfig, ...]:
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: sources must be an array of tables [[sources]]")
    result: list[SourceConfig] = []
    for number, entry in enumerate(entries, start=1):
        label = f"sources[{number}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: {label} must be a table [[sources]]")
        kind = entry.get("kind")
        if kind not in SOURCE_KINDS:
            raise ConfigError(f"{where}: {label}.kind must be one of "
                              f"{', '.join(SOURCE_KINDS)} (got {kind!r})")
        options = _source_options(entry, kind, base, where, label)
        if any(s.name == options["name"] for s in result):
            raise ConfigError(f"{where}: {label}.name {options['name']!r} is used twice")
        result.append(SourceConfig(name=options["name"], kind=kind, options=options))
    return tuple(result)


def _source_options(entry: dict[str, Any], kind: str, base: Path, where: str,
                    label: str) -> dict[str, Any]:
    applicable = [s for s in SETTINGS
                  if s.name.startswith("sources.") and (not s.kinds or kind in s.kinds)]
    allowed = {s.name.split(".", 1)[1]: s for s in applicable}
    for key in entry:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown setting {label}.{key} for kind {kind!r}")
    options: dict[str, Any] = {}
    for key, setting in allowed.items():
        if key in entry:
            options[key] = _coerce(setting, entry[key], base, where, f"{label}.{key}")
        elif setting.required:
            raise ConfigError(f"{where}: missing setting {label}.{key} ({setting.help})")
        else:
            options[key] = _default(setting, base)
    name = options["name"]
    if not name or "/" in name or name.strip() != name:
        raise ConfigError(f"{where}: {label}.name must be a non-empty word without '/'")
    return options


def _default(setting: Setting, base: Path) -> Any:
    if setting.path and setting.default:
        return str((base / setting.default).resolve())
    return setting.default


def _coerce(setting: Setting, value: Any, base: Path, where: str, label: str) -> Any:
    expected = setting.type
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if expected is list and isinstance(value, str):
        value = [value]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: {label} must be of type {expected.__name__} "
                          f"(got {type(value).__name__} {value!r})")
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(f"{where}: {label} must be at least {setting.minimum} (got {value!r})")
    if setting.choices and value not in setting.choices:
        raise ConfigError(f"{where}: {label} must be one of {', '.join(setting.choices)} "
                          f"(got {value!r})")
    if setting.path and value:
        return str((base / os.path.expanduser(value)).resolve())
    return value
