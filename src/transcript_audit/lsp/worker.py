"""The server's one worker thread and the session it owns, started before pygls.

Importing pygls and lsprotocol takes about half a second; loading spaCy, the
model and the rules takes longer. ``transcript-audit server`` starts this
worker on the working folder's configuration first, so the model loads while
pygls is imported and the first diagnostics come about as soon as a cold
``check`` would give them. This module imports nothing of pygls.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)


class Worker:
    """Audits run here, one at a time: the session's SQLite cache is used from this thread only."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="transcript-audit")
        self.current = None  # the Session, once made (in the worker thread)

    def session(self):
        if self.current is None:
            from ..cache import AuditCache, CacheUnavailable, default_cache_dir
            from .session import Session

            try:
                cache = AuditCache(default_cache_dir())
            except CacheUnavailable as error:
                log.warning("%s; auditing without a cache", error)
                cache = None
            self.current = Session(cache)
        return self.current

    def warm_up(self, folder: Path) -> Future:
        """Load the configuration, rules and model that ``folder``'s files will use."""
        return self.executor.submit(self._warm_up, folder)

    def _warm_up(self, folder: Path) -> None:
        auditor = self.session().setting_for(folder / "_").auditor
        if auditor is not None:
            auditor.nlp  # noqa: B018 - loads the model
            auditor.index  # noqa: B018 - compiles the rules' expressions


WORKER = Worker()
