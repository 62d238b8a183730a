"""A file answered whole from the cache gives what auditing it gives, and nothing stale."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from transcript_audit import file_results, readers
from transcript_audit.cache import AuditCache
from transcript_audit.engine import AuditOptions, Auditor, load_active_rules, rule_fingerprint
from transcript_audit.model import Severity
from transcript_audit.pipeline import audit
from transcript_audit.readers.base import ReaderOptions

CALL = "Client : Mon ordinateur portable ne s'allume plus, c'est inadmissible !\nAgent : Votre produit sera remplacé.\n"
OTHER = "Agent : Bonjour, c'est la faute du transporteur.\nClient : Bon.\n"
LIBRARY = "reponses:\n  - titre: Retard\n    texte: Votre marchandise arrive normalement demain.\n  - titre: Merci\n    texte: Bonjour, merci !\n"


def records(result) -> dict:
    data = result.as_records()
    data.pop("generated_at", None)
    data["summary"].pop("duration", None)
    return data


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-appel.txt").write_text(CALL, encoding="utf-8")
    (folder / "b-bibliotheque.yaml").write_text(LIBRARY, encoding="utf-8")
    (folder / "c-vide.txt").write_text("", encoding="utf-8")  # only a read error
    (folder / "d-appel.txt").write_text(OTHER, encoding="utf-8")
    return folder


@pytest.fixture
def reads(monkeypatch):
    """The files the readers were given."""
    seen = []
    real = readers.read_bytes

    def counting(path, *arguments, **keywords):
        seen.append(path.name)
        return real(path, *arguments, **keywords)

    monkeypatch.setattr(readers, "read_bytes", counting)
    return seen


def test_an_unchanged_file_is_not_read_again_and_gives_the_same_report(tmp_path, files, reads, auditor):
    cache = AuditCache(tmp_path / "cache")
    fresh = records(audit([files], auditor=Auditor(auditor.rules, cache=None)))
    reads.clear()
    first = records(audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache))
    assert reads == ["a-appel.txt", "b-bibliotheque.yaml", "c-vide.txt", "d-appel.txt"]
    reads.clear()
    again = records(audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache))
    assert reads == []
    assert fresh == first == again
    assert again["errors"] and again["transcripts"][0]["findings"]  # the read error and findings came back too


def test_an_edited_file_alone_is_read_again_and_keeps_its_place(tmp_path, files, reads, auditor):
    cache = AuditCache(tmp_path / "cache")
    audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    (files / "b-bibliotheque.yaml").write_text(LIBRARY.replace("normalement ", ""), encoding="utf-8")
    reads.clear()
    again = records(audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache))
    assert reads == ["b-bibliotheque.yaml"]
    assert again == records(audit([files], auditor=Auditor(auditor.rules, cache=None)))
    assert [t["path"].rsplit("/", 1)[-1] for t in again["transcripts"]] == [
        "a-appel.txt", "b-bibliotheque.yaml", "b-bibliotheque.yaml", "d-appel.txt"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        lambda options: dataclasses.replace(options, select=["blame"]),
        lambda options: dataclasses.replace(options, severity={"jargon*": Severity.ERROR}),
        lambda options: dataclasses.replace(options, reader=ReaderOptions(agent_speakers=("Client",))),
        lambda options: dataclasses.replace(options, weights={"blame": 3.0}),
    ],
    ids=["selection", "severity", "reader options", "weights"],
)
def test_a_changed_setting_audits_the_files_again(tmp_path, files, reads, change):
    cache = AuditCache(tmp_path / "cache")
    options = AuditOptions()
    audit([files], options, cache=cache)
    reads.clear()
    changed = change(options)
    again = records(audit([files], changed, cache=cache))
    assert reads == ["a-appel.txt", "b-bibliotheque.yaml", "c-vide.txt", "d-appel.txt"]
    assert again == records(audit([files], changed))


def test_the_engine_version_is_part_of_every_key(tmp_path, files, reads, monkeypatch, auditor):
    cache = AuditCache(tmp_path / "cache")
    audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    monkeypatch.setattr("transcript_audit.engine.engine_version", lambda: "a later release")
    reads.clear()
    audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    assert len(reads) == 4


def test_runs_that_keep_the_texts_read_the_files(tmp_path, files, reads, auditor):
    cache = AuditCache(tmp_path / "cache")
    audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    reads.clear()
    kept = audit([files], AuditOptions(with_text=True), auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    assert len(reads) == 4 and all(result.transcript.turns for result in kept.transcripts)


def test_a_file_whose_audit_had_a_rule_failure_is_not_stored(tmp_path, files, auditor, monkeypatch):
    cache = AuditCache(tmp_path / "cache")
    failing = Auditor(auditor.rules, cache=cache)
    monkeypatch.setattr(failing.checks[0], "run", lambda conversation: 1 / 0)
    result = audit([files], auditor=failing, cache=cache)
    assert any("erreur interne" in error.message for error in result.errors)
    stored = cache._connection.execute(f"SELECT COUNT(*) FROM {file_results.TABLE}").fetchone()[0]
    assert stored == 0


def test_a_date_from_the_file_follows_its_modification_time(tmp_path, files, auditor):
    cache = AuditCache(tmp_path / "cache")
    first = audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    assert first.transcripts[0].transcript.date_source == "file"
    later = first.transcripts[0].transcript.date + 86_400 * 30
    os.utime(files / "a-appel.txt", (later, later))
    again = audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    assert again.transcripts[0].transcript.date == later


def test_a_damaged_entry_is_a_miss(tmp_path, files, reads, auditor):
    cache = AuditCache(tmp_path / "cache")
    audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache)
    cache._connection.execute(f"UPDATE {file_results.TABLE} SET data = ?", (b'{"results": [{"transcript": 1}]}',))
    reads.clear()
    again = records(audit([files], auditor=Auditor(auditor.rules, cache=cache), cache=cache))
    assert len(reads) == 4 and again == records(audit([files], auditor=Auditor(auditor.rules, cache=None)))


def test_a_folder_whose_name_is_not_utf8_is_stored_and_read_back(tmp_path, reads, auditor):
    """A review found store() failing on os.fsdecode's escapes (a Latin-1 folder name)."""
    folder = tmp_path / os.fsdecode(b"r\xe9ponses")
    folder.mkdir()
    (folder / "appel.txt").write_text(CALL, encoding="utf-8")
    cache = AuditCache(tmp_path / "cache")
    first = records(audit([folder], auditor=Auditor(auditor.rules, cache=cache), cache=cache))
    reads.clear()
    again = records(audit([folder], auditor=Auditor(auditor.rules, cache=cache), cache=cache))
    assert reads == [] and again == first and first["transcripts"][0]["findings"]


def test_the_engine_version_changes_with_a_reader_library(monkeypatch):
    """A PDF read while pypdf was missing (an error) must not be served once it is installed."""
    import importlib.metadata

    from transcript_audit import versions

    versions.engine_version.cache_clear()
    installed = versions.engine_version()
    real = importlib.metadata.version

    def without_pypdf(name):
        if name == "pypdf":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", without_pypdf)
    versions.engine_version.cache_clear()
    try:
        assert "pypdf none" in versions.engine_version() and versions.engine_version() != installed
    finally:
        monkeypatch.undo()
        versions.engine_version.cache_clear()


def test_the_rule_fingerprint_is_the_whole_definition_as_asdict_gives_it():
    """The fast fingerprint must miss no field: compared with the slow, obvious one."""
    for rule in load_active_rules(AuditOptions(preview=True)):
        definition = dataclasses.asdict(rule)
        for where in ("source", "line", "column", "extended_by", "flag_examples", "pass_examples"):
            definition.pop(where)
        assert rule_fingerprint(rule) == json.dumps(definition, sort_keys=True, default=str, ensure_ascii=False)
