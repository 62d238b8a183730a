"""What the tool reads in a rule's regular expressions before running them.

Rule authors write regexes; a regex can be slow in two ways, and both are
handled here, from the standard library's own parse of the pattern:

* ``required_substrings``: the literal strings every match contains, so a
  regex runs only on turns that hold them (a shortcut, never a change in what
  matches);
* ``nested_repetition``: a repeat inside a repeat (``(a+)+``), the classic
  source of exponential backtracking, refused when the rule is loaded. What
  this check cannot see is caught at run time: expression regexes run with a
  time limit (``REGEX_TIMEOUT``) in the ``regex`` engine.
"""

from __future__ import annotations

from re import _constants as constants, _parser as parser  # the standard library's own regex parser

REGEX_TIMEOUT = 0.5  # seconds one regex may take on one turn
_REPEATS = (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT)


def required_substrings(source: str) -> tuple[frozenset[str], ...]:
    """Sets of lower-case strings, one of each of which every match of the regex contains.

    Read from the parsed regex: runs of literal characters, alternatives that
    each require one, and repeats of at least one; lookarounds, classes and
    anything else are left aside, so the answer is never wrong, only
    sometimes empty (then the regex runs on every turn). Only strings of two
    characters or more are kept.
    """

    def conditions(sequence) -> list[frozenset[str]]:
        found: list[frozenset[str]] = []
        run = ""
        for operator, argument in sequence:
            if operator is constants.LITERAL:
                run += chr(argument)
                continue
            if len(run) >= 2:
                found.append(frozenset([run.lower()]))
            run = ""
            if operator is constants.SUBPATTERN:
                found += conditions(argument[-1])
            elif operator is constants.ATOMIC_GROUP:
                found += conditions(argument)
            elif operator in _REPEATS and argument[0] >= 1:
                found += conditions(argument[2])
            elif operator is constants.BRANCH:
                choices = [_most_selective(conditions(branch)) for branch in argument[1]]
                if all(choices):
                    found.append(frozenset().union(*choices))
        if len(run) >= 2:
            found.append(frozenset([run.lower()]))
        return found

    try:
        return tuple(conditions(parser.parse(source)))
    except Exception:  # noqa: BLE001 - an unreadable pattern simply gets no shortcut
        return ()


def _most_selective(conditions: list[frozenset[str]]) -> frozenset[str] | None:
    return max(conditions, key=lambda strings: min(map(len, strings)), default=None)


def nested_repetition(source: str) -> str | None:
    """A description of a repeat nested in an unbounded repeat (``(a+)+``, ``(\\w*\\s?)*``),
    or None. Such a regex can take exponential time on a text that almost matches."""

    def walk(sequence, inside_unbounded: bool) -> str | None:
        for operator, argument in sequence:
            if operator in _REPEATS:
                low, high, item = argument
                unbounded = high == constants.MAXREPEAT
                if inside_unbounded and (unbounded or high > 1):
                    return "a repeat inside a repeat without an upper bound"
                found = walk(item, inside_unbounded or unbounded)
            elif operator is constants.SUBPATTERN:
                found = walk(argument[-1], inside_unbounded)
            elif operator is constants.ATOMIC_GROUP:
                found = walk(argument, inside_unbounded)
            elif operator is constants.BRANCH:
                found = next((problem for branch in argument[1] if (problem := walk(branch, inside_unbounded))), None)
            elif operator in (constants.ASSERT, constants.ASSERT_NOT):
                found = walk(argument[1], inside_unbounded)
            else:
                found = None
            if found:
                return found
        return None

    try:
        return walk(parser.parse(source), False)
    except Exception:  # noqa: BLE001 - compile errors are reported by the caller
        return None
