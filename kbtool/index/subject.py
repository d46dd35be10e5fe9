"""Questions asking what something is: "qu'est-ce que X ?", "que signifie X", "c'est quoi X",
"à quoi sert X", "X, c'est quoi ?", "définition de X".

Why: the X of such a question is often written on every page ("qu'est-ce qu'un dépôt ?" in a
wiki where every how-to installs from a *dépôt*), so ranking by the words alone puts any page
first, not the one about X.  The question is answered by the page whose title, page name or a
redirect's name is X; the interrogative words around X ("signifie", "sert") say nothing of the
subject and are searched no more.  A general rule over the question's shape, no list of
subjects.
"""

from __future__ import annotations

import re

from kbtool.index.analysis import fold_accents

# Over the folded, lowercased question with straight apostrophes; X is the group "subject".
_ARTICLE = r"(?:(?:un|une|le|la|les|des|du)\s+|(?:l|d)'\s*)?"
_WHAT_IS = (
    re.compile(r"^(?:mais\s+)?(?:qu'?\s*est[- ]?ce\s+(?:que|qu'?)\s*(?:c'?\s*est\s+(?:que?\s+)?)?|"
               r"que\s+(?:signifie(?:nt)?|veu(?:len)?t\s+dire)\s+|"
               r"c'?\s*est\s+quoi\s+|"
               r"a\s+quoi\s+(?:sert|servent)\s+|"
               r"(?:la\s+)?definition\s+(?:de\s+|du\s+|des\s+|d')?)"
               + _ARTICLE + r"(?P<subject>[^?!.,;:]+?)\s*[?!.]*$"),
    re.compile(r"^" + _ARTICLE + r"(?P<subject>[^?!.,;:]+?)\s*,?\s*(?:c'?\s*est\s+quoi|"
               r"(?:ca|cela)\s+(?:veut\s+dire\s+quoi|sert\s+a\s+quoi|signifie\s+quoi)|"
               r"qu'?\s*est[- ]?ce\s+que\s+c'?\s*est)\s*[?!.]*$"),
)
MAX_SUBJECT_WORDS = 5      # longer: a question about a task, not a name


def subject_of(query: str) -> str | None:
    """The X of a "what is X" question (folded, lowercase), else None."""
    folded = " ".join(fold_accents(query).lower().replace("’", "'").split())
    for pattern in _WHAT_IS:
        match = pattern.match(folded)
        if match:
            subject = match.group("subject").strip(" '\"«»")
            if subject and len(subject.split()) <= MAX_SUBJECT_WORDS:
                return subject
    return None
