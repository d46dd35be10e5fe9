"""The bug path of the team's procedure: ask the client for what is missing, draft the
developers' ticket, tell the client a ticket exists (its number, never a deadline).

kbtool drafts these texts; it does not track tickets.  Everything here is a pure function of what
the agent typed, so it is tested as tables.  The texts are plain (and Markdown for the tracker):
whatever the agent or the client wrote is cleaned of control characters and, in Markdown, of
markup, so a pasted text shows exactly what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

# What a bug report needs, in the order the request lists it: key, checklist label, request line.
ELEMENTS: tuple[tuple[str, str, str], ...] = (
    ("version", "Version du logiciel", "la version du logiciel que vous utilisez"),
    ("structure", "Structure (dossier, société)",
     "la structure concernée (dossier ou société)"),
    ("message", "Message d'erreur exact",
     "le message d'erreur exact (tel qu'il s'affiche, ou une copie du texte)"),
    ("steps", "Étapes pour reproduire",
     "les étapes suivies jusqu'au problème (menus, boutons, saisies)"),
    ("capture", "Capture d'écran ou fichier", "une capture d'écran ou le fichier concerné"),
    ("when", "Date et heure", "la date et l'heure auxquelles le problème s'est produit"),
)
ELEMENT_KEYS = tuple(key for key, _, _ in ELEMENTS)

# A fixed scale, so the developers read every ticket's urgency the same way.
URGENCIES: tuple[tuple[str, str], ...] = (
    ("bloquante", "Bloquante – le client ne peut plus travailler"),
    ("haute", "Haute – une fonction importante est inutilisable, sans contournement"),
    ("normale", "Normale – gênant, un contournement existe"),
    ("basse", "Basse – gêne mineure ou amélioration"),
)
URGENCY_LABELS = dict(URGENCIES)

_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


def plain(text: str | None) -> str:
    """The text with Unix line breaks and without control characters (tabs and line breaks
    kept), nor the bidirectional overrides that make a text read otherwise than it is stored."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or not (
        unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS))


def _signed(lines: list[str], signature: str) -> str:
    return "\n".join([*lines, "", "Cordialement,", plain(signature).strip()])


def missing_request(missing: Iterable[str], signature: str) -> str:
    """A short, polite request for the elements not yet received (keys of ``ELEMENTS``)."""
    wanted = set(missing)
    unknown = wanted - set(ELEMENT_KEYS)
    if unknown or not wanted:
        raise ValueError(f"ask for some of {ELEMENT_KEYS}, not {sorted(unknown) or 'nothing'}")
    lines = ["Bonjour,", "",
             "Afin d'analyser le problème que vous nous signalez, pourriez-vous nous "
             "transmettre les éléments suivants :", ""]
    lines += [f"- {request}" for key, _, request in ELEMENTS if key in wanted]
    lines += ["", "Dès réception, nous étudierons votre demande.", "",
              "Merci par avance."]
    return _signed(lines, signature)


@dataclass(frozen=True)
class Ticket:
    """The developers' ticket, as the procedure wants it stated."""

    title: str
    description: str
    steps: str
    environment: str
    observed: str
    expected: str
    urgency: str
    reproduced: bool = False
    due: date | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            if field.type == "str":
                object.__setattr__(self, field.name, plain(getattr(self, field.name)).strip())
        object.__setattr__(self, "title", " ".join(self.title.split()))

    def unfilled(self) -> list[str]:
        """The French names of the fields the procedure requires and the agent left empty."""
        return [label for name, label in LABELS.items() if not getattr(self, name)]

    def step_list(self) -> list[str]:
        """The reproduction steps, one per non-empty line, without the numbers typed."""
        return [_STEP_NUMBER.sub("", line).strip() for line in self.steps.split("\n")
                if line.strip()]


LABELS = {"title": "Titre", "description": "Description", "steps": "Étapes de reproduction",
          "environment": "Environnement", "observed": "Résultat observé",
          "expected": "Résultat attendu", "urgency": "Urgence"}
_STEP_NUMBER = re.compile(r"^\s*(?:\d+\s*[.)-]|[-*•])\s*")


