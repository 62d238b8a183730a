"""The audit cache: same results, less work, and never a failed audit because of it."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from transcript_audit.cache import AuditCache, CacheUnavailable, default_cache_dir, digest
from transcript_audit.engine import AuditOptions, Auditor
from transcript_audit.pipeline import audit
from transcript_audit.model import Role, Transcript, Turn

from .conftest import SAMPLES


def call(text_of_agent: str) -> Transcript:
    turns = [
        Turn(Role.CUSTOMER, "Client", "Bonjour, mon ordinateur portable ne s'allume plus.", 1),
        Turn(Role.AGENT, "Agent", text_of_agent, 2),
    ]
    return Transcript("appel", "appel.txt", "call", turns)


def records(result):
    return [transcript.as_record() for transcript in result.transcripts]


def test_values_come_back_and_missing_keys_are_absent(tmp_path):
    cache = AuditCache(tmp_path)
    cache.put_many("parses", [("a", b"1"), ("b", b"22")])
    assert cache.get_many("parses", ["a", "b", "c", "a"]) == {"a": b"1", "b": b"22"}
    assert cache.get_many("findings", ["a"]) == {}


def test_the_cache_stays_under_its_bound_by_dropping_the_least_recently_used(tmp_path):
    cache = AuditCache(tmp_path, max_bytes=1000)
    cache.put_many("parses", [("old", b"x" * 400), ("recent", b"x" * 400)])
    cache.get_many("parses", ["recent"])  # used again: the other one is older
    cache.put_many("parses", [("new", b"x" * 400)])
    assert cache.size() <= 1000
    assert set(cache.get_many("parses", ["old", "recent", "new"])) == {"recent", "new"}


def test_a_damaged_cache_file_is_set_aside_and_rebuilt(tmp_path):
    cache = AuditCache(tmp_path)
    cache.close()
    cache.path.write_bytes(b"this is not a database" * 100)
    rebuilt = AuditCache(tmp_path)
    rebuilt.put_many("parses", [("k", b"v")])
    assert rebuilt.get_many("parses", ["k"]) == {"k": b"v"}
    assert list(tmp_path.glob("*.damaged-*"))


def test_a_folder_that_cannot_hold_the_cache_is_reported(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(CacheUnavailable, match="cannot use the cache folder"):
        AuditCache(not_a_folder)


def test_the_default_folder_follows_the_environment_then_the_platform(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSCRIPT_AUDIT_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("TRANSCRIPT_AUDIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == tmp_path / "xdg" / "transcript-audit"


def test_keys_do_not_collide_when_texts_are_split_differently():
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a") == digest("a")


def test_a_rerun_gives_the_same_findings_without_loading_the_model(tmp_path, builtin_rules, nlp):
    transcripts = [call("Votre marchandise est au back-office, normalement prochainement.")]
    first = list(Auditor(builtin_rules, nlp=nlp, cache=AuditCache(tmp_path)).audit_transcripts(transcripts))
    fresh = Auditor(builtin_rules, cache=AuditCache(tmp_path))  # no model handed over
    second = list(fresh.audit_transcripts(transcripts))
    assert [r.as_record() for r in second] == [r.as_record() for r in first]
    assert first[0].findings, "the example must have findings for this test to mean something"
    assert fresh.parser._nlp is None


def test_after_a_rule_edit_only_that_rule_runs_again(tmp_path, builtin_rules, nlp, monkeypatch):
    transcripts = [call("Votre marchandise est au back-office, normalement prochainement.")]
    list(Auditor(builtin_rules, nlp=nlp, cache=AuditCache(tmp_path)).audit_transcripts(transcripts))
    edited = [
        dataclasses.replace(rule, message="Jargon : « {match} ».") if rule.id == "jargon-generic-item" else rule
        for rule in builtin_rules
    ]
    auditor = Auditor(edited, nlp=nlp, cache=AuditCache(tmp_path))
    ran = []
    for check in auditor.checks:
        original = check.run
        monkeypatch.setattr(check, "run", lambda conversation, _run=original, _id=check.rule.id: ran.append(_id) or _run(conversation))
    (result,) = auditor.audit_transcripts(transcripts)
    assert ran == ["jargon-generic-item"]
    jargon = [f.message for f in result.findings if f.rule == "jargon-generic-item"]
    assert jargon and all(message.startswith("Jargon : «") for message in jargon)


def test_a_changed_turn_is_audited_again(tmp_path, builtin_rules, nlp):
    cache = AuditCache(tmp_path)
    auditor = Auditor(builtin_rules, nlp=nlp, cache=cache)
    (before,) = auditor.audit_transcripts([call("Bonjour, je regarde votre dossier.")])
    (after,) = auditor.audit_transcripts([call("C'est la faute du transporteur.")])
    assert {f.category for f in after.findings} - {f.category for f in before.findings} >= {"blame"}


def test_a_damaged_parse_entry_is_parsed_again(tmp_path, builtin_rules, nlp):
    transcripts = [call("Votre marchandise est au back-office.")]
    expected = [r.as_record() for r in Auditor(builtin_rules, nlp=nlp).audit_transcripts(transcripts)]
    cache = AuditCache(tmp_path)
    list(Auditor(builtin_rules, nlp=nlp, cache=cache).audit_transcripts(transcripts))
    connection = sqlite3.connect(cache.path)
    with connection:
        connection.execute("UPDATE parses SET data = X'00FF'")
        connection.execute("DELETE FROM findings")
    again = [r.as_record() for r in Auditor(builtin_rules, nlp=nlp, cache=AuditCache(tmp_path)).audit_transcripts(transcripts)]
    assert again == expected


def test_the_samples_audit_the_same_with_and_without_the_cache_and_in_two_processes(tmp_path, auditor, builtin_rules):
    plain = audit([SAMPLES], AuditOptions(), auditor=auditor)
    cached_auditor = Auditor(builtin_rules, nlp=auditor.nlp, cache=AuditCache(tmp_path))
    cold = audit([SAMPLES], AuditOptions(), auditor=cached_auditor)
    warm = audit([SAMPLES], AuditOptions(), auditor=Auditor(builtin_rules, cache=AuditCache(tmp_path)))
    parallel = audit([SAMPLES], AuditOptions(), auditor=Auditor(builtin_rules, cache=AuditCache(tmp_path)), jobs=2)
    assert records(cold) == records(plain)
    assert records(warm) == records(plain)
    assert records(parallel) == records(plain)
    assert [str(e) for e in parallel.errors] == [str(e) for e in plain.errors]


@pytest.mark.slow
def test_two_runs_sharing_a_cache_folder_at_once_both_succeed(tmp_path):
    """Two CLI processes, one empty cache folder: both write it at the same time."""
    environment = {**os.environ, "TRANSCRIPT_AUDIT_CACHE_DIR": str(tmp_path / "shared-cache")}
    command = [sys.executable, "-m", "transcript_audit", "check", str(SAMPLES), "--format", "json", "--quiet"]
    runs = [subprocess.Popen(command + ["-o", str(tmp_path / f"run{i}.json")], env=environment, stderr=subprocess.PIPE) for i in (1, 2)]
    for run in runs:
        _, error = run.communicate(timeout=600)
        assert run.returncode == 1, error.decode()  # 1: the samples have findings
    reports = [json.loads((tmp_path / f"run{i}.json").read_text(encoding="utf-8"))["transcripts"] for i in (1, 2)]
    assert reports[0] == reports[1]
    assert sum(len(t["findings"]) for t in reports[0]) > 100


def test_the_light_french_vocabulary_gives_the_words_the_attributes_of_spacy_french():
    """Cached parses are read into a vocabulary built without French's tokenizer
    exceptions; every word attribute a rule can use must agree with spaCy's French."""
    from spacy.lang.fr import French
    from spacy.vocab import create_vocab

    from transcript_audit.nlp import _french_word_attributes

    light, full = create_vocab("fr", _french_word_attributes()), create_vocab("fr", French.Defaults)
    words = ["trois", "Vingt-deux", "premier", "10", "1,5", "Le", "ça", "n'", "désolé", "!", "…", " ", "\n", "SAV", "Mme", "e-mail", "€"]
    attributes = ["lower_", "norm_", "shape_", "prefix_", "suffix_", "is_alpha", "is_digit", "like_num", "is_stop", "is_punct", "is_space", "is_title", "is_upper", "like_email", "like_url", "is_currency", "lang_"]
    for word in words:
        assert [getattr(light[word], a) for a in attributes] == [getattr(full[word], a) for a in attributes], word


