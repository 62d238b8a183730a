"""The server's worker loads the working folder's rules and model before any document."""

from __future__ import annotations

from transcript_audit.lsp.worker import Worker


def test_the_warm_up_loads_the_folders_configuration_rules_and_model(tmp_path):
    config = tmp_path / ".transcript-audit.yaml"
    config.write_text("select: [jargon]\n", encoding="utf-8")
    worker = Worker()
    try:
        worker.warm_up(tmp_path).result(timeout=600)
        [setting] = worker.current.settings()
        assert setting.config_path.resolve() == config.resolve() and setting.errors == []
        assert {rule.category for rule in setting.auditor.rules} == {"jargon"}
        assert setting.auditor.parser._nlp is not None and "index" in vars(setting.auditor)  # model and matchers ready
        # The first document of that folder is served by the same setting: nothing more to load.
        assert worker.session().setting_for(tmp_path / "reponses.yaml") is setting
    finally:
        worker.executor.shutdown()
