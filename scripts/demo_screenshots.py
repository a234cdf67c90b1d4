"""Screenshots of the real Home Assistant frontend for the docs, taken in headless Chromium against the demo.

    python scripts/demo_screenshots.py --chromium PATH [--out docs/images]

`scripts/screenshots` provides Chromium, Playwright and a running demo (`scripts/develop`), then runs this.
Each picture is taken only when the page has settled: the content it is about is visible and no spinner is
left. Light theme, 1280 x 900, English, the demo's time zone.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import json
import os
from pathlib import Path
import time
from typing import Any

import aiohttp
from demo_debs import library_path
from demo_provision import HomeAssistantApi, log_in
from demo_settings import DEMO_PASSWORD, DEMO_USERNAME, GATEWAYS, HA_URL, REPO_ROOT
from playwright.async_api import Browser, Locator, Page, ViewportSize, async_playwright, expect

# The machine has no internet: without the background-networking switches Chromium keeps trying (and failing)
# to reach Google's services.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
SETTLE_TIMEOUT_MS = 30_000
PORT = 2  # the port shown: its SIM gets the demo SMS
DEMO_SMS = {
    "port": f"{PORT}A",
    "sender": "+4915112345678",
    "text": "Your parcel arrives today between 10:00 and 12:00.",
}


@dataclass(frozen=True)
class DemoDevices:
    """Device registry ids of the pictures' subjects."""

    gateway: str
    port: str
    gateway_name: str


def log(message: str) -> None:
    """Progress on the terminal."""
    print(f"[screenshots] {message}", flush=True)


async def find_devices(token: str) -> DemoDevices:
    """The EJOIN gateway and one of its ports, through the same WebSocket API the frontend uses."""
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{HA_URL}/api/websocket") as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            raise SystemExit("the demo refused the access token")
        await ws.send_json({"id": 1, "type": "config/device_registry/list"})
        devices: list[dict[str, Any]] = (await ws.receive_json())["result"]
    gateway = next(device for device in devices if str(device.get("name")).startswith("Skyline"))
    port = next(
        device
        for device in devices
        if device.get("parent_device_id") == gateway["id"] and device.get("name") == f"Port {PORT}"
    )
    return DemoDevices(gateway=gateway["id"], port=port["id"], gateway_name=gateway["name"])


async def settle(page: Page, ready: Callable[[], Awaitable[None]]) -> None:
    """Wait for the page's subject, then until no spinner is left and the last animations ended."""
    await ready()
    deadline = time.monotonic() + SETTLE_TIMEOUT_MS / 1000
    spinners = page.locator("ha-spinner:visible, ha-circular-progress:visible, mwc-circular-progress:visible")
    while await spinners.count() and time.monotonic() < deadline:
        await page.wait_for_timeout(200)
    await page.wait_for_timeout(800)


