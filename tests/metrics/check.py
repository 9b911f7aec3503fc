"""`/metrics` read by the Prometheus project's own parser, and the alert rules checked against it.

    python check.py http://127.0.0.1:PORT docs/alerts.yml

Against `opsux serve --demo --no-scheduler` on an empty database: signs in as the demo owner,
ends a run by hand and a scheduled backup ("Run now"), then reads `/metrics` with
`prometheus_client`'s strict OpenMetrics parser and checks that each run's end is counted
once, with its duration and queue wait, the schedule's last outcome and last success, and that
every family the alert rules use is one the server exposes.
"""

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.request

import yaml
from prometheus_client.openmetrics.parser import text_string_to_metric_families

BASE, ALERTS = sys.argv[1], sys.argv[2]

# Every family the server exposes (OpenMetrics names: counters without `_total`).
EXPECTED = {
    "opsux_runs": "gauge",
    "opsux_schedule_last_success_timestamp_seconds": "gauge",
    "opsux_schedule_last_run_outcome": "gauge",
    "opsux_schedule_enabled": "gauge",
    "opsux_notifications": "gauge",
    "opsux_webhook_pending": "gauge",
    "opsux_run_transitions": "counter",
    "opsux_commits": "counter",
    "opsux_committed_transitions": "counter",
    "opsux_runs_ended": "counter",
    "opsux_run_duration_seconds": "histogram",
    "opsux_run_queue_wait_seconds": "histogram",
    "opsux_webhook_deliveries": "counter",
    "opsux_sse_subscribers": "gauge",
}

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Origin", BASE)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        answer = opener.open(request, timeout=30)
    except urllib.error.HTTPError as err:
        sys.exit(f"{method} {path}: {err.code} {err.read().decode()}")
    with answer:
        text = answer.read().decode()
        return json.loads(text) if text and answer.headers.get_content_type() == "application/json" else text


def ended(run_id):
    deadline = time.time() + 60
    while time.time() < deadline:
        run = call("GET", f"/api/t/contoso/operations/{run_id}")["run"]
        if run["status"] == "completed":
            return run
        time.sleep(0.2)
    sys.exit(f"run {run_id} did not end within a minute")


def fail(message):
    sys.exit(f"metrics check: {message}")


call("POST", "/api/login", {"email": "owner@demo.test", "password": "opsux-demo"})
sync = ended(call("POST", "/api/t/contoso/operations", {"type": "inventory_sync"})["run"]["id"])
schedule = call("POST", "/api/t/contoso/backup-schedules", {
    "name": "Nightly", "cron": "0 3 * * *", "policy_selection": "all", "keep_last": 3,
})
backup = ended(call("POST", "/api/t/contoso/operations", {
    "type": "backup_schedule_run", "params": {"schedule_id": schedule["id"]},
})["run"]["id"])

text = call("GET", "/metrics")
families = {f.name: f for f in text_string_to_metric_families(text)}

for name, kind in EXPECTED.items():
    if name not in families:
        fail(f"{name} is missing from /metrics")
    if families[name].type != kind:
        fail(f"{name} is a {families[name].type}, not a {kind}")
unexpected = set(families) - set(EXPECTED)
if unexpected:
    fail(f"families this check does not know: {sorted(unexpected)} (add them to EXPECTED)")


def value(family, sample_name, **labels):
    found = [s.value for s in families[family].samples
             if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items())]
    if len(found) != 1:
        fail(f"{sample_name}{labels}: {len(found)} samples")
    return found[0]


# Each run's end is counted once, with how long it took and waited.
for run in (sync, backup):
    counted = value("opsux_runs_ended", "opsux_runs_ended_total",
                    type=run["type"], outcome=run["outcome"], initiator="person")
    if counted != 1:
        fail(f"the {run['type']} run's end is counted {counted} times")
    for histogram in ("opsux_run_duration_seconds", "opsux_run_queue_wait_seconds"):
        if value(histogram, histogram + "_count", type=run["type"]) != 1:
            fail(f"{histogram} does not hold the {run['type']} run once")
ends = sum(s.value for s in families["opsux_runs_ended"].samples if s.name.endswith("_total"))
if ends != 2:
    fail(f"{ends} ends counted for two runs")

# The schedule's last outcome: 1 for it, 0 for the others; its last success, if it succeeded.
for outcome in ("succeeded", "partially_succeeded", "failed", "cancelled"):
    expected = 1 if outcome == backup["outcome"] else 0
    got = value("opsux_schedule_last_run_outcome", "opsux_schedule_last_run_outcome",
                tenant="contoso", schedule="Nightly", outcome=outcome)
    if got != expected:
        fail(f"schedule outcome {outcome}: {got}, not {expected}")
if backup["outcome"] == "succeeded":
    at = value("opsux_schedule_last_success_timestamp_seconds",
               "opsux_schedule_last_success_timestamp_seconds", tenant="contoso", schedule="Nightly")
    if abs(time.time() - at) > 300:
        fail(f"the last success is {at}, not now")
if value("opsux_schedule_enabled", "opsux_schedule_enabled", tenant="contoso", schedule="Nightly",
         schedule_id=schedule["id"]) != 1:
    fail("the schedule is not reported enabled")
for result in ("delivered", "retrying", "failed"):
    value("opsux_webhook_deliveries", "opsux_webhook_deliveries_total", result=result)

# The alert rules: well-formed, and using only what the server exposes.
with open(ALERTS) as f:
    rules = [rule for group in yaml.safe_load(f)["groups"] for rule in group["rules"]]
if len(rules) < 3:
    fail("docs/alerts.yml has fewer than three rules")
suffix = re.compile(r"_(total|bucket|count|sum|created)$")
for rule in rules:
    for key in ("alert", "expr"):
        if not rule.get(key):
            fail(f"a rule without {key}: {rule}")
    if rule.get("labels", {}).get("severity") not in ("warning", "critical"):
        fail(f"{rule['alert']}: severity must be warning or critical")
    if not rule.get("annotations", {}).get("summary"):
        fail(f"{rule['alert']}: no summary")
    used = re.findall(r"\bopsux_[a-z_]+", rule["expr"])
    if not used:
        fail(f"{rule['alert']} uses no opsux metric")
    for sample in used:
        family = suffix.sub("", sample) if sample not in EXPECTED else sample
        if family not in EXPECTED:
            fail(f"{rule['alert']} uses {sample}, which the server does not expose")
    if rule["expr"].count("(") != rule["expr"].count(")"):
        fail(f"{rule['alert']}: unbalanced parentheses")

print(f"metrics check: {len(families)} families parsed; {len(rules)} alert rules use only them; "
      f"runs: {sync['type']} {sync['outcome']}, {backup['type']} {backup['outcome']}")