def _facts(ticket: Ticket) -> list[tuple[str, str]]:
    """The ticket's lines after its title, as (label, text) in the tracker's order."""
    facts = [("Urgence", URGENCY_LABELS.get(ticket.urgency, ticket.urgency)),
             ("Reproduit par le support", "oui" if ticket.reproduced else "non")]
    if ticket.due:
        facts.append(("Échéance (interne)", ticket.due.strftime("%d/%m/%Y")))
    return facts


def _sections(ticket: Ticket) -> list[tuple[str, str | list[str]]]:
    return [("Description", ticket.description),
            ("Étapes de reproduction", ticket.step_list()),
            ("Environnement", ticket.environment),
            ("Résultat observé", ticket.observed),
            ("Résultat attendu", ticket.expected)]


def ticket_text(ticket: Ticket) -> str:
    """The ticket as plain text, to paste into a tracker that takes no Markdown."""
    lines = [ticket.title, "=" * len(ticket.title), ""]
    lines += [f"{label} : {text}" for label, text in _facts(ticket)]
    for heading, body in _sections(ticket):
        lines += ["", f"{heading} :"]
        lines += ([f"{n}. {step}" for n, step in enumerate(body, 1)]
                  if isinstance(body, list) else [body])
    return "\n".join(lines)


# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
# that can start markup anywhere in a line.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>!&|~#])")
# "- x", "+ x", "> x", "===", "3. x", "3) x": lists, quotes and heading underlines.
_MARKDOWN_LINE_START = re.compile(r"^(\d+(?=[.)])|)([-+=>.)])", re.M)


def markdown_escape(text: str) -> str:
    """The text as Markdown that renders as this very text: no HTML, emphasis, list or code,
    and no link but the bare web addresses GFM links by itself."""
    # Indented lines would become code blocks: the indentation goes.
    lines = (line.lstrip(" \t") for line in plain(text).split("\n"))
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", "\n".join(lines))
    escaped = _MARKDOWN_LINE_START.sub(r"\1\\\2", escaped)
    return "  \n".join(escaped.split("\n"))  # each typed line break kept (a hard break)


def ticket_markdown(ticket: Ticket) -> str:
    """The ticket as Markdown, for trackers that render it (GitLab, GitHub, Redmine…)."""
    lines = [f"## {markdown_escape(ticket.title)}", ""]
    lines += [f"- **{label}** : {markdown_escape(text)}" for label, text in _facts(ticket)]
    for heading, body in _sections(ticket):
        lines += ["", f"### {heading}", ""]
        lines += ([f"{n}. {markdown_escape(step)}" for n, step in enumerate(body, 1)]
                  if isinstance(body, list) else [markdown_escape(body)])
    return "\n".join(lines)


def created_message(number: str, signature: str) -> str:
    """Tell the client a ticket was created, with its number, and no deadline."""
    return _signed(["Bonjour,", "",
                    "Nous avons bien reproduit le problème que vous nous avez signalé et l'avons "
                    f"transmis à nos équipes de développement sous le n° de ticket {number}.", "",
                    "Nous reviendrons vers vous dès que la correction sera disponible. Rappelez "
                    "ce numéro si vous nous contactez à ce sujet."], signature)


def resolved_message(number: str, signature: str) -> str:
    """Tell the client the ticket is done."""
    return _signed(["Bonjour,", "",
                    f"Le problème que vous nous aviez signalé (ticket n° {number}) est corrigé.",
                    "", "N'hésitez pas à revenir vers nous si vous le rencontrez encore."],
                   signature)


# -- Promised deadlines -----------------------------------------------------------------------

_DAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_MONTHS = (r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre"
           r"|novembre|d[ée]cembre|janv|f[ée]vr?|avr|juil|sept|oct|nov|d[ée]c)\.?(?!\w)")
_NUMBER_WORD = (r"(?:une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize"
                r"|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent)")
# "48", "1,5", "24/48", "2 à 3", "quarante-huit", "vingt-et-un", "quelques"
_COUNT = (rf"(?:\d+(?:,\d+)?(?:\s*(?:/|-|à|ou)\s*\d+)?"
          rf"|{_NUMBER_WORD}(?:-(?:et-)?{_NUMBER_WORD}){{0,3}}|quelques|plusieurs)")
