"""The published schemas: generated from the check types, the one validator of packs and configurations."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest
from typer.testing import CliRunner

from transcript_audit import schema
from transcript_audit.checks import CHECK_TYPES
from transcript_audit.cli import app
from transcript_audit.config import STARTER, ConfigError, load_config
from transcript_audit.located_yaml import load as load_yaml
from transcript_audit.rule_loader import builtin_rules_dir

from .test_rule_loader import FORBIDDEN, RESPONSE, error_at, load, where


def problems(text: str, which: str = "rules") -> list[tuple[tuple, str]]:
    """What the schema says of ``text``, never the remembered verdict of an earlier run."""
    return schema.validate(load_yaml(text), which, text)


@pytest.mark.parametrize(("command", "title"), [(["rules", "schema"], "rule pack"), (["config", "schema"], "configuration")])
def test_the_schema_commands_print_valid_json_schema(command, title):
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema" and title in printed["title"]


@pytest.mark.parametrize("pack", sorted(builtin_rules_dir().glob("*.yaml")), ids=lambda path: path.name)
def test_every_builtin_pack_is_valid_by_the_published_schema(pack):
    text = pack.read_text(encoding="utf-8")
    assert problems(text) == []
    # And by jsonschema itself on the schema as printed ($refs unresolved by us), as an editor reads it.
    assert list(jsonschema.Draft202012Validator(schema.rule_pack_schema()).iter_errors(load_yaml(text))) == []


def test_the_starter_configuration_is_valid_by_the_schema():
    assert problems(STARTER, "config") == []


def test_each_check_types_fields_are_allowed_only_with_that_check():
    rule = schema.rule_pack_schema()["$defs"]["rule"]
    assert set(rule["properties"]) == set(schema.COMMON_FIELDS)
    branches = {branch["if"]["properties"]["check"]["const"]: branch["then"] for branch in rule["allOf"] if "const" in str(branch["if"])}
    assert set(branches) == set(CHECK_TYPES)
    for name, check_type in CHECK_TYPES.items():
        assert set(branches[name]["properties"]) == set(check_type.FIELDS)
        assert set(branches[name]["propertyNames"]["enum"]) == set(schema.COMMON_FIELDS) | set(check_type.FIELDS)
    # "position" is a field of required rules only: in a forbidden rule it is a typo, with its location.
    text = FORBIDDEN + "    position: last\n"
    rules, errors = load_pack_text(text)
    assert rules == [] and error_at(errors, *where(text, "position")).message.startswith("unknown key 'position'")


def load_pack_text(text):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return load(Path(folder), text)


def test_a_typo_is_located_with_the_nearest_key(tmp_path):
    text = FORBIDDEN.replace("    rationale:", "    rationnale:")
    rules, errors = load(tmp_path, text)
    typo = error_at(errors, *where(text, "rationnale"))
    assert typo.message == "unknown key 'rationnale' (did you mean 'rationale'?)"
    assert "missing required key 'rationale'" in [e.message for e in errors]


@pytest.mark.parametrize(
    ("old", "new", "word"),
    [
        ("phrases: [votre marchandise]", "phrases: [votre marchandise, on]", "on"),
        ('pass: ["Votre colis part demain."]', "pass: [Off]", "Off"),
        ('rationale: "Le client ne parle pas de marchandise."', "rationale: yes", "yes"),
        ("severity: warning", "severity: no", "no"),
    ],
)
def test_a_bare_yaml_boolean_where_a_text_is_expected_says_to_quote_it(tmp_path, old, new, word):
    text = FORBIDDEN.replace(old, new)
    rules, errors = load(tmp_path, text)
    assert rules == []
    line, column = where(text, new)
    error = error_at(errors, line, column + new.rindex(word))
    value = "true" if word.lower() in ("on", "yes") else "false"
    assert error.message == f"`{word}` is read by YAML as the boolean {value}: write it in quotes ('{word}') to mean the word"


def test_a_quoted_on_is_the_french_word(tmp_path):
    rules, errors = load(tmp_path, FORBIDDEN.replace("phrases: [votre marchandise]", "phrases: ['on ne peut pas', 'on']"))
    assert errors == [] and [p.text for p in rules[0].options["match"].phrases] == ["on ne peut pas", "on"]


def test_anchors_and_aliases_load_but_merge_keys_are_refused(tmp_path):
    text = RESPONSE.replace("match:\n      phrases: [je comprends]", "match: &sorry\n      phrases: [je comprends]") + "\n"
    assert load(tmp_path, text)[1] == []
    merged = RESPONSE.replace("rules:\n  - id: empathy-missing\n", "rules:\n  - &base\n    id: empathy-missing\n") + "  - <<: *base\n    id: empathy-other\n"
    rules, errors = load(tmp_path, merged)
    assert rules == [] and "merge" in error_at(errors, *where(merged, "<<")).message


def test_a_whole_number_written_with_a_decimal_point_is_a_count(tmp_path):
    text = RESPONSE.replace("check: response", "check: response\n    turns: 2.0")
    (rule,), errors = load(tmp_path, text)
    assert errors == [] and rule.options["turns"] == 2 and isinstance(rule.options["turns"], int)


def test_nan_is_not_a_number(tmp_path):
    head = FORBIDDEN.replace("check: forbidden", "check: metric\n    measure: words\n    above: .nan").replace(
        "    match:\n      phrases: [votre marchandise]\n", ""
    )
    rules, errors = load(tmp_path, head)
    assert error_at(errors, *where(head, ".nan")).message == "must be a number, 0 or more (e.g. 120 or 1.5)"


def test_a_valid_pack_is_remembered_and_an_edited_one_validated_again(tmp_path):
    from transcript_audit.cache import AuditCache
    from transcript_audit.rule_loader import load_pack

    memo = AuditCache(tmp_path / "cache")
    path = tmp_path / "pack.yaml"
    path.write_text(FORBIDDEN, encoding="utf-8")
    assert not memo.accepted("rule pack", schema.digest_of("rules"), FORBIDDEN)
    assert load_pack(path, memo=memo).errors == []
    assert memo.accepted("rule pack", schema.digest_of("rules"), FORBIDDEN)
    edited = FORBIDDEN.replace("severity: warning", "severity: fatal")
    path.write_text(edited, encoding="utf-8")
    assert load_pack(path, memo=memo).errors != []
    assert not memo.accepted("rule pack", schema.digest_of("rules"), edited)


def test_without_a_memo_nothing_is_written(tmp_path, monkeypatch):
    """--no-cache: the packs are validated every time and no file appears anywhere."""
    from transcript_audit.rule_loader import load_pack

    monkeypatch.setenv("TRANSCRIPT_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "pack.yaml"
    path.write_text(FORBIDDEN, encoding="utf-8")
    assert load_pack(path).errors == []
    assert not (tmp_path / "cache").exists()


def test_the_config_schema_rejects_an_unknown_setting_with_its_location(tmp_path):
    path = tmp_path / ".transcript-audit.yaml"
    path.write_text(textwrap.dedent("""\
        fail-on: warning
        per-path:
          - paths: ["chats/**"]
            ignroe: [greeting]
        wieghts: {empathy: 2}
        """), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert [(e.line, e.column, e.message) for e in raised.value.errors] == [
        (2, 1, "unknown key 'ignroe' in 'per-path' (did you mean 'ignore'?)"),
        (5, 1, "unknown setting 'wieghts' (did you mean 'weights'?)"),
    ]


def test_a_config_value_of_the_wrong_type_is_located_at_its_setting(tmp_path):
    path = tmp_path / ".transcript-audit.yaml"
    path.write_text("preview: yes please\nweights: {empathy: 11}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert [(e.line, e.message) for e in raised.value.errors] == [
        (1, "'preview' must be true or false"),
        (2, "'weights' maps categories to a weight between 0 and 10 (1 is the default)"),
    ]


def test_an_empty_channel_list_means_every_channel_as_before(tmp_path):
    from transcript_audit.model import CHANNELS

    (rule,), errors = load(tmp_path, FORBIDDEN.replace("check: forbidden", "check: forbidden\n    channels: []"))
    assert errors == [] and rule.channels == CHANNELS


def test_a_whole_number_written_with_a_decimal_point_is_a_whole_number_of_tokens(tmp_path):
    text = FORBIDDEN + "    unless:\n      - match: {phrases: [colis]}\n        near: 2.0\n"
    (rule,), errors = load(tmp_path, text)
    assert errors == [] and rule.unless[0].near == 2 and isinstance(rule.unless[0].near, int)
