"""The proposed reply: a short French message (vouvoiement) linking to the chosen sections.

A pure function of the chosen sections and the ticket number, so it is tested as a table.  The
reply links to the documentation rather than pasting it: greeting, one line per section with its
link, closing.  The agent edits the text before copying it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SECTIONS = 3
TICKET_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9#_./-]{0,39}")


@dataclass(frozen=True)
class ChosenSection:
    """A search result the agent ticked: where it is and what to call it in the reply.

    ``page_id`` and ``anchor`` name the section in the index, for a reviewer to read its text;
    drafts made before they were kept have them empty.
    """

    page_title: str
    heading: str
    url: str
    page_id: str = ""
    anchor: str = ""

    @property
    def label(self) -> str:
        """« Page – Section », or the page title alone when the section is the page itself."""
        if not self.heading or self.heading.casefold() == self.page_title.casefold():
            return self.page_title
        return f"{self.page_title} – {self.heading}"


def valid_ticket(ticket: str) -> bool:
    """True for an empty ticket number or one made of letters, digits and ``#_./-``."""
    return not ticket or TICKET_PATTERN.fullmatch(ticket) is not None


DEFAULT_SIGNATURE = "L'équipe support"


def compose(sections: list[ChosenSection] | tuple[ChosenSection, ...], ticket: str = "",
            signature: str = "") -> str:
    """The proposed reply as plain text (the links are bare URLs, one per line), signed with the
    agent's signature (the team's name until they set one)."""
    if not 1 <= len(sections) <= MAX_SECTIONS:
        raise ValueError(f"a reply links to 1 to {MAX_SECTIONS} sections, not {len(sections)}")
    about = f"Concernant votre demande n° {ticket}, v" if ticket else "V"
    where = "cette page" if len(sections) == 1 else "ces pages"
    lines = ["Bonjour,", "",
             f"{about}ous trouverez la réponse à votre question sur {where} "
             "de notre documentation :", ""]
    lines += [f"- {section.label} : {section.url}" for section in sections]
    lines += ["", "N'hésitez pas à revenir vers nous si besoin.", "", "Cordialement,",
              signature or DEFAULT_SIGNATURE]
    return "\n".join(lines)