_UNIT = r"(?:h\b|heures?|hrs?\b|min(?:utes?)?\b|j\b|jours?|semaines?|mois|ans?\b|années?)"
_PERIOD = r"(?:heure|journée|semaine|mois|année|trimestre|matinée|après-midi|soirée)"
_THE = r"(?:la\s+|le\s+|l['’]\s*|les\s+)"
_APOSTROPHE = r"['’ ]"
_DEADLINE_PATTERNS = (
    # a delay: "sous 48 h", "dans 3 jours", "en moins de deux semaines", "24/48h maximum"
    rf"\b(?:sous|dans|en|d{_APOSTROPHE}ici|avant|sur|délai(?: de)?)\s+(?:les?\s+|un\s+délai\s+de\s+"
    rf"|moins\s+de\s+|maximum\s+|max\.?\s+|environ\s+)?{_COUNT}\s*{_UNIT}",
    rf"\b{_COUNT}\s*{_UNIT}\s+(?:maximum|max\b|au plus|ouvrés?|ouvrables?)",
    rf"\b(?:sous|dans|en|d{_APOSTROPHE}ici)\s+(?:une\s+|la\s+)?(?:huitaine|quinzaine)\b",
    r"\bprochain(?:e|s|es)?\s+(?:heures|jours|semaines|mois)\b",
    r"\b(?:heures|jours|semaines|mois)\s+(?:qui viennent|à venir)\b",
    # "d'ici vendredi", "d'ici la fin du mois", "d'ici ce soir", "au plus tard lundi"
    rf"\bd{_APOSTROPHE}ici\b", r"\bau plus tard\b",
    r"\b(?:après-)?demain\b", r"\bce soir\b", r"\bcet après-midi\b",
    r"\b(?:dès|pour)\s+aujourd['’]hui\b",
    rf"\b(?:avant|pour|dès|jusqu['’]à|ce|cette)\s+{_DAYS}\b", rf"\b{_DAYS}\s+(?:prochain|\d)",
    rf"\b{_THE}{_PERIOD}\s+prochaine?\b", rf"\b(?:dans|en|avant)\s+{_THE}{_PERIOD}\b",
    rf"\b(?:cette|ce|cet)\s+{_PERIOD}(?:-ci)?\b",
    rf"\b(?:fin|début|mi|courant)[- ](?:de\s+|du\s+|d['’])?{_THE}?(?:{_PERIOD}|{_MONTHS})",
    # dates: "le 12/01", "12/01/2027", "2027-01-12", "12 janvier", "1er mars", "en janvier",
    # "avant le 15", "le 3 courant", "à 15 h", "J+2", "semaine 3"
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b", r"\b\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})\b",
    r"\b\d{4}-\d{2}-\d{2}\b", rf"\b\d{{1,2}}(?:er)?\s+{_MONTHS}",
    rf"\b(?:en|avant|pour|dès|d['’]ici)\s+{_MONTHS}",
    # a bare day of the month ends the phrase: "avant le 15." but not "avant le 1er import"
    rf"\b(?:avant le|pour le|dès le|jusqu['’]au|à partir du|d{_APOSTROPHE}ici le)\s+"
    r"\d{1,2}(?:er)?(?=\s*(?:[.,;:!?)]|$|du mois|au plus tard|prochain|inclus))",
    r"\b\d{1,2}(?:er)?\s+courant\b", r"\b(?:avant|à|vers|pour)\s+\d{1,2}\s*h(?:\d{2})?\b",
    r"\b[JS]\s*\+\s*\d+\b", r"\bsemaine\s+\d{1,2}\b",
    r"\b(?:avant|pour|dès|après)\s+(?:noël|pâques|la toussaint|le nouvel an|les vacances"
    r"|l['’]été|la rentrée)",
    # a promise without figure: "la correction sera livrée très prochainement"
    r"\bprochainement\b", r"\bsous peu\b",
)
_DEADLINE = re.compile("|".join(f"(?:{p})" for p in _DEADLINE_PATTERNS), re.I)


def promised_deadlines(text: str, ignore: Iterable[str] = ()) -> list[str]:
    """The phrases of a client text that promise a date or a delay, in order, each once.

    ``ignore`` holds the ticket numbers the text quotes: "n° 12/01" is a number, not a date.
    """
    for number in ignore:
        if number:
            text = text.replace(number, " ")
    found = (" ".join(match.group(0).split()) for match in _DEADLINE.finditer(text))
    return list(dict.fromkeys(found))
