"""Shared fixtures: the French model is loaded once per test session."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
HANG_SECONDS = 60


class ReaderHang(Exception):
    """Reading took longer than the guard allows (a pipe opened, a runaway regex)."""


@contextmanager
def no_hang(seconds: int = HANG_SECONDS):
    """Fail, naming the input, instead of blocking CI when one reading hangs."""

    def expired(signum, frame):
        raise ReaderHang(f"reading took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


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
