"""Bring the demo's Home Assistant to a usable state through its public HTTP API, as a user would.

    python scripts/demo_provision.py [--gateway dinstar] [--gateway synway] [--gateway sim-bank] [--timeout 240]

1. Waits until Home Assistant answers.
2. Onboarding, only the steps not done yet: creates the demo user (`/api/onboarding/users`), logs in
   (`/auth/token`), finishes the core-config, analytics and integration steps. When onboarding is done already
   (a second run), logs in through the login flow (`/auth/login_flow`) instead.
3. Onboarding starts Home Assistant's own suggestions (Radio Browser, Google Translate TTS, ...); the ones that
   need the internet are removed again (`DELETE /api/config/config_entries/entry/<id>`), so the offline demo
   has a clean log.
4. Adds every simulated gateway (the EJOIN one always) through the integration's real config flow
   (`/api/config/config_entries/flow`), letting Home Assistant take over the push target where the gateway
   offers it. A gateway added on an earlier run makes the flow abort with `already_configured`: nothing is added
   twice.
5. Adds a demo recipient to the first gateway (a config subentry: a notify entity), once.
6. Waits until every gateway's config entry is loaded and prints where to look.

Only the standard library: this runs before anything else is known to work.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
import json
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

from demo_settings import (
    CLIENT_ID,
    DEMO_LANGUAGE,
    DEMO_NAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    GATEWAYS,
    HA_URL,
    DemoGateway,
    selected_gateways,
)

DOMAIN = "gsm_gateway"
# Onboarding suggests these; each needs the internet, which the demo must not depend on.
ONLINE_ONLY_DOMAINS = frozenset({"radio_browser", "google_translate", "met"})
# These two always create an entry; the weather (met) skips itself when no home location is set.
EXPECTED_ONLINE_ONLY = frozenset({"radio_browser", "google_translate"})
DEMO_RECIPIENT = {"name": "Demo phone", "number": "+491701234567"}


def log(message: str) -> None:
    """Progress on the terminal, marked as coming from the demo (Home Assistant logs there too)."""
    print(f"[demo] {message}", flush=True)


class HttpError(RuntimeError):
    """Home Assistant answered with an error status."""

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        """Keep what a human needs to see."""
        super().__init__(f"{method} {path} -> HTTP {status}: {body[:300]}")
        self.status = status


@dataclass
class HomeAssistantApi:
    """A tiny JSON client for Home Assistant's HTTP API."""

    base_url: str = HA_URL
    token: str | None = None

    def request(self, method: str, path: str, payload: Mapping[str, Any] | None = None, *, form: bool = False) -> Any:
        """Send a request; return the decoded JSON answer (None for an empty body)."""
        headers = {"Accept": "application/json"}
        data = None
        if payload is not None:
            if form:
                data = urllib.parse.urlencode(payload).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(payload).encode()
                headers["Content-Type"] = "application/json"
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, headers=headers, method=method)  # noqa: S310 - local http URL
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                body = response.read().decode()
        except urllib.error.HTTPError as err:
            raise HttpError(method, path, err.code, err.read().decode(errors="replace")) from None
        return json.loads(body) if body.strip() else None

    def get(self, path: str) -> Any:
        """GET a JSON resource."""
        return self.request("GET", path)

    def post(self, path: str, payload: Mapping[str, Any] | None = None, *, form: bool = False) -> Any:
        """POST JSON (or a form) and return the JSON answer."""
        return self.request("POST", path, payload if payload is not None else {}, form=form)


def wait_until_answering(api: HomeAssistantApi, timeout: float) -> None:
    """Wait until Home Assistant's HTTP server serves the frontend."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{api.base_url}/manifest.json", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except urllib.error.URLError, OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"Home Assistant did not answer at {api.base_url} within {timeout:.0f} s")
        time.sleep(0.5)


def onboarding_status(api: HomeAssistantApi) -> dict[str, bool]:
    """Onboarding steps and whether each is done; empty when onboarding is finished (its API is gone then)."""
    try:
        steps = api.get("/api/onboarding")
    except HttpError as err:
        if err.status == 404:
            return {}
        raise
    return {step["step"]: bool(step["done"]) for step in steps}


def exchange_code(api: HomeAssistantApi, code: str) -> None:
    """Trade an authorization code for an access token, like the frontend does after a login."""
    tokens = api.post(
        "/auth/token", {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}, form=True
    )
    api.token = tokens["access_token"]


def log_in(api: HomeAssistantApi) -> None:
    """The login flow of the frontend's login page."""
    flow = api.post(
        "/auth/login_flow",
        {"client_id": CLIENT_ID, "handler": ["homeassistant", None], "redirect_uri": CLIENT_ID},
    )
    result = api.post(
        f"/auth/login_flow/{flow['flow_id']}",
        {"username": DEMO_USERNAME, "password": DEMO_PASSWORD, "client_id": CLIENT_ID},
    )
    if result.get("type") != "create_entry":
        raise SystemExit(
            f"cannot log in as {DEMO_USERNAME!r}: {result.get('errors')}; start over with scripts/develop --fresh"
        )
    exchange_code(api, result["result"])


