#!/usr/bin/env python3
"""A receiver for opsux webhooks, in Python's standard library only.

It checks each request's signature as Standard Webhooks specifies (HMAC-SHA256 of
`webhook-id.webhook-timestamp.body` with the endpoint's secret), refuses old or future
timestamps, and handles each `webhook-id` once: a retry of a delivery it already handled is
answered 204 and otherwise ignored (so is *Resend* of one it handled: it carries the same id).

    OPSUX_WEBHOOK_SECRET=whsec_… python3 examples/webhook_receiver.py --port 9000

`verify` is the part to copy into your own service. With `--check`, it reads JSON objects
(`secret`, `id`, `timestamp`, `body`, `signature`), one per line, from standard input and prints
`ok` or `bad` for each, without a time check.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import time

TOLERANCE_SECS = 5 * 60


def verify(secret, msg_id, timestamp, body, signature_header, now=None):
    """Whether `signature_header` signs `body` (bytes) under `msg_id` and `timestamp`."""
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    if now is not None and abs(now - signed_at) > TOLERANCE_SECS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = b"%s.%s.%s" % (msg_id.encode(), str(timestamp).encode(), body)
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # Several signatures, space-separated, while a secret is being rotated.
    for signature in signature_header.split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


class Receiver(http.server.BaseHTTPRequestHandler):
    secret = ""
    seen = set()  # webhook-ids handled; keep these in your database

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "0")
        signature = self.headers.get("webhook-signature", "")
        if not verify(self.secret, msg_id, timestamp, body, signature, now=int(time.time())):
            self.send_response(401)
            self.end_headers()
            return
        if msg_id not in self.seen:
            self.seen.add(msg_id)
            event = json.loads(body)
            if event["type"] == "run.ended":
                run = event["data"]
                print(f"{run['label']} {run['outcome']} in {run['tenant']}: {run['url']}")
            else:
                print(f"{event['type']} for {event['data']['endpoint']}")
            sys.stdout.flush()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--check", action="store_true", help="verify cases from stdin")
    args = parser.parse_args()
    if args.check:
        for line in sys.stdin:
            case = json.loads(line)
            ok = verify(case["secret"], case["id"], case["timestamp"],
                        case["body"].encode(), case["signature"])
            print("ok" if ok else "bad")
        return
    Receiver.secret = os.environ["OPSUX_WEBHOOK_SECRET"]
    server = http.server.HTTPServer(("127.0.0.1", args.port), Receiver)
    print(f"listening on http://127.0.0.1:{args.port}")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
