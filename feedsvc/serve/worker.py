"""gunicorn's threaded worker, made to read each request in its event loop before a thread takes it.

gunicorn's `gthread` hands a connection to a thread as soon as its first bytes arrive; the thread then
blocks until the request's head is complete. Eight clients sending one header line every 3 s held all
8 threads of the shipped configuration, and every poll waited (issue 13, case 7). Here the worker's
own loop collects the head (and a small body) from a non-blocking socket, as nginx and waitress do,
and only a complete request reaches a thread: a slow client costs a buffer, never a thread. A client
that has not sent its request within HEAD_SECONDS is disconnected.

It relies on `gthread.ThreadWorker`'s structure (every connection reaches the pool through
`enqueue_req`; the main loop calls `murder_pending` each turn), hence gunicorn is pinned to 27.x;
tests/test_slow_clients.py would notice a change.
"""

from __future__ import annotations

import re
import selectors
import socket
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import TConn, ThreadWorker

HEAD_SECONDS = 10.0  # to send a whole request, from its first byte (or from the connection)
MAX_HEAD = 1 << 20  # past gunicorn's own limits on the request line and headers: it refuses it
MAX_BODY = 64 << 10  # a larger body (never needed here) is read by the thread, as gunicorn does
_END_OF_HEAD = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d{1,12})[ \t]*\r\n", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:", re.IGNORECASE)


class RequestBufferingWorker(ThreadWorker):
    """A thread is given a connection only once its request has arrived whole."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arriving: deque[TConn] = deque()  # connections whose request is still coming, oldest first

    def enqueue_req(self, conn: TConn) -> None:
        if getattr(conn, "request_bytes", None) is not None or not self._bufferable(conn):
            super().enqueue_req(conn)  # a whole request, or one gunicorn must read itself (TLS, h2c)
            return
        # What a previous request's thread read ahead (a pipelined request) is the start of this one.
        conn.arrived = bytearray(conn.parser.unreader.take_buffered() if conn.parser is not None else b"")
        conn.deadline = time.monotonic() + HEAD_SECONDS
        if self._whole(conn.arrived):
            self._dispatch(conn)
            return
        conn.sock.setblocking(False)
        self.arriving.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _bufferable(self, conn: TConn) -> bool:
        return bool(
            not self.cfg.is_ssl
            and getattr(self.cfg, "protocol", "http") == "http"
            and not negotiation.prior_knowledge_allowed(self.cfg, conn.client)
        )

    def _on_readable(self, conn: TConn, sock: socket.socket) -> None:
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            conn.arrived += data
            if not self._whole(conn.arrived):
                return  # still registered, still in line for its deadline
        self._forget(conn)
        if data:
            self._dispatch(conn)
        else:  # the client went away
            self.nr_conns -= 1
            conn.close()

    def _forget(self, conn: TConn) -> None:
        self.poller.unregister(conn.sock)
        self.arriving.remove(conn)

    def _dispatch(self, conn: TConn) -> None:
        conn.request_bytes = bytes(conn.arrived)
        conn.arrived = None
        conn.data_ready = True  # gunicorn's own wait for a first byte is over
        self.enqueue_req(conn)

    @staticmethod
    def _whole(data: bytearray) -> bool:
        """The request's head has arrived, and its body too unless it is large or chunked."""
        end = data.find(_END_OF_HEAD)
        if end < 0:
            return len(data) > MAX_HEAD
        head = data[: end + 2]
        if _CHUNKED.search(head):
            return True
        length = _CONTENT_LENGTH.search(head)
        size = int(length.group(1)) if length else 0
        return size > MAX_BODY or len(data) >= end + 4 + size

    def handle(self, conn: TConn) -> Any:
        """In a thread: the parser reads the buffered request first, then the socket as usual (gunicorn's
        answer, whatever it is, is passed on)."""
        data = getattr(conn, "request_bytes", None)
        if data is not None:
            conn.request_bytes = None
            conn.sock.setblocking(True)
            conn.init()
            if data:
                conn.parser.unreader.unread(data)
        return super().handle(conn)

    def murder_pending(self) -> None:
        """Each turn of the main loop: disconnect whoever took too long (everyone, when stopping)."""
        super().murder_pending()
        now = time.monotonic()
        while self.arriving and (self.arriving[0].deadline <= now or not self.alive):
            conn = self.arriving[0]
            self._forget(conn)
            self.nr_conns -= 1
            conn.close()