def test_a_token_pattern_is_validated_by_spacy_once_then_remembered(tmp_path, monkeypatch):
    from transcript_audit import rule_loader

    calls = []

    def spacy_says(pattern):
        calls.append(pattern)
        return ["bad operator"] if pattern[0].get("OP") == "%" else []

    monkeypatch.setattr(rule_loader, "spacy_pattern_problems", spacy_says)
    good, bad = [{"LOWER": "vous"}], [{"LOWER": "vous", "OP": "%"}]
    context = rule_loader._Context("pack.yaml", memo=AuditCache(tmp_path))
    assert rule_loader._pattern_problems(context, good) == [] and rule_loader._pattern_problems(context, bad) == ["bad operator"]
    again = rule_loader._Context("pack.yaml", memo=AuditCache(tmp_path))
    assert rule_loader._pattern_problems(again, good) == [] and rule_loader._pattern_problems(again, bad) == ["bad operator"]
    assert calls == [good, bad, bad]  # an invalid pattern is never remembered as valid


def test_a_pack_whose_regexes_and_patterns_passed_is_not_checked_again_until_it_changes(tmp_path, monkeypatch):
    from transcript_audit import rule_loader

    compiled = []  # the regexes checked for backtracking, once they compiled
    real_check = rule_loader.nested_repetition
    monkeypatch.setattr(rule_loader, "nested_repetition", lambda source: compiled.append(source) or real_check(source))
    pack = tmp_path / "pack.yaml"
    from .test_rule_loader import FORBIDDEN

    good = FORBIDDEN.replace(
        "      phrases: [votre marchandise]\n",
        "      regex: ['back[- ]?office']\n      patterns: [[{LOWER: votre}, {LEMMA: marchandise}]]\n",
    )
    pack.write_text(good, encoding="utf-8")
    first = rule_loader.load_pack(pack, memo=AuditCache(tmp_path / "cache"))
    assert first.errors == [] and "back[- ]?office" in compiled
    compiled.clear()
    second = rule_loader.load_pack(pack, memo=AuditCache(tmp_path / "cache"))
    assert second.errors == [] and compiled == []  # remembered: nothing compiled
    assert second.rules == first.rules  # and the same rules

    broken = good.replace("'back[- ]?office'", "'back[- ?office'")
    pack.write_text(broken, encoding="utf-8")
    for _ in range(2):  # a pack with an error is never noted as checked
        assert [error.message for error in rule_loader.load_pack(pack, memo=AuditCache(tmp_path / "cache")).errors] == [
            "invalid regex 'back[- ?office': unterminated character set at position 4"
        ]


