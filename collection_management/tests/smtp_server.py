"""A real SMTP server on loopback for the tests: it accepts or refuses every recipient,
and keeps what it received."""

import socket
import threading


class LoopbackSmtpServer:
    def __init__(self, refuse=False):
        self.refuse = refuse
        self.messages = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(5)
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _address = self._socket.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                self._session(conn.makefile("rb"), conn)

    def _session(self, reader, conn):
        def reply(line):
            conn.sendall(line.encode() + b"\r\n")

        reply("220 loopback ESMTP")
        data = None
        while True:
            line = reader.readline()
            if not line:
                return
            if data is not None:
                if line in (b".\r\n", b".\n"):
                    self.messages.append(b"".join(data))
                    data = None
                    reply("250 OK queued")
                else:
                    data.append(line)
                continue
            command = line.strip().split(b" ")[0].upper()
            if command == b"EHLO":
                # as a mail server of today: addresses and names in any script
                reply("250-loopback")
                reply("250-8BITMIME")
                reply("250 SMTPUTF8")
            elif command == b"HELO":
                reply("250 loopback")
            elif command == b"MAIL":
                reply("250 OK")
            elif command == b"RCPT":
                reply("550 mailbox unavailable" if self.refuse else "250 OK")
            elif command == b"DATA":
                reply("354 end with .")
                data = []
            elif command == b"QUIT":
                reply("221 bye")
                return
            else:
                reply("250 OK")
