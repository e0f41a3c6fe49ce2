"""A partner's webhook receiver for the push tests: a real HTTP server in a thread of the test,
on a free port, that keeps what it was sent. Plain helpers, imported by the tests."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """receiver.url to register; receiver.pushes: (headers, body bytes, time received);
    answers: statuses to answer in turn (then 200); hold: an Event the next request waits for
    before answering (a delivery "in flight")."""

    def __init__(self, answers=(), hold=None):
        self.pushes = []
        self.answers = list(answers)
        self.hold = hold
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.pushes.append((dict(self.headers), body, time.monotonic()))
                receiver.arrived.set()
                if receiver.hold is not None:
                    hold, receiver.hold = receiver.hold, None
                    hold.wait(60)
                status = receiver.answers.pop(0) if receiver.answers else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (killed mid-delivery)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/khabar"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def items(self):
        return [json.loads(body) for _headers, body, _at in self.pushes]

    def wait_for(self, count, seconds=60):
        deadline = time.monotonic() + seconds
        while len(self.pushes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.pushes) >= count

    def close(self):
        self.server.shutdown()
        self.server.server_close()
