"""An HTTP proxy in front of the Campus sandbox that loses one answer on purpose.

Every request is passed on to the sandbox and its answer relayed, except the first one
whose path ends with ``drop_path``: that one is dropped at the ``when`` the test chooses,
the connection closed without a byte of answer, as a network failure would:

- ``"after"``: the sandbox got the request and did it; only its answer is lost;
- ``"before"``: the request never reaches the sandbox.

``calls`` counts the requests for ``drop_path`` the proxy received (dropped or not).
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class DroppingProxy:
    def __init__(self, upstream: str, *, drop_path: str, when: str = "after"):
        target = urlsplit(upstream)
        self.host, self.port = target.hostname, target.port
        self.drop_path, self.when = drop_path, when
        self.calls = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> DroppingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _drop_this(self, path: str) -> bool:
        """Whether to drop this request: the first one for ``drop_path``."""
        if not urlsplit(path).path.endswith(self.drop_path):
            return False
        with self._lock:
            self.calls += 1
            if self.dropped:
                return False
            self.dropped += 1
            return True

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                drop = proxy._drop_this(self.path)
                if drop and proxy.when == "before":
                    self.close_connection = True
                    return
                upstream = http.client.HTTPConnection(proxy.host, proxy.port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
                upstream.close()
                if drop:  # the sandbox did it; its answer goes nowhere
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

            def log_message(self, *args):
                pass

        return Handler
