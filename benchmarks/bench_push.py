"""2. Push ingest: 10,000 incoming SMS in pushes of 50 through the real webhook path.

Targets: at least 2,000 SMS/s with exactly 10,000 `gsm_gateway_sms_received` events, and at most 2x the floor of
posting the same bodies to a no-op webhook that does the same Home Assistant work per message: one bus event and
one event-entity trigger (a state write). Each push is timed from the POST until the last of its events has fired;
pushes to the integration and to the floor alternate.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import ClientSession, web
from homeassistant.components import webhook
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.gsm_gateway.const import EVENT_SMS_RECEIVED
from simulator import GatewaySimulator
from simulator.ejoin import EjoinSimulator

from .context import BenchContext
from .report import Section
from .stats import Samples, ms, ratio

PUSH_SIZE = 50
THROUGHPUT_TARGET = 2000.0
RATIO_TARGET = 2.0
FLOOR_EVENT = "gsm_bench_floor_event"
FLOOR_ENTITY = "event.bench_floor_port_1_messages"


async def push_bodies(source: GatewaySimulator, session: ClientSession, count: int, tag: str) -> list[bytes]:
    """`recv-sms` bodies of `PUSH_SIZE` rows, in the device's own row format (read back from a second simulator)."""
    assert isinstance(source, EjoinSimulator)
    first = len(source.inbox) + 1
    for number in range(count):
        source.deliver_sms(1 + number % source.port_count, None, f"+4917{number:09d}", f"{tag} message {number}")
    bodies = []
    for start in range(first, first + count, PUSH_SIZE):
        params = {"username": source.username, "password": source.password, "sms_id": str(start)}
        async with session.get(
            f"{source.url}/goip_get_sms.html", params={**params, "sms_num": str(PUSH_SIZE)}
        ) as response:
            rows = (await response.json(content_type=None))["data"]
        bodies.append(json.dumps({"type": "recv-sms", "sms_num": len(rows), "sms": rows}).encode())
    return bodies


class EventCounter:
    """Counts events of one type and wakes whoever waits for a count."""

    def __init__(self, hass: HomeAssistant, event_type: str) -> None:
        """Start counting."""
        self.count = 0
        self.ids: set[str] = set()
        self._target = 0
        self._reached = asyncio.Event()
        hass.bus.async_listen(event_type, self._on_event)

    def _on_event(self, event: Event) -> None:
        self.count += 1
        self.ids.add(str(event.data.get("message_id", self.count)))
        if self.count >= self._target:
            self._reached.set()

    async def wait_for(self, target: int, timeout: float = 30) -> None:
        """Until `target` events were counted."""
        self._target = target
        if self.count < target:
            self._reached.clear()
            await asyncio.wait_for(self._reached.wait(), timeout)


def register_noop_webhook(hass: HomeAssistant, webhook_id: str) -> None:
    """The floor: read the body; per SMS fire a bus event and write an event entity's state, both of the same shape."""
    payload: dict[str, Any] = {
        "config_entry_id": "x" * 26,
        "device_id": "y" * 32,
        "port": "1A",
        "sender": "+4917000000000",
        "recipient": "+4915100000000",
        "text": "benchmark message",
        "received_at": "2026-01-01T00:00:00+00:00",
        "message_id": "z" * 38,
        "smsc": "+491770610000",
    }

    attributes = {"event_type": "sms_received", **payload, "friendly_name": "Port 1 Messages"}
    del attributes["config_entry_id"], attributes["device_id"]

    async def handle(hass: HomeAssistant, _webhook_id: str, request: web.Request) -> web.Response:
        await request.read()
        for _ in range(PUSH_SIZE):
            hass.bus.async_fire(FLOOR_EVENT, payload)
            # What an event entity's trigger writes: the time of the event as state, the event as attributes.
            hass.states.async_set(FLOOR_ENTITY, dt_util.utcnow().isoformat(timespec="milliseconds"), attributes)
        return web.Response(text="OK")

    webhook.async_register(hass, "bench", "no-op", webhook_id, handle, local_only=True, allowed_methods=["POST"])


