"""Run the examples every rule carries: texts it must flag and texts it must not.

A rule's examples are its tests. An example is one turn of the rule's
speaker, or a whole conversation in the speaker-labelled format.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Auditor
from .model import Finding, Role, Transcript, Turn
from .readers import labelled_text
from .rule_model import Example, Rule


@dataclass
class ExampleOutcome:
    rule: Rule
    example: Example
    expected_flag: bool
    findings: list[Finding]

    @property
    def passed(self) -> bool:
        return bool(self.findings) == self.expected_flag


def example_transcript(rule: Rule, example: Example) -> Transcript:
    channel = example.channel or ("call" if "call" in rule.channels else rule.channels[0])
    name = f"{rule.id}@{example.line}"
    transcripts, errors = labelled_text.parse(example.text, name, default_id=name)
    if transcripts and not errors:
        transcript = transcripts[0]
        transcript.channel = channel
        return transcript
    role = Role.CUSTOMER if rule.speaker == "customer" else Role.AGENT
    turn = Turn(role=role, speaker=role.value, text=example.text.strip(), line=example.line)
    return Transcript(id=name, path=name, channel=channel, turns=[turn])


def run_examples(auditor: Auditor) -> list[ExampleOutcome]:
    outcomes = []
    for rule in auditor.rules:
        cases = [(example, True) for example in rule.flag_examples]
        cases += [(example, False) for example in rule.pass_examples]
        transcripts = [example_transcript(rule, example) for example, _ in cases]
        findings = auditor.findings_of_rule(rule.id, transcripts)
        for (example, expected), found in zip(cases, findings):
            outcomes.append(ExampleOutcome(rule, example, expected, found))
    return outcomes
