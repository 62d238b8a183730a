"""The pygls wiring: open documents audited as they are typed, over stdio.

Each change waits ``DEBOUNCE`` seconds for the next keystroke; a newer
version of a document supersedes the audit of an older one (its sleep is
cancelled, or its result dropped). Audits run one at a time in one worker
thread, which owns the session (the SQLite cache is used from one thread),
so the event loop keeps answering hovers and code actions meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from .. import __version__
from ..model import ReadError
from .diagnostics import SOURCE, Lines, Problem, contains, disable_edit, error_problem, finding_problem, matched_case, overlaps
from .worker import WORKER

DEBOUNCE = float(os.environ.get("TRANSCRIPT_AUDIT_LSP_DEBOUNCE", "0.075"))
CONFIG_NAMES = (".transcript-audit.yaml", ".transcript-audit.yml", "pyproject.toml")
log = logging.getLogger(__name__)


@dataclass
class Audited:
    """What was published for one version of a document, kept for hovers and code actions."""

    version: int | None
    format: str
    lines: Lines
    problems: list[Problem]


class AuditServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("transcript-audit", __version__)
        self.worker = WORKER.executor
        self.audited: dict[str, Audited] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.latest: dict[str, int | None] = {}
        self.setting_uris: set[str] = set()  # configuration and pack files with published errors

    # ------------------------------------------------------------ in the worker thread

    def session(self):
        return WORKER.session()

    def compute(self, uri: str, path: Path, text: str, version: int | None, encoding: str) -> Audited | None:
        if self.latest.get(uri, version) != version:
            return None  # superseded while it waited for the worker
        session = self.session()
        lines = Lines(text, encoding)
        if path.name in CONFIG_NAMES:
            session.setting_for(path)
            return Audited(version, "config", lines, [])  # its errors come with the settings
        if session.is_pack(path, text):
            report = session.pack_report(path, text)
            problems = [error_problem(error, lines, "rule-pack") for error in report.errors]
            problems += [_example_problem(outcome, lines) for outcome in report.failures]
            return Audited(version, "pack", lines, problems)
        audited = session.audit_text(path, text)
        problems = [
            finding_problem(finding, lines, result.transcript) for result in audited.results for finding in result.findings
        ]
        problems += [error_problem(error, lines) for error in audited.errors]
        problems.sort(key=lambda problem: problem.range)
        return Audited(version, audited.format, lines, problems)

    def reload(self) -> None:
        self.session().reload()

    def setting_errors(self) -> dict[str, list[ReadError]]:
        found: dict[str, list[ReadError]] = {}
        for setting in self.session().settings():
            for error in setting.errors:
                found.setdefault(from_fs_path(str(Path(error.path).resolve())) or error.path, []).append(error)
        return found

    # ------------------------------------------------------------ on the event loop

    def schedule(self, uri: str, delay: float = DEBOUNCE) -> None:
        document = self.workspace.get_text_document(uri)
        self.latest[uri] = document.version
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._audit_later(uri, delay))

    async def _audit_later(self, uri: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            document = self.workspace.get_text_document(uri)
            if document.path is None:
                return
            encoding = str(getattr(self.workspace, "position_encoding", None) or "utf-16")
            encoding = {"utf-8": "utf-8", "utf-32": "utf-32"}.get(encoding, "utf-16")
            loop = asyncio.get_running_loop()
            audited = await loop.run_in_executor(
                self.worker, self.compute, uri, Path(document.path), document.source, document.version, encoding
            )
            if audited is None or self.latest.get(uri) != audited.version:
                return
            self.audited[uri] = audited
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, version=audited.version, diagnostics=[_diagnostic(p) for p in audited.problems])
            )
            await self.publish_setting_errors()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - one document's failure must not stop the server
            log.exception("audit of %s failed", uri)
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"transcript-audit: {uri}: {error}"))
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    async def publish_setting_errors(self) -> None:
        loop = asyncio.get_running_loop()
        errors = await loop.run_in_executor(self.worker, self.setting_errors)
        for uri in self.setting_uris - set(errors):
            if self.audited.get(uri, None) is None or self.audited[uri].format == "config":
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for uri, problems in errors.items():
            if uri in self.audited and self.audited[uri].format == "pack":
                continue  # its own report, from its unsaved text, says it
            try:
                text = Path(problems[0].path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            lines = Lines(text)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[_diagnostic(error_problem(e, lines, "configuration")) for e in problems])
            )
        self.setting_uris = set(errors)

    async def reload_and_audit(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.worker, self.reload)
        await self.publish_setting_errors()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, delay=0)


def _example_problem(outcome, lines: Lines) -> Problem:
    kind = "flag" if outcome.expected_flag else "pass"
    if outcome.expected_flag:
        detail = "expected a finding, got none"
    else:
        detail = "; ".join(f"expected no finding, got « {f.match or f.excerpt} »: {f.message}" for f in outcome.findings)
    problem = error_problem(ReadError("", outcome.example.line, f"{outcome.rule.id}: this {kind} example fails: {detail}"), lines, "rule-example")
    problem.severity = 1
    return problem


def _range(where) -> types.Range:
    (start_line, start_column), (end_line, end_column) = where
    return types.Range(types.Position(start_line, start_column), types.Position(end_line, end_column))


def _diagnostic(problem: Problem) -> types.Diagnostic:
    return types.Diagnostic(
        range=_range(problem.range),
        message=problem.message,
        severity=types.DiagnosticSeverity(problem.severity),
        code=problem.code,
        source=SOURCE,
    )


def _position(position: types.Position) -> tuple[int, int]:
    return position.line, position.character


server = AuditServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: AuditServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, delay=0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: AuditServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: AuditServer, params: types.DidSaveTextDocumentParams) -> None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    if document.path is not None and _watched(ls, Path(document.path)):
        await ls.reload_and_audit()


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: AuditServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.audited.pop(uri, None)
    ls.latest.pop(uri, None)
    if uri not in ls.setting_uris:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(ls: AuditServer, params: types.DidChangeWatchedFilesParams) -> None:
    from pygls.uris import to_fs_path

    paths = [Path(to_fs_path(change.uri) or change.uri) for change in params.changes]
    if any(_watched(ls, path) for path in paths):
        await ls.reload_and_audit()


def _watched(ls: AuditServer, path: Path) -> bool:
    if path.name in CONFIG_NAMES:
        return True
    session = WORKER.current
    return session is not None and session.watched(path)


@server.feature(types.INITIALIZED)
async def initialized(ls: AuditServer, params: types.InitializedParams) -> None:
    """Ask the client to tell of changes to configurations and packs (when it can)."""
    capabilities = ls.client_capabilities.workspace
    watched = capabilities.did_change_watched_files if capabilities else None
    if not (watched and watched.dynamic_registration):
        return
    watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in ("**/.transcript-audit.y*ml", "**/pyproject.toml", "**/*.yaml", "**/*.yml")]
    registration = types.Registration(
        id="transcript-audit-watch",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception:  # noqa: BLE001 - saving the file reloads too
        log.warning("the client did not accept watching configuration files")


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: AuditServer, params: types.HoverParams) -> types.Hover | None:
    audited = ls.audited.get(params.text_document.uri)
    if audited is None:
        return None
    here = _position(params.position)
    found = [problem for problem in audited.problems if contains(problem.range, here)]
    if not found:
        return None
    text = "\n\n---\n\n".join(problem.hover() for problem in found)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=_range(found[0].range)
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(ls: AuditServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    audited = ls.audited.get(uri)
    if audited is None:
        return []
    asked = (_position(params.range.start), _position(params.range.end))
    actions: list[types.CodeAction] = []
    disabled: set[str] = set()
    for problem in audited.problems:
        if problem.code is None or not overlaps(problem.range, asked):
            continue
        diagnostic = _diagnostic(problem)
        if problem.replacement:
            (start_line, start_column), (end_line, end_column) = problem.range
            original = audited.lines.text(start_line)[audited.lines.code_point_column(start_line, start_column):]
            new_text = matched_case(problem.replacement, original)
            actions.append(
                types.CodeAction(
                    title=f"Remplacer par « {new_text} »",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=_range(problem.range), new_text=new_text)]}),
                )
            )
        if problem.code in disabled:
            continue
        edit = disable_edit(audited.format, audited.lines, problem)
        if edit is not None:
            disabled.add(problem.code)
            where, new_text = edit
            what = "cette réponse" if audited.format in ("canned", "json") else "ce tour"
            actions.append(
                types.CodeAction(
                    title=f"Désactiver {problem.code} pour {what}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=_range(where), new_text=new_text)]}),
                )
            )
    return actions


def serve() -> None:
    """Answer an editor over standard input and output until it says exit."""
    server.start_io()
