"""``--format sarif``: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

Rendered from ``AuditResult.as_records()`` only, like every other format. One run; one
``reportingDescriptor`` per active rule; one result per finding. Each result carries a
``partialFingerprints`` entry built from what was said rather than where, so that an alert
survives lines being inserted above it and is not reopened on every upload.
"""

from __future__ import annotations

import json
import re
from typing import Any, TextIO
from urllib.parse import quote

from ..fingerprints import fingerprints
from ..model import AuditResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/transcript-audit/transcript-audit"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "transcriptAudit/v1"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[/\\]")


def render(result: AuditResult, stream: TextIO) -> None:
    json.dump(sarif_log(result.as_records()), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def sarif_log(records: dict[str, Any]) -> dict[str, Any]:
    """The SARIF log of one audit, from its JSON records."""
    rules, rule_index = _rule_descriptors(records)
    results = []
    for transcript, prints in zip(records["transcripts"], fingerprints(records)):
        for finding, fingerprint in zip(transcript["findings"], prints):
            results.append(_result(finding, transcript, rule_index, fingerprint))

    errors = records.get("errors", [])
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [_notification(error) for error in errors]

    tool = records["tool"]
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool["name"],
                        "version": tool["version"],
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                # Columns count characters (Python string offsets), not UTF-16 code units.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _rule_descriptors(records: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One descriptor per rule, in the order of ``records["rules"]``; the index by id.

    The rationale and suggestion are not part of a rule's summary, so they are taken
    from the rule's first finding; a rule that found nothing is described by its message.
    A finding of a rule missing from the list (should not happen) still gets a descriptor,
    so that every ``ruleIndex`` is valid.
    """
    first_finding: dict[str, dict[str, Any]] = {}
    for transcript in records["transcripts"]:
        for finding in transcript["findings"]:
            first_finding.setdefault(finding["rule"], finding)

    summaries = list(records.get("rules", []))
    known = {summary["id"] for summary in summaries}
    for rule_id, finding in first_finding.items():
        if rule_id not in known:
            known.add(rule_id)
            summaries.append(
                {"id": rule_id, "category": finding["category"], "severity": finding["severity"], "message": finding["message"]}
            )

    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for summary in summaries:
        rule_id = summary["id"]
        if rule_id in index:
            continue
        finding = first_finding.get(rule_id)
        message = summary.get("message") or rule_id
        rationale = (finding or {}).get("rationale") or message
        suggestion = (finding or {}).get("suggestion")
        help_text = f"{rationale}\n\n{suggestion}" if suggestion else rationale
        properties: dict[str, Any] = {"category": summary["category"], "tags": [summary["category"]]}
        if summary.get("pack"):
            properties["pack"] = summary["pack"]
        index[rule_id] = len(descriptors)
        descriptors.append(
            {
                "id": rule_id,
                "name": _pascal_case(rule_id),
                "shortDescription": {"text": message},
                "fullDescription": {"text": rationale},
                "help": {"text": help_text},
                "defaultConfiguration": {"level": LEVELS.get(summary.get("severity", "warning"), "warning")},
                "properties": properties,
            }
        )
    return descriptors, index


def _result(
    finding: dict[str, Any],
    transcript: dict[str, Any],
    rule_index: dict[str, int],
    fingerprint: str,
) -> dict[str, Any]:
    text = finding["message"]
    if finding.get("suggestion"):
        text += " — " + finding["suggestion"]
    line = finding.get("line")
    locator = finding.get("locator")
    if line is None:
        # SARIF needs startLine >= 1: point at the top of the file and say where in words.
        text += f" ({locator or 'tour ' + str(finding['turn'])})"

    region: dict[str, Any] = {"startLine": line if line is not None and line >= 1 else 1}
    if line is not None and finding.get("column") is not None and finding["column"] >= 1:
        region["startColumn"] = finding["column"]
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": _artifact(transcript["path"]), "region": region}}
    if locator:
        location["logicalLocations"] = [{"name": locator, "fullyQualifiedName": f"{transcript['id']}/{locator}"}]

    properties = {
        "category": finding["category"],
        "transcript": transcript["id"],
        "turn": finding["turn"],
        "speaker": finding["speaker"],
        "locator": locator,
    }
    return {
        "ruleId": finding["rule"],
        "ruleIndex": rule_index[finding["rule"]],
        "level": LEVELS.get(finding["severity"], "warning"),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {key: value for key, value in properties.items() if value is not None},
    }


def _artifact(path: str) -> dict[str, Any]:
    """An artifact location: a percent-encoded relative URI against ``%SRCROOT%``.

    Paths are relative to the working folder when the audited files are inside it; a file
    outside it keeps its absolute path, given as a ``file:`` URI without a base.
    """
    posix = path.replace("\\", "/")
    if posix.startswith("/") or _WINDOWS_DRIVE.match(posix):
        absolute = posix if posix.startswith("/") else "/" + posix
        return {"uri": "file://" + quote(absolute, safe="/:")}
    if posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _notification(error: dict[str, Any]) -> dict[str, Any]:
    region: dict[str, Any] = {}
    if error.get("line") is not None and error["line"] >= 1:
        region["startLine"] = error["line"]
        if error.get("column") is not None and error["column"] >= 1:
            region["startColumn"] = error["column"]
    physical: dict[str, Any] = {"artifactLocation": _artifact(error["path"])}
    if region:
        physical["region"] = region
    return {"level": "error", "message": {"text": error["message"]}, "locations": [{"physicalLocation": physical}]}


def _pascal_case(rule_id: str) -> str:
    """``vague-promise`` -> ``VaguePromise``: SARIF's readable rule name."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part) or rule_id
