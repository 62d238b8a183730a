"""SARIF and JUnit reports: valid against their consumers, stable, and faithful to the findings."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from transcript_audit.model import (
    AuditResult,
    Finding,
    ReadError,
    Role,
    Severity,
    Transcript,
    TranscriptResult,
    Turn,
)
from transcript_audit.reporters import junit_report, sarif_report

from .conftest import ROOT, SAMPLES

SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
FINGERPRINT = "transcriptAudit/v1"


def render(module, result: AuditResult) -> str:
    stream = io.StringIO()
    module.render(result, stream)
    return stream.getvalue()


def results_of(log: dict) -> list[dict]:
    return log["runs"][0]["results"]


@pytest.fixture(scope="module")
def samples_result(auditor):
    from transcript_audit.engine import AuditOptions
    from transcript_audit.pipeline import audit

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # paths in the result are relative to the working folder
        return audit([SAMPLES], AuditOptions(), auditor=auditor)


@pytest.fixture(scope="module")
def sarif(samples_result) -> dict:
    return json.loads(render(sarif_report, samples_result))


@pytest.fixture(scope="module")
def junit(samples_result) -> ET.Element:
    return ET.fromstring(render(junit_report, samples_result).encode("utf-8"))


def audit_text(auditor, folder, text: str) -> AuditResult:
    """Audit one small transcript written in ``folder``, with paths relative to it."""
    from transcript_audit.engine import AuditOptions
    from transcript_audit.pipeline import audit

    (folder / "chat-pompe.txt").write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return audit([folder / "chat-pompe.txt"], AuditOptions(), auditor=auditor)


SMALL_CHAT = (
    "# channel: chat\n"
    "Client : Bonjour, où en est la réparation de mon lave-linge ?\n"
    "Conseillère : Bonjour, la pompe arrivera normalement sous peu, je vous tiens au courant.\n"
    "Client : D'accord.\n"
    "Conseillère : Et le technicien passera normalement sous peu. Bonne journée !\n"
)


def synthetic_result() -> AuditResult:
    """A result built by hand: a finding without a line, an info-only transcript, a read error."""

    def finding(severity: Severity, line: int | None, locator: str | None = None) -> Finding:
        return Finding(
            rule="vague-promise", category="vague", severity=severity,
            message="« normalement » : une promesse floue.", rationale="Pourquoi.", suggestion="Donnez une date.",
            turn=2, speaker="SPEAKER_01", role=Role.AGENT, line=line, column=None,
            excerpt="…arrivera normalement\x1b demain…", match="normalement", match_start=10, locator=locator,
        )

    def transcript(name: str, findings: list[Finding]) -> TranscriptResult:
        turns = [Turn(Role.AGENT, "SPEAKER_01", "Bonjour.", None, None)]
        return TranscriptResult(Transcript(name, f"appels/été {name}.json", "call", turns), findings, 90)

    return AuditResult(
        tool_version="0.0.test",
        transcripts=[
            transcript("sans-ligne", [finding(Severity.WARNING, None, "segments[4]")]),
            transcript("info-seule", [finding(Severity.INFO, 3)]),
            transcript("propre", []),
        ],
        errors=[ReadError("appels/cassé.txt", 3, "locuteur inconnu « Technicien »\x0c", column=1)],
        rules=[{"id": "vague-promise", "category": "vague", "severity": "warning", "check": "forbidden",
                "message": "« {match} » : une promesse floue.", "source": "vague.yaml", "pack": "vague"}],
    )


# SARIF


def test_sarif_is_valid_against_the_official_schema(sarif):
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    from jsonschema.validators import validator_for

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(sarif), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_sarif_header_and_driver(sarif, samples_result):
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(sarif["runs"]) == 1
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "transcript-audit"
    assert driver["version"] == samples_result.tool_version
    assert [rule["id"] for rule in driver["rules"]] == [rule["id"] for rule in samples_result.rules]
    for rule in driver["rules"]:
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert rule["properties"]["tags"] == [rule["properties"]["category"]]
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
    assert sarif["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_every_finding_is_a_result_whose_rule_index_names_its_rule(sarif, samples_result):
    findings = samples_result.findings()
    results = results_of(sarif)
    assert len(results) == len(findings) > 0
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    for result, finding in zip(results, findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        expected_level = {"error": "error", "warning": "warning", "info": "note"}[finding.severity.value]
        assert result["level"] == expected_level
        assert result["message"]["text"].startswith(finding.message)
        if finding.suggestion:
            assert result["message"]["text"].endswith(" — " + finding.suggestion)


def test_every_result_has_a_relative_uri_and_a_start_line(sarif, samples_result):
    paths = {transcript.transcript.path for transcript in samples_result.transcripts}
    for result in results_of(sarif):
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        parts = urlsplit(artifact["uri"])
        assert not parts.scheme and not parts.netloc and not artifact["uri"].startswith("/")
        assert artifact["uri"] in paths
        region = location["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert region.get("startColumn", 1) >= 1


def test_fingerprints_are_unique_and_stable_across_renders(sarif, samples_result):
    fingerprints = [result["partialFingerprints"][FINGERPRINT] for result in results_of(sarif)]
    assert len(set(fingerprints)) == len(fingerprints)
    again = json.loads(render(sarif_report, samples_result))
    assert [result["partialFingerprints"][FINGERPRINT] for result in results_of(again)] == fingerprints


def test_fingerprints_survive_a_line_inserted_above(auditor, tmp_path):
    before = json.loads(render(sarif_report, audit_text(auditor, tmp_path, SMALL_CHAT)))
    shifted = SMALL_CHAT.replace("# channel: chat\n", "# channel: chat\n# relu par l'équipe qualité\n")
    after = json.loads(render(sarif_report, audit_text(auditor, tmp_path, shifted)))

    def located(log):
        return [
            (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["partialFingerprints"][FINGERPRINT])
            for r in results_of(log)
        ]

    assert any(rule == "vague-promise" for rule, _, _ in located(before))
    assert len(located(before)) == len(located(after))
    for (rule, line, fingerprint), (rule_after, line_after, fingerprint_after) in zip(located(before), located(after)):
        assert (rule_after, line_after) == (rule, line + 1)
        assert fingerprint_after == fingerprint
    # The same words flagged twice in one transcript stay two alerts.
    vague = [fp for rule, _, fp in located(before) if rule == "vague-promise"]
    assert len(vague) == 2 and len(set(vague)) == 2


def test_sarif_without_a_line_points_at_line_1_and_names_the_place():
    log = json.loads(render(sarif_report, synthetic_result()))
    result = results_of(log)[0]
    location = result["locations"][0]
    assert location["physicalLocation"]["region"] == {"startLine": 1}
    assert location["logicalLocations"][0]["name"] == "segments[4]"
    assert "segments[4]" in result["message"]["text"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "appels/%C3%A9t%C3%A9%20sans-ligne.json"


def test_sarif_read_errors_are_tool_notifications():
    log = json.loads(render(sarif_report, synthetic_result()))
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"].startswith("locuteur inconnu")
    physical = notification["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "appels/cass%C3%A9.txt"
    assert physical["region"] == {"startLine": 3, "startColumn": 1}


# JUnit


def test_junit_counts_match_the_transcripts_and_findings(junit, samples_result):
    transcripts = samples_result.transcripts
    failing = [t for t in transcripts if any(f.severity is not Severity.INFO for f in t.findings)]
    assert junit.tag == "testsuites" and junit.get("name") == "transcript-audit"
    assert int(junit.get("tests")) == len(transcripts)
    assert int(junit.get("failures")) == len(failing) > 0
    assert int(junit.get("errors")) == 0
    suites = junit.findall("testsuite")
    assert [suite.get("name") for suite in suites] == list(dict.fromkeys(t.transcript.path for t in transcripts))
    assert sum(int(suite.get("tests")) for suite in suites) == len(transcripts)

    cases = junit.findall("testsuite/testcase")
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        (t.transcript.path, t.transcript.id) for t in transcripts
    ]
    for case, transcript in zip(cases, transcripts):
        failures = case.findall("failure")
        if transcript in failing:
            (failure,) = failures
            count = len(transcript.findings)
            assert failure.get("message") == f"{count} finding{'s' if count != 1 else ''}"
            assert failure.get("type") == "transcript-audit"
            assert len(failure.text.splitlines()) == len(transcript.findings)
            first = transcript.findings[0]
            location = f"{first.line}:{first.column}" if first.column is not None else f"{first.line}"
            assert failure.text.splitlines()[0].startswith(location)
            assert f" {first.rule} {first.severity.value}: {first.message}" in failure.text.splitlines()[0]
        else:
            assert failures == []


def test_a_clean_transcript_is_a_passing_testcase(junit, samples_result):
    clean = [t for t in samples_result.transcripts if not t.findings]
    assert clean
    cases = {(case.get("classname"), case.get("name")): case for case in junit.iter("testcase")}
    for transcript in clean:
        case = cases[(transcript.transcript.path, transcript.transcript.id)]
        assert list(case) == []


def test_junit_info_only_passes_and_read_errors_are_errors():
    text = render(junit_report, synthetic_result())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))  # control characters were replaced: still well-formed
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")

    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert cases["sans-ligne"].find("failure").text.startswith("? [segments[4]] vague-promise warning: ")
    info = cases["info-seule"]
    assert info.find("failure") is None
    assert "vague-promise info" in info.find("system-out").text
    assert list(cases["propre"]) == []

    (error_case,) = [case for case in root.iter("testcase") if case.find("error") is not None]
    assert error_case.get("classname") == "appels/cassé.txt"
    error = error_case.find("error")
    assert error.get("message").startswith("locuteur inconnu « Technicien »")
    assert error.text.startswith("appels/cassé.txt:3:1: ")
    assert [suite.get("name") for suite in root.iter("testsuite")][-1] == "appels/cassé.txt"
