#!/usr/bin/env python3
"""A worker for a registered opsux operation type, in Python's standard library only.

It claims runs of the type over HTTP and works each one item by item, reporting its counts as
it goes, while a thread beside it renews the run's lease; it stops when a person cancels, and
completes the run. Every request about a run carries the run's fencing token: when the server
answers 409, the lease passed to another worker (this one was too slow) and the run is left
alone. Failed requests that may pass (a lost connection, 429, 503) are tried again.

    OPSUX_URL=http://127.0.0.1:8080 OPSUX_TOKEN=opsux_… \\
        python3 examples/worker.py acme.invoice_export [--once]

The "work" here is a stand-in: the run's `items` parameter (default 5) items, one every
`--item-secs` seconds. Replace `work_item` with your own.
"""

import argparse
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

LEASE_SECS = 30  # each run's lease, renewed every third of it (`--lease-secs`)
RETRIES = (1, 2, 5, 10)  # seconds between tries of a request that may pass


class LeaseLost(Exception):
    """The server answered 409: this worker no longer holds the run."""


class Opsux:
    def __init__(self, base_url, token):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def post(self, path, body, timeout=30):
        data = json.dumps(body).encode()
        for wait in (*RETRIES, None):
            request = urllib.request.Request(
                f"{self.base_url}/api/v1{path}",
                data=data,
                method="POST",
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as answer:
                    return json.load(answer)
            except urllib.error.HTTPError as err:
                detail = err.read().decode(errors="replace")
                if err.code == 409:
                    raise LeaseLost(detail) from None
                if err.code not in (429, 502, 503, 504) or wait is None:
                    raise SystemExit(f"opsux answered {err.code} to {path}: {detail}") from None
                problem = f"{err.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
                if wait is None:
                    raise SystemExit(f"opsux could not be reached for {path}: {err}") from None
                problem = str(err)
            print(f"{path}: {problem}; trying again in {wait} s", file=sys.stderr, flush=True)
            time.sleep(wait)

    def claim(self, types, wait_secs=5):
        body = {"types": types, "max": 1, "lease_secs": LEASE_SECS, "wait_secs": wait_secs}
        return self.post("/worker/claim", body, timeout=wait_secs + 30)["runs"]

    def heartbeat(self, run):
        body = {"fencing_token": run["fencing_token"], "lease_secs": LEASE_SECS}
        return self.post(f"/worker/runs/{run['id']}/heartbeat", body)["cancel_requested"]

    def progress(self, run, counts):
        body = {"fencing_token": run["fencing_token"], "counts": counts}
        return self.post(f"/worker/runs/{run['id']}/progress", body)["cancel_requested"]

    def complete(self, run, outcome, counts, failures=()):
        body = {
            "fencing_token": run["fencing_token"],
            "outcome": outcome,
            "counts": counts,
            "failures": list(failures),
        }
        return self.post(f"/worker/runs/{run['id']}/complete", body)["run"]


class Lease(threading.Thread):
    """Renews a run's lease every third of it, beside the work; notes a cancel or a loss."""

    def __init__(self, opsux, run):
        super().__init__(daemon=True)
        self.opsux, self.claimed = opsux, run
        self.done = threading.Event()
        self.cancelled = threading.Event()
        self.lost = threading.Event()

    def run(self):
        while not self.done.wait(LEASE_SECS / 3):
            try:
                if self.opsux.heartbeat(self.claimed):
                    self.cancelled.set()
            except LeaseLost:
                self.lost.set()
                return


def work_item(params, index):
    """Does item `index` of a run; returns None, or a failure's message."""
    return None


def work(opsux, run, item_secs):
    items = int(run["params"].get("items", 5))
    counts = {"total": items, "processed": 0, "succeeded": 0}
    failures = []
    if opsux.heartbeat(run):
        return opsux.complete(run, "cancelled", counts)
    lease = Lease(opsux, run)
    lease.start()
    try:
        for index in range(items):
            if lease.lost.is_set():
                raise LeaseLost("the lease passed to another worker")
            time.sleep(item_secs)
            failure = work_item(run["params"], index)
            counts["processed"] += 1
            if failure is None:
                counts["succeeded"] += 1
            else:
                counts["failed"] = counts.get("failed", 0) + 1
                failures.append({"reason_code": "validation_failed", "message": failure})
            if opsux.progress(run, counts) or lease.cancelled.is_set():
                return opsux.complete(run, "cancelled", counts)
    finally:
        lease.done.set()
    if not failures:
        outcome = "succeeded"
    elif counts["succeeded"]:
        outcome = "partially_succeeded"
    else:
        outcome = "failed"
    return opsux.complete(run, outcome, counts, failures)


def main():
    global LEASE_SECS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("types", nargs="+", help="registered type keys this worker does")
    parser.add_argument("--once", action="store_true", help="stop after one run")
    parser.add_argument("--item-secs", type=float, default=0.5, help="pretend work per item")
    parser.add_argument("--lease-secs", type=int, default=LEASE_SECS, help="each run's lease (10-3600)")
    args = parser.parse_args()
    LEASE_SECS = args.lease_secs
    opsux = Opsux(os.environ.get("OPSUX_URL", "http://127.0.0.1:8080"), os.environ["OPSUX_TOKEN"])
    while True:
        for run in opsux.claim(args.types):
            try:
                ended = work(opsux, run, args.item_secs)
                counts = json.dumps(ended["summary_counts"])
                print(f"run {ended['id']} {ended['outcome']} {counts}", flush=True)
            except LeaseLost as lost:
                print(f"run {run['id']} passed to another worker: {lost}", file=sys.stderr, flush=True)
            if args.once:
                return


if __name__ == "__main__":
    main()
