"""Rendering COPY text in a second process while the main one streams it to PostgreSQL.

The producer is started with "spawn": a script that loads this many petitions needs the
usual `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from collections.abc import AsyncIterator
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from queue import Empty

from app.demo.copy_text import copy_chunks
from app.demo.spec import LoadSpec, Position, chunk_count

Rendered = dict[str, bytes] | str
"""A chunk's COPY text per table, or the traceback the producer failed with."""


async def chunks_from_producer(spec: LoadSpec, start: Position) -> AsyncIterator[dict[str, bytes]]:
    """Every chunk of the load in order, rendered in a producer process; close the iterator
    (`contextlib.aclosing`) to stop the producer early."""
    context = multiprocessing.get_context("spawn")
    queue: Queue[Rendered] = context.Queue(maxsize=4)
    producer = context.Process(target=_produce, args=(spec, start, queue), daemon=True)
    producer.start()
    try:
        for _ in range(chunk_count(spec.total)):
            item = await asyncio.to_thread(_next_item, queue, producer)
            if isinstance(item, str):
                raise RuntimeError(f"demo data producer failed:\n{item}")
            yield item
    finally:
        if producer.is_alive():
            producer.terminate()
        await asyncio.to_thread(producer.join)
        queue.close()


def _produce(spec: LoadSpec, start: Position, queue: Queue[Rendered]) -> None:
    """The producer process: render chunks in order onto `queue` (a traceback on failure)."""
    try:
        for tables in copy_chunks(spec, start):
            queue.put(tables)
    except BaseException:
        queue.put(traceback.format_exc())
        raise


def _next_item(queue: Queue[Rendered], producer: BaseProcess) -> Rendered:
    while True:
        try:
            return queue.get(timeout=1.0)
        except Empty:
            if not producer.is_alive():
                return f"the producer process exited with code {producer.exitcode}"