def test_a_trusted_pack_is_checked_again_by_a_new_engine(tmp_path, monkeypatch):
    """A release whose own checks flag a new backtracking form must not trust packs checked by the old one."""
    from transcript_audit import rule_loader

    from .test_rule_loader import FORBIDDEN

    pack = tmp_path / "pack.yaml"
    pack.write_text(FORBIDDEN.replace("      phrases: [votre marchandise]\n", "      regex: ['back[- ]?office']\n"), encoding="utf-8")
    assert rule_loader.load_pack(pack, memo=AuditCache(tmp_path / "cache")).errors == []
    checked = []
    real_check = rule_loader.nested_repetition
    monkeypatch.setattr(rule_loader, "nested_repetition", lambda source: checked.append(source) or real_check(source))
    monkeypatch.setattr(rule_loader, "engine_version", lambda: "a later release")
    rule_loader.load_pack(pack, memo=AuditCache(tmp_path / "cache"))
    assert checked == ["back[- ]?office"]


def test_cached_findings_carry_no_fingerprint_a_run_takes_them_after_the_audit():
    from transcript_audit.engine import findings_from_bytes, findings_to_bytes
    from transcript_audit.model import Finding, Role, Severity

    finding = Finding("r", "c", Severity.INFO, "m", "why", None, 1, "A", Role.AGENT, 1, 1, "x", None, fingerprint="abc")
    assert b"fingerprint" not in findings_to_bytes([finding])
    assert findings_from_bytes(findings_to_bytes([finding]))[0].fingerprint is None


def test_editing_one_response_of_a_library_parses_that_response_only(tmp_path, builtin_rules, nlp):
    """What keeps the editor server fast: an unchanged response is answered from the cache."""
    cache = AuditCache(tmp_path)
    auditor = Auditor(builtin_rules, nlp=nlp, cache=cache)
    texts = ["Bonjour, je regarde votre dossier.", "Votre colis part demain avant midi.", "Nous avons escaladé votre ticket."]
    list(auditor.audit_transcripts([call(text) for text in texts]))
    parsed: list[list[str]] = []
    parse_groups = auditor.parser.parse_groups

    def counting(groups):
        groups = [list(group) for group in groups]
        parsed.extend(groups)
        return parse_groups(groups)

    auditor.parser.parse_groups = counting
    edited = [*texts[:2], "Nous avons transmis votre demande au service livraison."]
    results = list(auditor.audit_transcripts([call(text) for text in edited]))
    assert parsed == [[turn.text for turn in call(edited[2]).turns]]  # one conversation, the edited one
    assert len(results) == 3 and all(r.transcript.turns for r in results)
