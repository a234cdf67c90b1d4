"""Send an SMS to three recipients, receive one pushed SMS, read it back by cursor, and change an IMEI.

Written only against the client's facade (`custom_components.gsm_gateway.client`: the common `Gateway` interface
and `create_gateway`), so it runs unchanged against every dialect's simulator. The client owns its HTTP session
(`session=None`) and closes it at the end of `async with`. Start a simulator, then point the example at it:

    scripts/simulate --vendor ejoin --listen 127.0.0.1:8080
    python examples/send_and_receive.py --vendor ejoin --url http://127.0.0.1:8080 --username root --password root

The incoming SMS is produced by the simulator's control API (`POST /_sim/deliver_sms`), so against a real
gateway that step only works if someone sends the SIM a message. Where a gateway lacks a feature, the example
says so and goes on. It takes the gateway's push target over for its run and gives it back at the end.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Mapping
import contextlib
import random
import secrets
import sys
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from custom_components.gsm_gateway.client import (
    REGISTERED_STATES,
    Capability,
    ConnectionSettings,
    Gateway,
    GatewayError,
    GatewayUnsupportedError,
    IncomingSms,
    PortStatus,
    PushRequest,
    SlotRef,
    SmsReceivedEvent,
    SmsRequest,
    Vendor,
    create_gateway,
)

DEFAULT_RECIPIENTS = ("+4915111111111", "+4915122222222", "+4915133333333")
SENDER = "+4915199990000"

Printer = Callable[[str], None]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendor", choices=[vendor.value for vendor in Vendor], required=True)
    parser.add_argument("--url", required=True, help="the gateway (or simulator), e.g. http://127.0.0.1:8080")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--recipients", nargs=3, default=list(DEFAULT_RECIPIENTS), metavar="NUMBER")
    parser.add_argument("--listen-host", default="127.0.0.1", help="address the gateway can push to")
    parser.add_argument("--listen-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the incoming SMS")
    return parser.parse_args(argv)


def masked(number: str) -> str:
    """A phone number with its middle hidden, for printing."""
    return number if len(number) < 7 else f"{number[:4]}***{number[-2:]}"


def luhn_imei(rng: random.Random) -> str:
    """A random 15-digit IMEI with a valid check digit."""
    body = "35" + "".join(str(rng.randrange(10)) for _ in range(12))
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


class PushListener:
    """A tiny webhook: every request the gateway pushes is queued as a `PushRequest`."""

    def __init__(self, host: str, port: int) -> None:
        """Listen on `host:port` once started (port 0 picks a free one)."""
        self.host = host
        self.port = port
        self.url = ""
        self.requests: asyncio.Queue[PushRequest] = asyncio.Queue()
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Serve, and return the URL to push to."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp exposes the bound port only here
        assert server is not None  # noqa: S101
        bound = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.url = f"http://{self.host}:{bound}/push"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        await self.requests.put(
            PushRequest(
                body=await request.read(),
                content_type=request.headers.get("Content-Type", ""),
                query=dict(request.query),
                headers=dict(request.headers),
            )
        )
        return web.Response(text="OK")


async def simulator_control(session: aiohttp.ClientSession, base: str, action: str, params: dict[str, Any]) -> bool:
    """Ask a simulator to do something (`POST /_sim/<action>`); False when it cannot."""
    try:
        async with session.post(f"{base}/_sim/{action}", json=params) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def take_push_target(
    gateway: Gateway, session: aiohttp.ClientSession, base: str, url: str, out: Printer
) -> tuple[bool, str | None]:
    """Point pushes at the listener. Returns whether to give the target back, and the one to give back."""
    capabilities = gateway.capabilities
    if Capability.PUSH_TARGET_API in capabilities:
        previous: str | None = None
        with contextlib.suppress(GatewayUnsupportedError):  # not every firmware can read it back
            previous = await gateway.get_push_target()
        out(f"Taking the gateway's push target over for this run: {url}")
        await gateway.set_push_target(url)
        return True, previous
    if Capability.SMS_PUSH in capabilities:
        out("This gateway's push URL is set in its web UI, not through the API.")
        if await simulator_control(session, base, "set_push_url", {"url": url}):
            out("  (the simulator's control API set it)")
        else:
            out("  Set it by hand to receive pushes; the SMS will still be read back by polling.")
        return False, None
    out(f"{gateway.vendor.value} gateways do not push incoming SMS: reading back by polling only.")
    return False, None


def first_registered_slot(ports: Mapping[int, PortStatus]) -> SlotRef:
    """The first port whose active SIM is on the network (port 1, slot 1 when none is)."""
    for _, port in sorted(ports.items()):
        active = port.active
        if active is not None and active.state in REGISTERED_STATES and active.ref is not None:
            return active.ref
    return SlotRef(1, 1)


async def send(gateway: Gateway, recipients: list[str], out: Printer) -> None:
    """One text to the three recipients, with the gateway's answer per recipient."""
    result = await gateway.send_sms(SmsRequest(recipients=tuple(recipients), text="Hello from send_and_receive.py"))
    out(f"Sent to {len(recipients)} recipients in {result.requests_made} request(s):")
    for recipient in result.recipients:
        verdict = "accepted" if recipient.accepted else "refused"
        answer = f"task {recipient.task_id}, {recipient.code} {recipient.reason}"
        out(f"  {masked(recipient.recipient)}: {verdict} ({answer})")


