"""The files other tools consume from this project are well-formed."""

from __future__ import annotations

import re

import yaml

from .conftest import ROOT


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "transcript-audit" and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["transcript-audit", "check"]
    files = re.compile(hook["files"])
    assert files.search("macros/retour.yaml") and files.search("appels/a.txt") and not files.search("logo.png")


def test_readme_ci_snippets_are_valid_yaml_with_the_right_keys():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.S)]
    github = next(block for block in blocks if isinstance(block, dict) and "jobs" in block)
    steps = github["jobs"]["audit"]["steps"]
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps)
    assert any("sarif=" in step.get("run", "") for step in steps)
    gitlab = next(block for block in blocks if isinstance(block, dict) and "transcript-audit" in block)
    assert "junit" in gitlab["transcript-audit"]["artifacts"]["reports"]
