"""French text normalisation shared by readers, rules and matching.

Two kinds of normalisation live here:

* ``normalise_typography`` replaces one character by one character (curly
  apostrophes, non-breaking spaces), so offsets computed on the normalised text
  stay valid in the original text. The parser sees this form.
* ``fold`` lower-cases and strips accents so that "Désolé", "desole" and
  "DÉSOLÉ" compare equal. ``fold_preserving_length`` does the same one character
  for one character, for regular expressions whose offsets must map back.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Apostrophe look-alikes that break spaCy's French lemmas ("C’est" -> "c’").
_APOSTROPHES = "\u2019\u02bc\u2018\u2032\u00b4\u0060\uff07"
# Spaces that French typography puts before ":;?!" and inside numbers.
_SPACES = "\u00a0\u202f\u2007\u2009\u200a"

_TYPOGRAPHY_TABLE = str.maketrans(
    {**{c: "'" for c in _APOSTROPHES}, **{c: " " for c in _SPACES}, "\t": " "}
)


def normalise_typography(text: str) -> str:
    """Straighten apostrophes and turn exotic spaces into plain ones (same length)."""
    return text.translate(_TYPOGRAPHY_TABLE)


class _CharacterTable(dict):
    """A ``str.translate`` table filled on first sight of each character.

    ``translate`` runs in C; the Python function runs once per distinct character.
    """

    def __init__(self, convert):
        super().__init__()
        self._convert = convert

    def __missing__(self, code: int) -> str:
        self[code] = converted = self._convert(chr(code))
        return converted


def _strip_accent(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def _lower(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


_WITHOUT_ACCENTS = _CharacterTable(_strip_accent)
_LOWER_CASE = _CharacterTable(_lower)


def strip_accents(text: str) -> str:
    """Remove accents, one character for one; case is kept (regex sources need it)."""
    return text if text.isascii() else text.translate(_WITHOUT_ACCENTS)


def fold_preserving_length(text: str) -> str:
    """Lower-case and strip accents, one character for one (offsets stay valid)."""
    return strip_accents(normalise_typography(text).translate(_LOWER_CASE))


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Lower-case, straighten apostrophes, strip accents and expand œ/æ."""
    return fold_preserving_length(text).translate(_LIGATURES)


@lru_cache(maxsize=262144)
def light_stem(word: str) -> str:
    """Fold a word and drop a plural and a feminine ending.

    spaCy's French lemmas are unreliable on participles and adjectives
    ("désolée" -> "désoler", "désolé" -> "désolé"); this crude form lets
    "désolée", "désolés" and "desole" meet. Hyphens glued by the tokenizer
    ("-vous" in "calmez-vous") are dropped too.
    """
    stem = fold(word).strip("-")
    if len(stem) > 3 and stem[-1] in "sx":
        stem = stem[:-1]
    while len(stem) > 3 and stem[-1] == "e":  # "désolée" and "désolé" both -> "desol"
        stem = stem[:-1]
    return stem


# Template placeholders of canned responses: {{ticket.requester.first_name}},
# {prenom}, ${client}, [NOM], [Prénom], %name%, %%NUMERO%%.
PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]{1,80}\}\}"  # {{ticket.requester.first_name}}
    r"|\{%[^{}\n]{1,80}%\}"  # {% if ticket.requester.first_name %} (Liquid)
    r"|\$?\{ ?[^{}\s]{1,40} ?\}"  # {prenom}, { client }, ${client}
    r"|\[[A-ZÀ-Ý][\w .'’-]{0,38}\](?!\()"  # [NOM], [Prénom]; not a Markdown link
    r"|%%[^\W\d][\w.]{0,38}%%"  # %%NUMERO%%
    r"|%[^\W\d][\w.]{0,38}%(?!%)"  # %name%, %prénom%
)


def mask_placeholders(text: str) -> str:
    """Replace each placeholder by a same-length name-like word ("Xxxxxx").

    The parser then sees a name, no rule can match inside a placeholder, and
    offsets still point into the original text, where excerpts show it as is.
    """
    return PLACEHOLDER.sub(lambda m: "X" + "x" * (len(m.group()) - 1), text)