async def run(ctx: BenchContext) -> Section:
    """Push 10,000 SMS to the integration and to the floor, alternately."""
    total = ctx.scale(10_000, 2_000)
    _, entry = await ctx.gateway("ejoin", seed=21, manage_push_target=False)
    source = await ctx.simulator("ejoin", ports=32, slots=4, seed=22)
    hass = ctx.lab.hass
    register_noop_webhook(hass, "bench-noop-" + "0" * 52)
    floor_url = f"{ctx.lab.base_url}/api/webhook/bench-noop-" + "0" * 52
    real_url = ctx.lab.webhook_url(entry)
    headers = {"Content-Type": "application/json;charset=utf-8"}
    received = EventCounter(hass, EVENT_SMS_RECEIVED)
    floor_events = EventCounter(hass, FLOOR_EVENT)

    async with ClientSession() as session:
        warm_up = await push_bodies(source, session, PUSH_SIZE * 4, "warm-up")
        bodies = await push_bodies(source, session, total, "bench")
        real, floor = Samples("push of 50 SMS to the integration"), Samples("push of 50 to a no-op webhook")

        async def post(url: str, body: bytes, counter: EventCounter, samples: Samples | None) -> None:
            start = time.perf_counter()
            target = counter.count + PUSH_SIZE
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == 200, response.status
            await counter.wait_for(target)
            if samples is not None:
                samples.add(time.perf_counter() - start)

        for body in warm_up:
            await post(floor_url, body, floor_events, None)
            await post(real_url, body, received, None)
        baseline = received.count
        for body in bodies:
            await post(floor_url, body, floor_events, floor)
            await post(real_url, body, received, real)
        await asyncio.sleep(0.5)  # late repeats would show here
        await hass.async_block_till_done()

    events = received.count - baseline
    throughput = total / real.total
    push_ratio = ratio(real.median, floor.median)
    section = Section(
        "Push ingest",
        f"{total:,} incoming SMS in {len(bodies)} `recv-sms` pushes of {PUSH_SIZE}, posted over HTTP to the "
        "integration's webhook; each push timed until its last `gsm_gateway_sms_received` event fired.",
    )
    section.rows = [
        {
            "measure": floor.name,
            "median": ms(floor.median),
            "p95": ms(floor.p95),
            "SMS/s": f"{total / floor.total:,.0f}",
            "ratio": "floor",
        },
        {
            "measure": real.name,
            "median": ms(real.median),
            "p95": ms(real.p95),
            "SMS/s": f"{throughput:,.0f}",
            "ratio": f"{push_ratio:.2f}x",
        },
    ]
    section.check("events", f"= {total:,}", f"{events:,}", passed=events == total and len(received.ids) >= total)
    section.check(
        "throughput",
        f"≥ {THROUGHPUT_TARGET:,.0f} SMS/s",
        f"{throughput:,.0f} SMS/s",
        passed=throughput >= THROUGHPUT_TARGET,
    )
    section.check(
        "push vs no-op webhook", f"≤ {RATIO_TARGET}x", f"{push_ratio:.2f}x", passed=push_ratio <= RATIO_TARGET
    )
    section.notes.append(
        "The floor's handler reads the body and, per SMS, fires a bus event of the same shape and writes an event "
        "entity's state (what a trigger costs Home Assistant); the integration also parses the push, de-duplicates "
        "each SMS against its persisted inbox, and triggers the port's event entity once per SMS."
    )
    if push_ratio > RATIO_TARGET:
        section.notes.append(
            "Where the difference goes (`scripts/bench --only push --profile`): triggering the event entity through "
            "Home Assistant's `async_write_ha_state` costs about three times the floor's bare `async_set`; parsing "
            "the push's JSON rows, matching each SMS with a possible copy of it and writing the inbox ledger after "
            "each push are work the floor does not do. The ledger is written as soon as events fired so that a hard "
            "kill re-fires only the write in flight (docs/reliability.md); writing it less often would meet this "
            "ratio by re-firing more after a crash, so it is not done. Before the ledger was saved without "
            "rebuilding it, the same run measured 1,634 SMS/s and 2.58x."
        )
    return section
