"""``transcript-audit server`` driven by a real LSP client over stdio (pytest-lsp).

One server for the module (it loads the French model once; the module takes about 10 s): open a
canned library, receive its diagnostics, change it, receive the new ones, ask
for hovers and code actions, open broken rule packs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(300)]

WORK = Path(tempfile.mkdtemp(prefix="transcript-audit-lsp-test-"))
ESCALATED = "Bonjour Madame, nous avons escaladé votre ticket. Je vous souhaite une bonne journée, au revoir."
TICKET = "Bonjour Madame, je regarde votre ticket tout de suite. Je vous souhaite une bonne journée, au revoir."
CLEAN = "Bonjour Madame, je regarde votre demande tout de suite. Je vous souhaite une bonne journée, au revoir."


def library(body: str) -> str:
    return f"responses:\n  - name: Suivi\n    body: {body}\n"


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "transcript_audit", "server"],
        server_env={**os.environ, "TRANSCRIPT_AUDIT_CACHE_DIR": str(WORK / "cache")},
    ),
)
async def client(lsp_client: LanguageClient):
    registered = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:  # the server watches configurations and packs
        registered.extend(params.registrations)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            root_uri=WORK.as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


async def diagnostics_of(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics the server publishes for that version of the document."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and (params.version is None or params.version >= version):
            return list(params.diagnostics)


async def open_document(client: LanguageClient, path: Path, text: str, language: str = "yaml") -> list[types.Diagnostic]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=path.as_uri(), language_id=language, version=1, text=text))
    )
    return await diagnostics_of(client, path.as_uri(), 1)


async def change_document(client: LanguageClient, path: Path, text: str, version: int) -> list[types.Diagnostic]:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await diagnostics_of(client, path.as_uri(), version)


def line_range(text: str, line: int, words: str) -> types.Range:
    column = text.splitlines()[line].index(words)
    return types.Range(types.Position(line, column), types.Position(line, column + len(words)))


async def test_open_change_hover_and_code_actions(client: LanguageClient):
    path = WORK / "reponses.yaml"
    text = library(ESCALATED)
    found = await open_document(client, path, text)
    assert [(d.code, d.range, d.severity, d.source) for d in found] == [
        ("jargon-internal", line_range(text, 2, "escaladé votre ticket"), types.DiagnosticSeverity.Warning, "transcript-audit")
    ]
    assert "escaladé votre ticket" in found[0].message

    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(path.as_uri()), found[0].range.start)
    )
    assert "*Pourquoi :*" in hover.contents.value and "*Suggestion :* Dites « je transmets" in hover.contents.value

    assert await change_document(client, path, library(CLEAN), 2) == []

    text = library(TICKET)
    found = await change_document(client, path, text, 3)
    assert [(d.code, d.range) for d in found] == [("jargon-internal", line_range(text, 2, "votre ticket"))]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(path.as_uri()), found[0].range, types.CodeActionContext(diagnostics=found)
        )
    )
    edits = {action.title: action.edit.changes[path.as_uri()][0] for action in actions}
    assert edits["Remplacer par « votre demande »"].new_text == "votre demande"
    assert edits["Remplacer par « votre demande »"].range == found[0].range
    disable = edits["Désactiver jargon-internal pour cette réponse"]
    assert disable.range.start == types.Position(1, 4)
    disabled = text.replace("  - name:", "  - " + disable.new_text + "name:", 1)
    assert disabled.splitlines()[1:3] == ["  - disable: [jargon-internal]", "    name: Suivi"]
    assert await change_document(client, path, disabled, 4) == []


async def test_a_json_library_gets_the_disable_action_on_its_response(client: LanguageClient):
    path = WORK / "reponses.json"
    text = '{\n  "responses": [\n    {\n      "name": "Suivi",\n      "body": "Bonjour, je regarde votre ticket. Belle journée."\n    }\n  ]\n}\n'
    found = [d for d in await open_document(client, path, text, "json") if d.code == "jargon-internal"]
    assert found and found[0].range.start.line == 4
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(path.as_uri()), found[0].range, types.CodeActionContext(diagnostics=found))
    )
    disable = {action.title: action.edit.changes[path.as_uri()][0] for action in actions}["Désactiver jargon-internal pour cette réponse"]
    assert disable.range.start == types.Position(2, 5) and disable.new_text == '"disable": ["jargon-internal"], '
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2][:5] + disable.new_text + lines[2][5:]
    assert not [d for d in await change_document(client, path, "".join(lines), 2) if d.code == "jargon-internal"]


async def test_a_labelled_transcript_gets_utf16_ranges_after_an_emoji(client: LanguageClient):
    path = WORK / "chat.txt"
    text = "Client : Bonjour 😀 mon ordinateur portable ne s'allume plus.\nConseiller : Bonjour 😀, je regarde votre ticket.\n"
    found = await open_document(client, path, text, "plaintext")
    jargon = [d for d in found if d.code == "jargon-internal"]
    column = text.splitlines()[1].index("votre ticket") + 1  # the emoji is two UTF-16 units
    assert [d.range for d in jargon] == [types.Range(types.Position(1, column), types.Position(1, column + 12))]


async def test_a_broken_rule_pack_shows_located_errors(client: LanguageClient):
    path = WORK / "rules" / "maison.yaml"
    text = (
        "rules:\n"
        "  - id: maison-jargon\n"
        "    category: jargon\n"
        "    severty: warning\n"
        "    message: jargon\n"
    )
    found = await open_document(client, path, text)
    assert found and all(d.severity == types.DiagnosticSeverity.Error for d in found)
    assert any(d.range.start.line == 3 and "severty" in d.message for d in found), [(d.range, d.message) for d in found]


async def test_a_failing_example_is_a_diagnostic_on_its_line(client: LanguageClient):
    path = WORK / "rules" / "exemples.yaml"
    text = (
        "rules:\n"
        "  - id: maison-outil\n"
        "    category: jargon\n"
        "    severity: warning\n"
        "    check: forbidden\n"
        "    speaker: agent\n"
        "    message: « {match} » est un outil interne.\n"
        "    rationale: Le client ne connaît pas nos outils.\n"
        "    match:\n"
        "      phrases: [la fiche ITSM]\n"
        "    examples:\n"
        "      flag:\n"
        "        - Je regarde la fiche ITSM.\n"
        "        - Je regarde votre dossier.\n"
        "      pass:\n"
        "        - Je regarde votre commande.\n"
    )
    found = await open_document(client, path, text)
    assert [(d.code, d.range.start.line) for d in found] == [("rule-example", 13)], [(d.range, d.message) for d in found]


async def test_a_changed_configuration_reloads_and_open_documents_are_audited_again(client: LanguageClient):
    """The configuration is picked up as the CLI does, and reloaded when it changes."""
    folder = WORK / "reload"
    path = folder / "reponses.yaml"
    before = await open_document(client, path, library(TICKET))
    assert "jargon-internal" in {d.code for d in before}
    config = folder / ".transcript-audit.yaml"
    config.write_text("ignore: [jargon]\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)])
    )
    after = await diagnostics_of(client, path.as_uri(), 1)
    while "jargon-internal" in {d.code for d in after}:  # the publication from before the reload may come first
        after = await diagnostics_of(client, path.as_uri(), 1)
    assert not any(str(d.code).startswith("jargon") for d in after)
