"""Concurrency: 50 action calls at once, mixed with bursts of pushes, all complete without error.

The latency figures (p99) are measured by `scripts/bench` (docs/performance.md, "Concurrency"); this test holds
the behaviour: every call answers, every push is taken, every SMS fires once, nothing is logged as an error.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import DOMAIN, EVENT_SMS_RECEIVED
from simulator.ejoin import EjoinSimulator

CALLS = 50
PUSHES = 10
ROWS = 20
ROUNDS = 3


def recv_sms(push: int) -> bytes:
    rows = [
        [
            0,
            f"{1 + row % 4}A",
            1767225600 + push,
            f"+4917100{push:03d}{row:03d}",
            "",
            base64.b64encode(f"m{push}-{row}".encode()).decode(),
        ]
        for row in range(ROWS)
    ]
    return json.dumps({"type": "recv-sms", "sms_num": ROWS, "sms": rows}).encode()


async def test_concurrent_actions_and_pushes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client: TestClient = await hass_client_no_auth()
    path = f"/api/webhook/{init_integration.data['webhook_id']}"
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    latencies: list[float] = []
    failures: list[str] = []
    answers: list[int] = []

    async def call(number: int) -> None:
        start = time.perf_counter()
        try:
            response = await hass.services.async_call(
                DOMAIN,
                "send_sms",
                {
                    "config_entry_id": init_integration.entry_id,
                    "recipients": [f"+4917200{number:06d}"],
                    "message": "hi",
                },
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError as err:
            failures.append(repr(err))
        else:
            assert response is not None
            assert response["recipients"][0]["accepted"] is True
        latencies.append(time.perf_counter() - start)

    async def push(body: bytes) -> None:
        response = await client.post(path, data=body)
        answers.append(response.status)

    for index in range(ROUNDS):
        await asyncio.gather(
            *(call(index * CALLS + number) for number in range(CALLS)),
            *(push(recv_sms(index * PUSHES + number)) for number in range(PUSHES)),
        )
        sim.queue.clear()  # the device's queue limit is not what this test is about
    await hass.async_block_till_done()

    assert failures == []
    assert answers == [200] * (ROUNDS * PUSHES)
    assert len(events) == ROUNDS * PUSHES * ROWS
    assert len({event.data["message_id"] for event in events}) == len(events)
    assert len(sim.requests_to("/goip_post_sms.html")) >= ROUNDS * CALLS
    assert max(latencies) < 10  # nothing waited for a timeout; the figures are in docs/performance.md
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
