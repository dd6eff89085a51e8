"""A webhook receiver that checks Folio's signatures (Standard Webhooks); standard library only.

WEBHOOK_SECRET=whsec_… python webhook_receiver.py 8081
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_S = 300  # refuse replays of old messages


def say(line: str) -> None:
    """One write per line: the script's other output shares the terminal (or the pipe)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def verify(secret: str, headers, body: bytes) -> dict:
    """The event, if the signature is Folio's; ValueError otherwise."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise ValueError("missing webhook headers")
    if abs(time.time() - int(timestamp)) > TOLERANCE_S:
        raise ValueError("timestamp outside the tolerance")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for signature in signatures.split():  # several while a secret is being rotated
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return json.loads(body)
    raise ValueError("no valid signature")


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = verify(os.environ["WEBHOOK_SECRET"], self.headers, body)
        except ValueError as error:
            say(f"rejected: {error}")
            self.send_response(400)
            self.end_headers()
            return
        # answer quickly (2xx); a retry of the same event carries the same webhook-id
        self.send_response(204)
        self.end_headers()
        say(f"verified {event['type']} {event['id']}")

    def log_message(self, *args) -> None:  # quiet: one line per event is printed above
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