async def wait_for_push(gateway: Gateway, listener: PushListener, token: str, timeout: float) -> IncomingSms | None:
    """The pushed SMS containing `token`, or None when none came in time."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while True:
                request = await listener.requests.get()
                try:
                    events = gateway.parse_push(request)
                except GatewayError:
                    continue  # not ours to read (e.g. a status push of another shape)
                for event in events:
                    if isinstance(event, SmsReceivedEvent) and token in event.sms.text:
                        return event.sms
    return None


async def read_back(gateway: Gateway, token: str, timeout: float) -> tuple[IncomingSms | None, int]:
    """Page through the inbox by cursor until the SMS containing `token` shows up; also the pages read."""
    cursor: dict[str, Any] | None = None
    pages = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while True:
                page = await gateway.fetch_inbox(cursor)
                pages += 1
                cursor = dict(page.cursor)
                found = next((sms for sms in page.messages if token in sms.text), None)
                if found is not None:
                    return found, pages
                if not page.more:
                    await asyncio.sleep(0.5)  # a polled gateway may not have it yet
    return None, pages


async def change_imei(gateway: Gateway, ref: SlotRef, out: Printer) -> None:
    """Write a fresh (Luhn-valid) IMEI for the slot, where the gateway allows it."""
    if Capability.SET_IMEI not in gateway.capabilities:
        out(f"{gateway.vendor.value} gateways cannot change the IMEI: skipped.")
        return
    imei = luhn_imei(random.Random(secrets.randbits(32)))  # noqa: S311 - a test IMEI, not a secret
    result = await gateway.set_imei(ref, imei)
    out(f"IMEI of {ref.label} changed: {result.confirmed}/{result.requested} parameter(s) confirmed.")


async def run(args: argparse.Namespace, out: Printer = print) -> int:
    """The whole walk-through; 0 when the SMS was received and read back."""
    url = URL(args.url)
    settings = ConnectionSettings(
        host=url.host or "127.0.0.1",
        port=url.port or 80,
        use_https=url.scheme == "https",
        username=args.username,
        password=args.password,
    )
    base = str(url.origin())
    listener = PushListener(args.listen_host, args.listen_port)
    async with (
        create_gateway(Vendor(args.vendor), None, settings) as gateway,
        aiohttp.ClientSession() as session,  # only for the simulator's control API
    ):
        device = await gateway.connect()
        out(f"Connected to a {args.vendor} gateway: {device.port_count} ports x {device.slot_count} slots.")
        listener_url = await listener.start()
        restore, previous = False, None
        try:
            restore, previous = await take_push_target(gateway, session, base, listener_url, out)
            await send(gateway, args.recipients, out)
            ref = first_registered_slot((await gateway.get_status()).ports)
            token = secrets.token_hex(4)
            text = f"Hello from the example {token}"
            params = {"port": ref.port, "slot": ref.slot or 1, "sender": SENDER, "text": text}
            if not await simulator_control(session, base, "deliver_sms", params):
                out("The gateway has no simulator control API: send its SIM an SMS to continue.")
            out(f"An SMS is on its way to {ref.label}.")
            pushed = None
            if Capability.SMS_PUSH in gateway.capabilities:
                pushed = await wait_for_push(gateway, listener, token, args.timeout)
                out(f"Pushed: {pushed.text!r} from port {pushed.port_label}" if pushed else "No push arrived in time.")
            polled, pages = await read_back(gateway, token, args.timeout)
            if polled is None:
                out("The SMS could not be read back by cursor.")
                return 1
            out(f"Read back by cursor after {pages} page(s): {polled.text!r} (id {polled.message_id})")
            if pushed is not None:
                same = "the same" if pushed.message_id == polled.message_id else "a DIFFERENT"
                out(f"The pushed and the polled copy have {same} message id.")
            await change_imei(gateway, ref, out)
        finally:
            if restore:
                await gateway.set_push_target(previous)
                out(f"Push target given back ({'restored' if previous else 'cleared'}).")
            await listener.stop()
    return 0


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    sys.exit(asyncio.run(run(parse_args(argv))))


if __name__ == "__main__":
    main()
