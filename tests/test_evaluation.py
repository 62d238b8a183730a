"""Measured quality: the built-in rules on the labelled corpus stay above floors.

The floors are set from the figures `python benchmarks/evaluate.py` prints
(README, "Measured quality"), a little below them so that an honest
improvement elsewhere does not break the build, while a regression does.
"""

from __future__ import annotations

import importlib.util

import pytest

from .conftest import ROOT

EVALUATE = ROOT / "benchmarks" / "evaluate.py"

# F1 floors per category, from the measured figures.
F1_FLOORS = {
    "jargon": 0.9, "greeting": 0.9, "closing": 0.9, "blame": 0.9, "empathy": 0.9, "refusal": 0.9,
    "dismissive": 0.9, "vague": 0.9, "mirror": 0.9, "lecture": 0.9, "talk-share": 0.9, "silence": 0.9,
    "delay": 0.9, "ownership": 0.9, "impersonal": 0.9, "promise": 0.9,
}
OVERALL_PRECISION_FLOOR = 0.95


@pytest.fixture(scope="module")
def figures(auditor):
    spec = importlib.util.spec_from_file_location("evaluate", EVALUATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.evaluate(auditor=auditor)


def test_the_corpus_is_read_whole(figures):
    assert figures["conversations"] >= 80
    assert figures["read_errors"] == []
    assert figures["unmatched_labels"] == []


@pytest.mark.parametrize("category", sorted(F1_FLOORS))
def test_f1_per_category(figures, category):
    scores = figures["per_category"][category]
    assert scores["support"] >= 5, f"{category}: too few labelled positives to measure"
    assert scores["f1"] >= F1_FLOORS[category], scores


def test_overall_precision(figures):
    assert figures["overall"]["precision"] >= OVERALL_PRECISION_FLOOR, figures["overall"]
