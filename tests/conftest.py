"""Shared fixtures: the French model is loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def builtin_rules():
    from transcript_audit.engine import AuditOptions, load_active_rules

    return load_active_rules(AuditOptions())


@pytest.fixture(scope="session")
def auditor(builtin_rules):
    from transcript_audit.engine import Auditor

    return Auditor(builtin_rules)


@pytest.fixture(scope="session")
def nlp(auditor):
    return auditor.nlp


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_home_folder(tmp_path_factory):
    """The CLI's default cache lives in the user's cache folder: tests use their own."""
    import os

    previous = os.environ.get("TRANSCRIPT_AUDIT_CACHE_DIR")
    os.environ["TRANSCRIPT_AUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        del os.environ["TRANSCRIPT_AUDIT_CACHE_DIR"]
    else:
        os.environ["TRANSCRIPT_AUDIT_CACHE_DIR"] = previous
