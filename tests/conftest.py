"""Shared fixtures: the French model is loaded once per test session.

Two tiers: ``pytest -m "not slow"`` is the inner loop (the hypothesis profile
"quick" draws a tenth of the cases); ``pytest --hypothesis-profile=full`` is CI,
every test at full size. A hang fails its test through pytest-timeout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# database=None: the same random run in CI and on a laptop, and no .hypothesis folder.
settings.register_profile("full", max_examples=100, deadline=None, database=None)
settings.register_profile("quick", max_examples=10, deadline=None, database=None)
settings.load_profile("quick")  # --hypothesis-profile=full (the README's command) overrides it


def examples(full_size: int) -> int:
    """A property test's case count under the loaded profile: ``full_size`` in CI,
    a tenth of it (at least 5) in the inner loop."""
    return max(5, full_size * settings.default.max_examples // 100)


def cases(full_size: int) -> settings:
    """Settings for property tests drawing large recursive inputs (MIME trees, JSON shapes)."""
    return settings(max_examples=examples(full_size), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def rules_and_errors(path: Path, validate_patterns: bool = True):
    """The rules of one pack file and its problems (extensions are ``load_rules``'s to apply)."""
    from transcript_audit.rule_loader import load_pack

    pack = load_pack(path, validate_patterns)
    return pack.rules, pack.errors


@pytest.fixture(scope="session")
def builtin_rules():
    from transcript_audit.engine import AuditOptions, load_active_rules

    return load_active_rules(AuditOptions())


@pytest.fixture(scope="session")
def auditor(builtin_rules):
    from transcript_audit.engine import Auditor

    return Auditor(builtin_rules)


@pytest.fixture(scope="session")
def preview_auditor(auditor):
    """Every built-in rule, the preview ones included, on the session's model.

    No built-in rule reads the parser's dependencies, so the model of the default
    rules serves them all; a preview rule that needed more would fail its examples."""
    from transcript_audit.engine import AuditOptions, Auditor, load_active_rules

    return Auditor(load_active_rules(AuditOptions(preview=True)), nlp=auditor.nlp)


@pytest.fixture(scope="session")
def nlp(auditor):
    return auditor.nlp


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(tmp_path_factory, monkeypatch):
    """The CLI's default cache lives in the user's cache folder: each test has its own,
    so no test depends on what an earlier one left there."""
    monkeypatch.setenv("TRANSCRIPT_AUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
