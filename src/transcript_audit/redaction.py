"""Mask personal data in French customer-service text before it is stored or shown.

Audit reports quote turns verbatim, so an excerpt may carry a customer's e-mail,
phone number, IBAN, card number or social-security number (NIR). ``redact``
replaces each of those by a bracketed label and leaves every other character as
it was. Numbers with a check digit (IBAN, card, NIR) are masked only when the
check passes, so order numbers, amounts and dates survive.

Each kind is one ``Redaction`` value (label, compiled pattern, validator) and
``REDACTIONS`` is the ordered table that ``redact`` runs. Order matters: an IBAN
contains digit groups that could look like a card, a NIR has 15 digits like some
cards, so the more specific kinds run first. Labels contain no digit and no "@",
so a second pass finds nothing more (``redact`` is idempotent).

Every pattern uses bounded or unambiguous repetitions and look-arounds that
forbid starting in the middle of a word or a number, so matching is linear in
the length of the text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import NamedTuple

from .model import AuditResult, Finding, Turn

# Plain, non-breaking and narrow non-breaking spaces (French typography).
_SPACE = "[ \u00a0\u202f]"
# Separators seen inside phone numbers: spaces, dots, dashes.
_PHONE_SEP = "[ .\\-\u00a0\u202f]"
# "Not inside a longer number": no digit, or digit + separator, just before/after.
_NOT_AFTER_NUMBER = r"(?<!\w)(?<!\d[ .\-\u00a0\u202f])"
_NOT_BEFORE_NUMBER = r"(?!\w)(?![ .\-\u00a0\u202f]\d)"


class Redaction(NamedTuple):
    """One kind of personal data: what replaces it, how to find it, how to confirm it."""

    kind: str
    label: str
    pattern: re.Pattern[str]
    # Receives the match's text; False leaves it untouched. ``None``: always mask.
    validate: Callable[[str], bool] | None = None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def iban_is_valid(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to 10..35, mod 97 == 1."""
    compact = re.sub(r"[^0-9A-Za-z]", "", candidate).upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def luhn_is_valid(candidate: str) -> bool:
    """Luhn check over the digits of ``candidate`` (13 to 19 digits, as payment cards)."""
    digits = _digits(candidate)
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def nir_is_valid(candidate: str) -> bool:
    """French social-security number: key == 97 - (13-digit number mod 97).

    Corsican departments 2A and 2B count as 19 and 18 for the key.
    """
    compact = re.sub(r"[^0-9A-Za-z]", "", candidate).upper()
    if len(compact) != 15:
        return False
    body, key = compact[:13], compact[13:]
    body = body[:5] + body[5:7].replace("2A", "19").replace("2B", "18") + body[7:]
    if not body.isdigit() or not key.isdigit():
        return False
    return 97 - int(body) % 97 == int(key)


EMAIL = Redaction(
    "email",
    "[e-mail]",
    re.compile(
        r"(?<![\w.%+\-])[\w.%+\-]+@(?:[\w\-]+\.)+[^\W\d_]{2,24}(?![\w\-])"
    ),
)

IBAN = Redaction(
    "iban",
    "[IBAN]",
    re.compile(
        rf"(?<!\w)[A-Z]{{2}}\d{{2}}(?:{_SPACE}?[A-Z0-9]{{4}}){{2,7}}(?:{_SPACE}?[A-Z0-9]{{1,4}})?(?!\w)",
        re.IGNORECASE,
    ),
    iban_is_valid,
)

NIR = Redaction(
    "nir",
    "[n° sécu]",
    re.compile(
        rf"{_NOT_AFTER_NUMBER}[12]{_SPACE}?\d{{2}}{_SPACE}?\d{{2}}{_SPACE}?(?:\d{{2}}|2[AaBb])"
        rf"{_SPACE}?\d{{3}}{_SPACE}?\d{{3}}{_SPACE}?\d{{2}}{_NOT_BEFORE_NUMBER}"
    ),
    nir_is_valid,
)

# Contiguous 13-19 digits, or a first group of four then groups joined by one
# repeated separator (4-4-4-4, 4-6-5 for Amex, 4-4-4-4-3 for 19 digits).
CARD = Redaction(
    "card",
    "[carte]",
    re.compile(
        rf"{_NOT_AFTER_NUMBER}(?:\d{{13,19}}|\d{{4}}([ \-\u00a0\u202f])\d{{3,6}}(?:\1\d{{1,6}}){{1,3}})"
        rf"{_NOT_BEFORE_NUMBER}"
    ),
    luhn_is_valid,
)

# 0X XX XX XX XX, or +33 / 0033 followed by X XX XX XX XX, optionally "(0)" or "0".
PHONE = Redaction(
    "phone",
    "[téléphone]",
    re.compile(
        rf"(?<![\w+])(?<!\d[ .\-\u00a0\u202f])"
        rf"(?:(?:\+|00)33{_PHONE_SEP}?(?:\(0\){_PHONE_SEP}?|0)?|0)[1-9](?:{_PHONE_SEP}?\d{{2}}){{4}}"
        rf"{_NOT_BEFORE_NUMBER}"
    ),
)

# Most specific first: see the module docstring.
REDACTIONS: tuple[Redaction, ...] = (EMAIL, IBAN, NIR, CARD, PHONE)


