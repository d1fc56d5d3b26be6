"""A real SMTP server for tests (aiosmtpd in a thread) that keeps what it accepts, and can hold a
message it is sent until the test lets it go (to kill its sender mid-send)."""
import asyncio
import contextlib
import email
import socket
import threading

from aiosmtpd.controller import Controller


class Inbox:
    """The messages accepted (email.message.Message each). After :meth:`hold_next` the next DATA waits until
    :meth:`release`, then is refused (451) and not kept: its sender never saw it accepted."""

    def __init__(self):
        self.messages = []
        self.held = threading.Event()       # set while the first message is being held
        self.held_subject = None
        self._release = threading.Event()
        self._hold = False
        self._lock = threading.Lock()

    def hold_next(self):
        self._hold = True

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            hold, self._hold = self._hold, False
        if hold:
            self.held_subject = message["Subject"]
            self.held.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again later"
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def release(self):
        self._release.set()


@contextlib.contextmanager
def smtp_server(inbox):
    """Serve ``inbox`` on a free port of 127.0.0.1; yields the port."""
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        inbox.release()
        controller.stop()
