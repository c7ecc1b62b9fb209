"""A Python process of qualcode's own that reads pickled requests on its standard input and writes pickled answers on
its standard output: the suggestion model's process, and the one that imports spaCy while the model's reads its
saved state.

The parent starts it (:func:`start`) and speaks to it with :func:`send` and :func:`receive`; the child takes its
answers' stream (:func:`answers`) first, then reads its requests (:func:`received`) until its standard input closes,
which happens when the parent closes it or ends, so a child never outlives its parent.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO


def start(args: list[str]) -> subprocess.Popen[bytes]:
    """Start ``python -P ARGS`` (``-m module ...`` or ``-c code``) with pipes for its standard input and output (its
    errors are discarded). It runs the same qualcode as this process, whatever the current folder holds (``-P``: the
    folder is not put on the path). Raises OSError when it cannot be started."""
    here = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)}
    return subprocess.Popen([sys.executable, "-P", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, close_fds=True, env=env)


def send(stream: IO[bytes], message: Any) -> None:
    """Write one message (raises OSError or ValueError when the other end is gone)."""
    pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """Read one message (raises EOFError when the other end closed, or another error when the stream is damaged)."""
    return pickle.load(stream)


def received(stream: IO[bytes]) -> Iterator[Any]:
    """Each message read, until the stream ends or is damaged."""
    while True:
        try:
            message = receive(stream)
        except Exception:  # closed (the other end is done with it, or ended) or damaged: no more messages
            return
        yield message


def answers() -> BinaryIO:
    """In the child: the stream its answers go to (its standard output as the parent gave it). Standard output is
    discarded from now on, so a library's stray print never lands among the answers."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    return out


def requests() -> Iterator[Any]:
    """In the child: each request, until its standard input closes."""
    return received(sys.stdin.buffer)


def after(seconds: float, action: Callable[[], None]) -> Callable[[], None]:
    """Call ``action`` in ``seconds`` (in a thread that never keeps the process alive); returns what cancels it."""
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()
    return timer.cancel