def onboard(api: HomeAssistantApi) -> bool:
    """Do the onboarding steps still open and leave `api` logged in. True when onboarding ran now."""
    steps = onboarding_status(api)
    if steps.get("user") is False:
        log(f"onboarding: creating the demo user {DEMO_USERNAME!r}")
        answer = api.post(
            "/api/onboarding/users",
            {
                "client_id": CLIENT_ID,
                "name": DEMO_NAME,
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
                "language": DEMO_LANGUAGE,
            },
        )
        exchange_code(api, answer["auth_code"])
    else:
        log_in(api)
    if steps.get("core_config") is False:
        # Location, time zone, country and currency come from configuration.yaml (scripts/demo_config.py).
        api.post("/api/onboarding/core_config")
    if steps.get("analytics") is False:
        api.post("/api/onboarding/analytics")  # nothing is sent: analytics stay off unless a user opts in
    if steps.get("integration") is False:
        api.post("/api/onboarding/integration", {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID})
    if steps and not all(steps.values()):
        log("onboarding: done")
        return True
    return False


def wait_until_running(api: HomeAssistantApi, timeout: float) -> None:
    """Wait until Home Assistant has finished starting (every integration of the configuration set up)."""
    deadline = time.monotonic() + timeout
    while api.get("/api/config").get("state") != "RUNNING":
        if time.monotonic() > deadline:
            raise SystemExit(f"Home Assistant did not finish starting within {timeout:.0f} s")
        time.sleep(0.5)


def remove_online_only_entries(api: HomeAssistantApi, timeout: float = 20.0) -> None:
    """Remove what onboarding added that needs the internet; its flows finish in the background, so wait for them."""
    removed: set[str] = set()
    deadline = time.monotonic() + timeout
    while not removed >= EXPECTED_ONLINE_ONLY and time.monotonic() < deadline:
        for entry in api.get("/api/config/config_entries/entry"):
            if entry["domain"] in ONLINE_ONLY_DOMAINS:
                api.request("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")
                removed.add(entry["domain"])
                log(f"removed {entry['title']!r} ({entry['domain']}), suggested by onboarding: it needs the internet")
        time.sleep(0.5)


def add_gateway(api: HomeAssistantApi, gateway: DemoGateway) -> str:
    """Run the integration's config flow for one simulator; return what happened."""
    flow = api.post("/api/config/config_entries/flow", {"handler": DOMAIN, "show_advanced_options": False})
    step = api.post(
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {
            "host": "127.0.0.1",
            "port": gateway.port,
            "use_https": False,
            "verify_ssl": True,
            "username": gateway.username,
            "password": gateway.password,
        },
    )
    if step["type"] == "abort":
        return f"already added ({step['reason']})"
    if step["type"] != "form" or not step["step_id"].startswith("confirm"):
        raise SystemExit(f"the config flow for the {gateway.name} simulator stopped at {step}")
    # The confirm step asks whether Home Assistant may point the gateway's pushes at itself (EJOIN can).
    fields = {field["name"] for field in step.get("data_schema", [])}
    answer = {"manage_push_target": True} if "manage_push_target" in fields else {}
    done = api.post(f"/api/config/config_entries/flow/{flow['flow_id']}", answer)
    if done["type"] != "create_entry":
        raise SystemExit(f"the config flow for the {gateway.name} simulator ended with {done}")
    push = "pushes to Home Assistant" if answer else "polled by Home Assistant"
    return f"added as {done['title']!r} ({push})"


def gateway_entries(api: HomeAssistantApi) -> list[dict[str, Any]]:
    """The integration's config entries."""
    entries: list[dict[str, Any]] = api.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    return entries


def wait_until_loaded(api: HomeAssistantApi, expected: int, timeout: float) -> list[dict[str, Any]]:
    """Wait until `expected` gateway entries are loaded; fail with their states otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        entries = gateway_entries(api)
        if sum(entry["state"] == "loaded" for entry in entries) >= expected:
            return entries
        if time.monotonic() > deadline:
            states = ", ".join(f"{entry['title']}: {entry['state']} {entry.get('reason') or ''}" for entry in entries)
            raise SystemExit(f"gateways not loaded after {timeout:.0f} s: {states}")
        time.sleep(0.5)


def add_demo_recipient(api: HomeAssistantApi, entry: Mapping[str, Any]) -> None:
    """Give the first gateway one recipient (a notify entity), unless it has one."""
    if entry.get("num_subentries", 0):
        return
    flow = api.post("/api/config/config_entries/subentries/flow", {"handler": [entry["entry_id"], "recipient"]})
    done = api.post(f"/api/config/config_entries/subentries/flow/{flow['flow_id']}", DEMO_RECIPIENT)
    if done["type"] != "create_entry":
        raise SystemExit(f"adding the demo recipient ended with {done}")
    log(f"added the recipient {DEMO_RECIPIENT['name']!r} to {entry['title']!r} (a notify entity)")


def provision(names: list[str], timeout: float) -> None:
    """Everything above, in order."""
    started = time.monotonic()
    api = HomeAssistantApi()
    gateways = selected_gateways(names)
    wait_until_answering(api, timeout)
    first_run = onboard(api)
    wait_until_running(api, timeout)
    if first_run:
        remove_online_only_entries(api)
    for gateway in gateways:
        log(f"{gateway.name} simulator at {gateway.url}: {add_gateway(api, gateway)}")
    entries = wait_until_loaded(api, len(gateways), timeout)
    first = next((entry for entry in entries if entry["title"].startswith("Skyline")), entries[0])
    add_demo_recipient(api, first)
    log(f"ready after {time.monotonic() - started:.1f} s: {len(entries)} gateway(s) loaded")


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gateway", action="append", default=[], choices=sorted(GATEWAYS), help="a gateway besides the EJOIN one"
    )
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds to wait for each stage")
    args = parser.parse_args(argv)
    try:
        provision(args.gateway, args.timeout)
    except HttpError as err:
        sys.exit(f"[demo] provisioning failed: {err}")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
