"""``--format junit``: JUnit XML, for CI test-report views (GitLab, Jenkins, Azure DevOps).

Rendered from ``AuditResult.as_records()`` only. One ``<testsuite>`` per input file, one
``<testcase>`` per transcript: a transcript with a warning or an error fails, with every
finding listed in one ``<failure>``; info-only findings are shown in ``<system-out>`` and
the test passes; a file that could not be read is a test case in ``<error>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, TextIO

from ..model import AuditResult

FAILING_SEVERITIES = ("warning", "error")
FAILURE_TYPE = "transcript-audit"
ERROR_TYPE = "read-error"

# Characters XML 1.0 cannot hold at all, even escaped (C0 controls but tab, LF, CR; surrogates).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(result: AuditResult, stream: TextIO) -> None:
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = junit_tree(result.as_records())
    ET.indent(root)
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")


def junit_tree(records: dict[str, Any]) -> ET.Element:
    """The ``<testsuites>`` element of one audit, from its JSON records."""
    suites: dict[str, ET.Element] = {}

    def suite(path: str) -> ET.Element:
        if path not in suites:
            suites[path] = ET.Element("testsuite", name=_clean(path))
        return suites[path]

    for transcript in records["transcripts"]:
        suite(transcript["path"]).append(_transcript_case(transcript))
    for error in records.get("errors", []):
        suite(error["path"]).append(_error_case(error))

    root = ET.Element("testsuites", name=records["tool"]["name"])
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for element in suites.values():
        counts = {
            "tests": len(element.findall("testcase")),
            "failures": len(element.findall("testcase/failure")),
            "errors": len(element.findall("testcase/error")),
        }
        for key, value in counts.items():
            element.set(key, str(value))
            totals[key] += value
        element.set("skipped", "0")
        root.append(element)
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def _transcript_case(transcript: dict[str, Any]) -> ET.Element:
    case = ET.Element("testcase", classname=_clean(transcript["path"]), name=_clean(transcript["id"]))
    findings = transcript["findings"]
    if not findings:
        return case
    lines = "\n".join(finding_line(finding) for finding in findings)
    if any(finding["severity"] in FAILING_SEVERITIES for finding in findings):
        noun = "finding" if len(findings) == 1 else "findings"
        failure = ET.SubElement(case, "failure", message=f"{len(findings)} {noun}", type=FAILURE_TYPE)
        failure.text = _clean(lines)
    else:
        ET.SubElement(case, "system-out").text = _clean(lines)
    return case


def _error_case(error: dict[str, Any]) -> ET.Element:
    name = "read error" if error.get("line") is None else f"read error, line {error['line']}"
    case = ET.Element("testcase", classname=_clean(error["path"]), name=name)
    location = error["path"]
    if error.get("line") is not None:
        location += f":{error['line']}"
        if error.get("column") is not None:
            location += f":{error['column']}"
    element = ET.SubElement(case, "error", message=_clean(error["message"]), type=ERROR_TYPE)
    element.text = _clean(f"{location}: {error['message']}")
    return case


def finding_line(finding: dict[str, Any]) -> str:
    """``9:113 vague-promise warning: message (excerpt)``; ``?`` for an unknown line."""
    location = "?" if finding.get("line") is None else str(finding["line"])
    if finding.get("line") is not None and finding.get("column") is not None:
        location += f":{finding['column']}"
    if finding.get("locator"):
        location += f" [{finding['locator']}]"
    text = f"{location} {finding['rule']} {finding['severity']}: {finding['message']}"
    if finding.get("excerpt"):
        text += f" ({' '.join(finding['excerpt'].split())})"
    return text


def _clean(text: str) -> str:
    """Text XML can hold: characters it forbids become U+FFFD rather than a broken file."""
    return _NOT_XML.sub("\ufffd", text)