async def log_in_ui(page: Page) -> None:
    """The frontend's login page, as a person would use it."""
    await page.goto(f"{HA_URL}/")
    await page.locator("input[name=username]").fill(DEMO_USERNAME)
    await page.locator("input[name=password]").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{HA_URL}/home/**", timeout=SETTLE_TIMEOUT_MS)


async def shot_device(page: Page, device_id: str, title: str, path: Path) -> None:
    """A device page."""
    await page.goto(f"{HA_URL}/config/devices/device/{device_id}")
    await settle(page, lambda: expect(page.get_by_text(title, exact=True).first).to_be_visible())
    await page.screenshot(path=path)
    log(f"took {path.name}")


def text_field(page: Page, label: str) -> Locator:
    """The input of a frontend text field (`ha-input`) by its label."""
    return page.locator("ha-input").filter(has_text=label).locator("input")


async def shot_sms_event(page: Page, path: Path) -> None:
    """Settings > Tools > Events, listening to incoming SMS while the simulator receives one."""
    await page.goto(f"{HA_URL}/config/tools/event")
    await (
        page.locator("ha-input")
        .filter(has_text="Event to subscribe to")
        .locator("input")
        .fill("gsm_gateway_sms_received")
    )
    # Only this message: the demo gateway also receives one SMS a minute on its own.
    await page.locator("ha-input").filter(has_text="Filter events").locator("input").fill("parcel")
    await page.get_by_role("button", name="Start listening").click()
    await expect(page.get_by_role("button", name="Stop listening")).to_be_visible()
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{GATEWAYS['ejoin'].url}/_sim/deliver_sms", json=DEMO_SMS) as response,
    ):
        response.raise_for_status()
    event = page.get_by_text(DEMO_SMS["text"]).first
    await settle(page, lambda: expect(event).to_be_visible())
    # The event is listed below the fold: show the listener card and the event together.
    await scroll_to_top(page, "Listen to events")
    await page.screenshot(path=path)
    log(f"took {path.name}")


SEND_SMS_YAML = """action: gsm_gateway.send_sms
data:
  recipients:
    - "+491701234567"
  message: The front door opened at 22:14.
  port: 3A
"""


async def scroll_to_top(page: Page, text: str) -> None:
    """Scroll the page's own scroller so that `text` is at the top (the frontend scrolls inner containers)."""
    await page.get_by_text(text, exact=True).first.evaluate("node => node.scrollIntoView({block: 'start'})")
    await page.wait_for_timeout(500)


async def shot_send_sms_action(page: Page, form_path: Path, response_path: Path) -> None:
    """Settings > Tools > Actions: `gsm_gateway.send_sms` filled in; then performed, with its response."""
    await page.goto(f"{HA_URL}/config/tools/action")
    await page.get_by_role("button", name="YAML mode").click()
    await page.locator(".cm-content").first.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(SEND_SMS_YAML)
    await page.get_by_role("button", name="UI mode").click()
    await settle(page, lambda: expect(page.get_by_text("Send SMS", exact=True).first).to_be_visible())
    await scroll_to_top(page, "Send SMS")
    await page.screenshot(path=form_path)
    log(f"took {form_path.name}")
    await page.get_by_role("button", name="Perform action").click()
    await settle(page, lambda: expect(page.get_by_text("Response", exact=True)).to_be_visible())
    await page.wait_for_timeout(2500)  # the button's success tick fades back into its label
    # The page cannot scroll further than its end: the encoding row then starts right under the header.
    row = page.locator("ha-settings-row").filter(has_text="Encoding").first
    await row.evaluate("node => node.scrollIntoView({block: 'start'})")
    await page.wait_for_timeout(500)
    await page.screenshot(path=response_path)
    log(f"took {response_path.name}")


async def take_all(browser: Browser, out: Path, token: str) -> None:
    """Every picture, in one browser page."""
    devices = await find_devices(token)
    context = await browser.new_context(viewport=VIEWPORT, color_scheme="light", locale="en-US")
    page = await context.new_page()
    await log_in_ui(page)
    # The SMS first: the port's page then shows it in its activity.
    await shot_sms_event(page, out / "sms-received-event.png")
    await shot_device(page, devices.port, f"Port {PORT}", out / "port-device.png")
    await shot_device(page, devices.gateway, devices.gateway_name, out / "gateway-device.png")
    await shot_send_sms_action(page, out / "send-sms-action.png", out / "send-sms-response.png")
    await context.close()


async def run(chromium: str, out: Path, token: str) -> None:
    """Start Chromium (with its unpacked libraries) and take the pictures."""
    root = Path(chromium).parents[3]  # <root>/usr/lib/chromium/chromium
    env: dict[str, str | float | bool] = {**os.environ, "LD_LIBRARY_PATH": library_path(root)}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, env=env)
        try:
            await take_all(browser, out, token)
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", required=True, help="the chromium binary (unpacked by scripts/demo_debs.py)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "images")
    args = parser.parse_args(argv)
    api = HomeAssistantApi()
    log_in(api)  # a token for the device lookups over the WebSocket API
    if api.token is None:
        raise SystemExit("no access token")
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args.chromium, args.out.resolve(), api.token))
    print(json.dumps(sorted(path.name for path in args.out.glob("*.png"))))


if __name__ == "__main__":
    main()
