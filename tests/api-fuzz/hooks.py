"""Signs the fuzzer in as the demo owner and sends the session cookie with every request,
with the server's own Origin (state-changing requests need it, R17)."""

import os

import requests
import schemathesis

BASE = os.environ["OPSUX_FUZZ_BASE"]


@schemathesis.auth()
class DemoSession:
    def get(self, case, context):
        response = requests.post(
            f"{BASE}/api/login",
            json={"email": "owner@demo.test", "password": "opsux-demo"},
            headers={"Origin": BASE},
            timeout=30,
        )
        response.raise_for_status()
        return response.cookies["opsux_session"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Cookie"] = f"opsux_session={data}"
        case.headers["Origin"] = BASE
