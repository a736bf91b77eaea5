"""Reading an export in a second process, so parsing and writing overlap on two cores.

The child (:func:`child_main`) gets its arguments pickled on stdin and sends batches back
on stdout as length-prefixed ``marshal`` data: records hold only numbers, text and None,
and marshal reads them back faster than pickle (the data never leaves this program). A
thread in the child writes them, a few batches ahead, so the child keeps parsing while
the importing process writes; the bounded queue and the pipe hold it back when the
database is slower, so memory stays flat. The child never touches the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import marshal
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from outreach.backlinks import formats
from outreach.backlinks.batches import Batch, LoadTarget, record_batches

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
PIPE_BYTES = 1024 * 1024
AHEAD = 4  # batches the child may have encoded and not yet sent
_LENGTH = struct.Struct("<Q")


def _message(kind: str, payload: Any) -> bytes:
    if isinstance(payload, Batch):
        payload = (
            payload.records, payload.repeats, payload.rejected, payload.rows,
            dict(payload.targets), payload.bytes_read, payload.authorities, payload.reader_peak_kb,
        )  # fmt: skip
    data = marshal.dumps((kind, payload))
    return _LENGTH.pack(len(data)) + data


def _receive(stream: IO[bytes]) -> tuple[str, Any] | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    kind, payload = marshal.loads(data)
    if kind == "batch":
        records, repeats, rejected, rows, targets, bytes_read, authorities, peak = payload
        payload = Batch(
            records, repeats, rejected, rows, Counter(targets), bytes_read, authorities, peak
        )
    return kind, payload


def parallel_batches(
    path: Path, mapping: dict[str, str] | None, where: LoadTarget, now: datetime, for_sqlite: bool
) -> Iterator[Batch]:
    """Like :func:`batches.record_batches`, with the reading done in a child process."""
    child = subprocess.Popen(
        [sys.executable, "-c", "from outreach.backlinks.parallel import child_main; child_main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    try:
        pickle.dump((path, mapping, where, now, for_sqlite), child.stdin)
        child.stdin.close()
        while True:
            message = _receive(child.stdout)
            if message is None:
                error = (child.stderr.read() if child.stderr else b"").decode(errors="replace")
                raise RuntimeError(f"the file reader process died: {error[-500:]}")
            kind, payload = message
            if kind == "batch":
                yield payload
            elif kind == "done":
                return
            elif kind == "error":
                raise formats.ImportFileError(payload)
            else:
                raise RuntimeError(payload)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        child.stdout.close()
        if child.stderr:
            child.stderr.close()


def _peak_memory_kb() -> int:
    """This process's peak resident memory since it started its own program (Linux's
    VmHWM; ``ru_maxrss`` would count the importing process's memory it was forked with)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child_main() -> None:
    """Entry point of the reader process: arguments in on stdin, batches out on stdout."""
    out = sys.stdout.buffer
    with contextlib.suppress(OSError, AttributeError):  # a bigger pipe, where Linux allows
        fcntl.fcntl(out.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    path, mapping, where, now, for_sqlite = pickle.load(sys.stdin.buffer)
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)

    def send_all() -> None:
        try:
            while (message := outbox.get()) is not None:
                out.write(message)
            out.flush()
        except BaseException:  # the importing process is gone, or this thread broke:
            os._exit(1)  # either way nobody will read the rest

    sender = threading.Thread(target=send_all, name="batch-sender")
    sender.start()
    try:
        held: Batch | None = None  # the last batch also carries this process's peak memory
        for batch in record_batches(path, mapping, where, now, for_sqlite):
            if held is not None:
                outbox.put(_message("batch", held))
            held = batch
        if held is not None:
            held.reader_peak_kb = _peak_memory_kb()
            outbox.put(_message("batch", held))
        outbox.put(_message("done", None))
    except formats.ImportFileError as exc:
        outbox.put(_message("error", str(exc)))
    except Exception as exc:  # reported to the importing process, which fails the import
        outbox.put(_message("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        outbox.put(None)
        sender.join()


def batches_for(
    path: Path, mapping: dict[str, str] | None, where: LoadTarget, now: datetime, for_sqlite: bool
) -> Iterator[Batch]:
    """Batches of a file, read in a second process when the file is big enough to gain from it."""
    if path.stat().st_size >= PARALLEL_MIN_BYTES:
        return parallel_batches(path, mapping, where, now, for_sqlite)
    return record_batches(path, mapping, where, now, for_sqlite)