def _iban_replacement(match: re.Match[str]) -> str:
    """Mask the longest valid IBAN at the start of the match.

    The pattern is greedy, so "FR76 … 189 ABCD" may swallow a following word;
    dropping trailing groups one at a time finds the IBAN itself.
    """
    text = match.group()
    candidate = text
    while True:
        if iban_is_valid(candidate):
            return IBAN.label + text[len(candidate) :]
        cut = max(candidate.rfind(c) for c in " \u00a0\u202f")
        if cut <= 0:
            return text
        candidate = candidate[:cut]


def _replacer(redaction: Redaction) -> Callable[[re.Match[str]], str]:
    if redaction is IBAN:
        return _iban_replacement
    validate = redaction.validate
    if validate is None:
        return lambda match: redaction.label
    return lambda match: redaction.label if validate(match.group()) else match.group()


_REPLACERS = tuple((r.pattern, _replacer(r)) for r in REDACTIONS)


def redact(text: str) -> str:
    """Replace e-mails, phone numbers, IBANs, card numbers and NIRs by labels."""
    for pattern, replace in _REPLACERS:
        text = pattern.sub(replace, text)
    return text


def redact_optional(text: str | None) -> str | None:
    """``redact`` for optional fields (a missing subject or body stays ``None``)."""
    return None if text is None else redact(text)


def redact_result(result: AuditResult) -> AuditResult:
    """A copy of ``result`` whose excerpts, matches, messages, suggestions, notes,
    transcript ids, paths and names, and error messages are redacted.

    Reports never hold more of a turn than the excerpt around a finding, so
    these are the only places a turn's text reaches an output.
    """
    transcripts = []
    for transcript_result in result.transcripts:
        turns, findings = _redact_turns(transcript_result.transcript.turns, transcript_result.findings)
        findings = [_redact_finding(finding) for finding in findings]
        suppressed = [_redact_finding(finding) for finding in transcript_result.suppressed]
        original = transcript_result.transcript
        transcript = dataclasses.replace(
            original,
            turns=turns,
            # File names and ids can carry an address or a number too ("appel-0612345678.txt").
            id=redact(original.id),
            path=redact(original.path),
            agent=redact_optional(original.agent),
            customer=redact_optional(original.customer),
            notes=[redact(note) for note in original.notes],
        )
        transcripts.append(dataclasses.replace(transcript_result, transcript=transcript, findings=findings, suppressed=suppressed))
    errors = [dataclasses.replace(error, path=redact(error.path), message=redact(error.message)) for error in result.errors]
    return dataclasses.replace(result, transcripts=transcripts, errors=errors)


def _redact_turns(turns: list[Turn], findings: list[Finding]) -> tuple[list[Turn], list[Finding]]:
    """Turns kept for the report (``--with-text``), redacted, and the findings' spans moved
    to the same words in the redacted text.

    Each turn is redacted in pieces cut at its findings' span ends; a cut that would fall
    inside personal data moves out of it, so every number is redacted whole."""
    if not turns:
        return turns, findings
    moved: dict[int, tuple[int, int]] = {}
    redacted_turns = []
    for index, turn in enumerate(turns):
        own = [(position, f) for position, f in enumerate(findings) if f.turn == index + 1 and f.span_start is not None]
        who = {"speaker": redact(turn.speaker), "locator": redact_optional(turn.locator)}  # a sender's address, a Message-ID
        if not own:
            redacted_turns.append(dataclasses.replace(turn, text=redact(turn.text), **who))
            continue
        sensitive = candidate_spans(turn.text)

        def outside(cut: int) -> int:
            return next((end for start, end in sensitive if start < cut < end), cut)

        cuts = sorted({0, len(turn.text), *(outside(c) for _, f in own for c in (f.span_start, f.span_end))})
        pieces, new_cuts, length = [], {}, 0
        for left, right in zip(cuts, cuts[1:]):
            new_cuts[left] = length
            piece = redact(turn.text[left:right])
            pieces.append(piece)
            length += len(piece)
        new_cuts[cuts[-1]] = length
        for position, finding in own:
            moved[position] = (new_cuts[outside(finding.span_start)], new_cuts[outside(finding.span_end)])
        redacted_turns.append(dataclasses.replace(turn, text="".join(pieces), **who))
    findings = [
        dataclasses.replace(finding, span_start=moved[position][0], span_end=moved[position][1]) if position in moved else finding
        for position, finding in enumerate(findings)
    ]
    return redacted_turns, findings


def _redact_finding(finding: Finding) -> Finding:
    excerpt = redact(finding.excerpt)
    match = redact_optional(finding.match)
    start = excerpt.find(match) if match else -1
    return dataclasses.replace(
        finding,
        excerpt=excerpt,
        match=match,
        match_start=start if start >= 0 else None,
        message=redact(finding.message),
        speaker=redact(finding.speaker),
        suggestion=redact_optional(finding.suggestion),
        replacement=redact_optional(finding.replacement),
        locator=redact_optional(finding.locator),  # e-mail Message-IDs look like addresses
    )


def candidate_spans(text: str) -> list[tuple[int, int]]:
    """Where personal data may be in ``text``, checked or not.

    Excerpts never cut through these spans, so that a phone number or an IBAN
    is always whole in an excerpt and ``redact`` can recognise it there.
    """
    return [match.span() for redaction in REDACTIONS for match in redaction.pattern.finditer(text)]
