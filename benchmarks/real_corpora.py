"""Real third-party conversations as transcripts: the LIDA perfume-shop chats and the ANCOR calls.

Neither corpus is part of the project: LIDA states no data licence and ANCOR
is CC BY-SA, so only ids and labels are committed (benchmarks/real/). These
converters turn the files a user fetched into the project's plain JSON shape
(docs/formats.md), one record per conversation, so the audit runs on them
exactly as on any export.

LIDA (``data/dialogues.txt`` of the GitHub repository lpschaub/lida): chats
separated by lines of ``===``; paragraphs alternate customer and agent, the
first customer slot is ``''`` and the second paragraph the shop's automatic
welcome; a customer paragraph holds numbered messages (``3 (15:03) text``),
an agent paragraph ``(15:03) _Name1_ : text`` messages run together; ``bye``
ends a chat. A chat's id is ``lida-NNN``, NNN its block number in file order.

ANCOR (``ancor_ubs_otg_service_dialogues.jsonl``): the 17 switchboard calls
(``UBS_switchboard_phone``), spk1 the operator; ids are the corpus's own.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

_BLOCK_SEPARATOR = re.compile(r"^===.*$", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# "3 (15:03) " in a customer paragraph: a message number, then its time.
_CUSTOMER_MESSAGE = re.compile(r"(\d+) \((\d{1,2}):(\d\d)\) ")
# "(15:03) _Name1_ : " in an agent paragraph.
_AGENT_MESSAGE = re.compile(r"\((\d{1,2}):(\d\d)\) (_[A-Za-z]+\d*_) ?: ")
_NAME_PREFIX = re.compile(r"^_[A-Za-z]+\d*_ ?: ")
# "GUILCHER : text": the chat widget's display name before a customer's messages.
_DISPLAY_NAME = re.compile(r"^((?:[^\W\d]|[-'’_])+(?: (?:[^\W\d]|[-'’_])+){0,2}) ?: ")
_EMPTY_SLOT = "''"
_END_MARK = "bye"


def lida_blocks(text: str) -> list[str]:
    """The chats of dialogues.txt in file order (block N is the text before the N+1th separator)."""
    blocks = _BLOCK_SEPARATOR.split(text.replace("\r\n", "\n"))
    return blocks[:-1] if blocks and not blocks[-1].strip() else blocks


def _seconds(hours: str, minutes: str) -> float:
    return float(int(hours) * 3600 + int(minutes) * 60)


def _customer_messages(paragraph: str) -> list[tuple[float | None, str]]:
    """Split a customer paragraph on its increasing message numbers ("bonjour2 (15:02) …")."""
    cuts: list[tuple[int, int, float]] = []
    last_number = 0
    for found in _CUSTOMER_MESSAGE.finditer(paragraph):
        number = int(found.group(1))
        if number > last_number:
            cuts.append((found.start(), found.end(), _seconds(found.group(2), found.group(3))))
            last_number = number
    if not cuts:
        return [(None, paragraph.strip())]
    messages = []
    for index, (_, end, seconds) in enumerate(cuts):
        stop = cuts[index + 1][0] if index + 1 < len(cuts) else len(paragraph)
        body = _NAME_PREFIX.sub("", paragraph[end:stop].strip())
        messages.append((seconds, body))
    return messages


def _agent_messages(paragraph: str) -> list[tuple[float | None, str, str | None]]:
    found = list(_AGENT_MESSAGE.finditer(paragraph))
    if not found:
        return [(None, paragraph.strip(), None)]
    messages = []
    for index, match in enumerate(found):
        stop = found[index + 1].start() if index + 1 < len(found) else len(paragraph)
        messages.append((_seconds(match.group(1), match.group(2)), paragraph[match.end():stop].strip(), match.group(3)))
    return messages


def lida_record(number: int, block: str) -> dict[str, Any]:
    """One chat in the plain JSON shape: every message a turn, in order."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(block.strip("\n")) if p.strip()]
    if paragraphs and paragraphs[-1].lower() == _END_MARK:
        paragraphs.pop()
    turns: list[dict[str, Any]] = []
    for index, paragraph in enumerate(paragraphs):
        if index % 2 == 0:  # customer slot
            if paragraph == _EMPTY_SLOT:
                continue
            for seconds, body in _customer_messages(paragraph):
                if body:
                    turns.append({"speaker": "Client", "role": "customer", "text": body, "start": seconds})
        else:
            for seconds, body, name in _agent_messages(paragraph):
                if body:
                    turns.append({"speaker": name or "Conseiller", "role": "agent", "text": body, "start": seconds})
    for turn in turns:
        if turn["start"] is None:
            del turn["start"]
    record = {"id": f"lida-{number:03d}", "path": f"lida-{number:03d}", "channel": "chat", "turns": turns}
    name = _display_name([turn for turn in turns if turn["role"] == "customer"])
    if name:
        record["customer"] = name
    return record


def _display_name(customer_turns: list[dict[str, Any]]) -> str | None:
    """The display name most customer messages start with, taken off their text.

    It is the chat's customer name, as an export's author column would give it (a
    masked ``_Name2_`` is taken off but is no name)."""
    prefixes = Counter(found.group(1) for turn in customer_turns if (found := _DISPLAY_NAME.match(turn["text"])))
    if not prefixes:
        return None
    name, count = prefixes.most_common(1)[0]
    if count < max(1, len(customer_turns) / 2):
        return None
    for turn in customer_turns:
        if turn["text"].startswith(name):
            turn["text"] = _DISPLAY_NAME.sub("", turn["text"], count=1) or turn["text"]
    return None if "_" in name else name


def lida_records(path: Path, blocks: range) -> list[dict[str, Any]]:
    """The chats whose block numbers are in ``blocks`` (never read the others)."""
    all_blocks = lida_blocks(path.read_text(encoding="utf-8"))
    return [lida_record(number, all_blocks[number]) for number in blocks if number < len(all_blocks)]


def ancor_records(path: Path) -> list[dict[str, Any]]:
    """The switchboard calls of the ANCOR file, in the plain JSON shape (channel call)."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        dialogue = json.loads(line)
        if not dialogue["subcorpus"].startswith("UBS"):
            continue
        turns = [
            {"speaker": turn["speaker"], "role": turn["role"] if turn["role"] in ("agent", "customer") else "unknown", "text": turn["text"]}
            for turn in dialogue["turns"]
            if turn["text"].strip()
        ]
        records.append({"id": dialogue["dialogue_id"], "path": dialogue["dialogue_id"], "channel": "call", "turns": turns})
    return records
