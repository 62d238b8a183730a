"""``--jobs N``: batches of transcripts audited in N worker processes.

The coordinating process reads the inputs and hands out batches in order;
each worker builds its own ``Auditor`` once (its own model, its own cache
connection) and returns its batch's results without texts. Results come back
in input order, whatever worker finishes first, and at most a few batches
are in flight, so memory stays bounded on any corpus size.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .model import ReadError, Transcript, TranscriptResult

if TYPE_CHECKING:
    from .engine import Auditor, AuditorSpec

TURNS_PER_JOB = 400  # small enough to keep every worker busy, large enough for nlp.pipe batching

_worker: Auditor | None = None  # this worker process's Auditor, built once by _start_worker


def _start_worker(spec: AuditorSpec) -> None:
    global _worker
    # Ctrl-C reaches the whole process group: the coordinating process handles it
    # and stops the workers, which must not print tracebacks of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = spec.build()


def _audit_batch(batch: list[Transcript], keep_texts: bool) -> tuple[list[TranscriptResult], list[ReadError]]:
    results = list(_worker.audit_transcripts(batch, keep_texts=keep_texts))  # without texts, less to send back
    errors = list(_worker.errors)
    _worker.errors.clear()
    return results, errors


def _batches(transcripts: Iterable[Transcript]) -> Iterator[list[Transcript]]:
    batch: list[Transcript] = []
    turns = 0
    for transcript in transcripts:
        batch.append(transcript)
        turns += len(transcript.turns)
        if turns >= TURNS_PER_JOB:
            yield batch
            batch, turns = [], 0
    if batch:
        yield batch


def audit_in_processes(
    spec: AuditorSpec, transcripts: Iterable[Transcript], jobs: int, errors: list[ReadError], keep_texts: bool = False
) -> Iterator[TranscriptResult]:
    """Audit with ``jobs`` processes built from ``spec``; the workers' rule errors join ``errors``."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(spec,))
    try:
        in_flight: deque[Future] = deque()
        for batch in _batches(transcripts):
            with _interruptions_deferred():  # a submit may start a worker
                in_flight.append(pool.submit(_audit_batch, batch, keep_texts))
            if len(in_flight) >= 2 * jobs:
                yield from _collect(in_flight.popleft(), errors)
        while in_flight:
            yield from _collect(in_flight.popleft(), errors)
    except BaseException:
        _stop(pool, before)  # interrupted (Ctrl-C, SIGTERM) or failed: do not wait for batches in flight
        raise
    pool.shutdown()


@contextmanager
def _interruptions_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends. Starting a spawned worker writes
    its start-up data down a pipe; an interruption in the middle of that write left
    the new worker a truncated pickle, and it printed a traceback on the shared
    stderr. Signal handlers can only be changed from the main thread: elsewhere the
    block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda number, frame: received.append(number)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            signal.raise_signal(received[0])


def _stop(pool: ProcessPoolExecutor, before: set) -> None:
    """Cancel what has not started and end the workers now; a worker killed in the
    middle of a cache write leaves the cache as it was (the write is one transaction).
    The workers are this process's children started since the pool was made."""
    workers = [process for process in multiprocessing.active_children() if process not in before]
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()


def _collect(future: Future, errors: list[ReadError]) -> Iterator[TranscriptResult]:
    results, batch_errors = future.result()
    errors.extend(batch_errors)
    yield from results
