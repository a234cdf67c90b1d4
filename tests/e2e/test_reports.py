"""Send results and delivery reports reach automations on every gateway, exactly once, pushed or polled.

- Synway never pushes: results (`querytxsms`) and receipts (`querytxsmsrpt`) are polled for Home Assistant's sends.
- Dinstar pushes them only once the push URL is typed into its web UI: until then they are polled (`user_id`).
- Skyline/EJOIN keeps delivery reports among its received messages: the inbox catch-up finds them when the push
  was lost or the gateway is polled only.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import (
    CONF_MANAGE_PUSH_TARGET,
    CONF_RECEIVE_MODE,
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_SMS_FAILED,
    EVENT_SMS_SENT,
    ReceiveMode,
)
from simulator import GatewaySimulator
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator
from simulator.synway import SynwaySimulator

from .conftest import WEBHOOK_ID

OK_NUMBER = "+491700000001"
BAD_NUMBER = "+491700000002"


class Clock:
    """Moves Home Assistant's timers on (the simulators keep real time for their own work)."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.offset = timedelta()

    async def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)
        async_fire_time_changed(self.hass, dt_util.utcnow() + self.offset)
        await settle(self.hass)


async def settle(hass: HomeAssistant, rounds: int = 5) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0.05)
        await hass.async_block_till_done(wait_background_tasks=True)


async def send(hass: HomeAssistant, *recipients: str) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"recipients": list(recipients), "message": "report test", "delivery_report": True},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


def task_of(response: dict[str, Any], number: str) -> str:
    return next(item["task_id"] for item in response["recipients"] if item["recipient"] == number)


def summary(events: list[Event]) -> list[tuple[str, str | None]]:
    return [(event.data["recipient"], event.data["task_id"]) for event in events]


@pytest.fixture
def captured(hass: HomeAssistant) -> dict[str, list[Event]]:
    return {
        kind: async_capture_events(hass, kind) for kind in (EVENT_SMS_SENT, EVENT_SMS_FAILED, EVENT_DELIVERY_REPORT)
    }


@pytest.mark.parametrize("vendor", ["synway"])
async def test_synway_results_and_receipts_are_polled_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator, captured: dict[str, list[Event]]
) -> None:
    clock = Clock(hass)
    await sim.control("set_number_outcome", {"number": BAD_NUMBER, "outcome": "fail"})
    response = await send(hass, OK_NUMBER, BAD_NUMBER)
    await sim.control("complete_sends", {})
    await clock.advance(11)

    assert summary(captured[EVENT_SMS_SENT]) == [(OK_NUMBER, task_of(response, OK_NUMBER))]
    (failed,) = captured[EVENT_SMS_FAILED]
    assert (failed.data["recipient"], failed.data["task_id"]) == (BAD_NUMBER, task_of(response, BAD_NUMBER))
    assert failed.data["reason"]
    (delivered,) = captured[EVENT_DELIVERY_REPORT]
    assert (delivered.data["recipient"], delivered.data["delivered"]) == (OK_NUMBER, True)
    assert delivered.data["task_id"] == task_of(response, OK_NUMBER)
    assert delivered.data["port"] == captured[EVENT_SMS_SENT][0].data["port"]

    # Later polls and a reload fire nothing again, and stop asking once nothing is awaited.
    await clock.advance(11)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await settle(hass)
    queries = len(report_queries(sim))
    await clock.advance(11)
    assert [len(events) for events in captured.values()] == [1, 1, 1]
    assert len(report_queries(sim)) == queries


def report_queries(sim: SynwaySimulator) -> list[object]:
    return [request for request in sim.requests_to("/API/QueryInfo") if b"querytxsms" in request.body]


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_results_without_a_push_url_are_polled(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: DinstarSimulator, captured: dict[str, list[Event]]
) -> None:
    """Until the push URL is typed into the Dinstar web UI, results and delivery reports are read back."""
    clock = Clock(hass)
    await sim.control("fail_number", {"number": BAD_NUMBER})
    response = await send(hass, OK_NUMBER, BAD_NUMBER)
    await sim.control("flush", {})
    await asyncio.sleep(sim.delivery_delay + 0.2)  # the network's delivery status follows the result
    await clock.advance(11)

    assert summary(captured[EVENT_SMS_SENT]) == [(OK_NUMBER, task_of(response, OK_NUMBER))]
    assert summary(captured[EVENT_SMS_FAILED]) == [(BAD_NUMBER, task_of(response, BAD_NUMBER))]
    assert summary(captured[EVENT_DELIVERY_REPORT]) == [(OK_NUMBER, task_of(response, OK_NUMBER))]
    assert captured[EVENT_DELIVERY_REPORT][0].data["delivered"] is True
    await clock.advance(11)
    assert [len(events) for events in captured.values()] == [1, 1, 1]


@pytest.mark.parametrize("vendor", ["dinstar"])
async def test_dinstar_pushed_and_polled_reports_fire_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: DinstarSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    captured: dict[str, list[Event]],
) -> None:
    clock = Clock(hass)
    client = await hass_client_no_auth()
    await sim.control("set_push_url", {"url": str(client.make_url(f"/api/webhook/{WEBHOOK_ID}"))})
    response = await send(hass, OK_NUMBER)
    await sim.control("flush", {})
    await asyncio.sleep(sim.delivery_delay + 0.2)
    await settle(hass)
    assert summary(captured[EVENT_SMS_SENT]) == [(OK_NUMBER, task_of(response, OK_NUMBER))]  # pushed
    assert [event.data["recipient"] for event in captured[EVENT_DELIVERY_REPORT]] == [OK_NUMBER]
    await clock.advance(11)  # nothing awaited any more: no poll, no repeat
    await clock.advance(11)
    assert [len(events) for events in captured.values()] == [1, 0, 1]


@pytest.mark.parametrize("vendor", ["dinstar"])
@pytest.mark.parametrize("reload", [False, True], ids=["same-run", "after-a-reload"])
async def test_dinstar_polled_reports_and_their_late_pushes_fire_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: DinstarSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    captured: dict[str, list[Event]],
    reload: bool,
) -> None:
    """The result and the delivery report are polled first; the gateway's pushes of them arrive afterwards.

    The pushes are held on the way (as by a slow network, or a push URL typed in while the device still retries them)
    and then delivered as the gateway sent them: each report has fired already and fires no second time, also when
    Home Assistant reloaded the entry in between, and also while another send to the same number is awaited.
    """
    clock = Clock(hass)
    client = await hass_client_no_auth()
    await sim.control("configure", {"send_interval": 3600})  # queued messages go out on "flush" only
    sim.faults.pushes_paused = True  # held: recorded, delivered below
    await sim.control("set_push_url", {"url": str(client.make_url(f"/api/webhook/{WEBHOOK_ID}"))})
    first = await send(hass, OK_NUMBER)
    await sim.control("flush", {})
    await asyncio.sleep(sim.delivery_delay + 0.2)
    await clock.advance(11)  # polled
    assert summary(captured[EVENT_SMS_SENT]) == [(OK_NUMBER, task_of(first, OK_NUMBER))]
    assert summary(captured[EVENT_DELIVERY_REPORT]) == [(OK_NUMBER, task_of(first, OK_NUMBER))]
    held = [push for push in sim.pushes if not push.delivered]
    sections = {section for push in held for section in json.loads(push.body)}
    assert {"sms_result", "sms_deliver_status"} <= sections
    if reload:
        assert await hass.config_entries.async_reload(init_integration.entry_id)
        await settle(hass)

    second = await send(hass, OK_NUMBER)  # awaited while the late pushes of the first arrive
    for push in held:
        answer = await client.post(
            f"/api/webhook/{WEBHOOK_ID}", data=push.body, headers={"Content-Type": push.content_type}
        )
        assert answer.status == 200
    await settle(hass)
    await clock.advance(11)
    assert summary(captured[EVENT_SMS_SENT]) == [(OK_NUMBER, task_of(first, OK_NUMBER))]
    assert summary(captured[EVENT_DELIVERY_REPORT]) == [(OK_NUMBER, task_of(first, OK_NUMBER))]

    # The second send's own reports still fire, once each.
    sim.faults.pushes_paused = False
    await sim.control("flush", {})
    await asyncio.sleep(sim.delivery_delay + 0.2)
    await settle(hass)
    await clock.advance(11)
    await clock.advance(11)
    assert summary(captured[EVENT_SMS_SENT]) == [
        (OK_NUMBER, task_of(first, OK_NUMBER)),
        (OK_NUMBER, task_of(second, OK_NUMBER)),
    ]
    assert summary(captured[EVENT_DELIVERY_REPORT]) == [
        (OK_NUMBER, task_of(first, OK_NUMBER)),
        (OK_NUMBER, task_of(second, OK_NUMBER)),
    ]
    assert captured[EVENT_SMS_FAILED] == []


async def ejoin_entry(hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any]) -> None:
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)


@pytest.mark.parametrize("vendor", ["ejoin"])
async def test_ejoin_delivery_reports_found_by_polling(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator, captured: dict[str, list[Event]]
) -> None:
    """Poll-only: the delivery report (a flag-1 inbox row) fires once, with the task it answers."""
    clock = Clock(hass)
    await ejoin_entry(hass, config_entry, {CONF_RECEIVE_MODE: ReceiveMode.POLL_ONLY})
    response = await send(hass, OK_NUMBER)
    await wait_until(lambda: any(entry.flag == 1 and entry.recipient == OK_NUMBER for entry in sim.inbox), sim)
    await clock.advance(21)  # the poll-only catch-up
    (report,) = captured[EVENT_DELIVERY_REPORT]
    assert (report.data["recipient"], report.data["task_id"]) == (OK_NUMBER, task_of(response, OK_NUMBER))
    assert report.data["delivered"] is True
    await clock.advance(21)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await settle(hass)
    await clock.advance(21)
    assert len(captured[EVENT_DELIVERY_REPORT]) == 1


@pytest.mark.parametrize("vendor", ["ejoin"])
async def test_ejoin_pushed_delivery_report_and_its_polled_copy_fire_once(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    captured: dict[str, list[Event]],
) -> None:
    clock = Clock(hass)
    await ejoin_entry(hass, config_entry, {CONF_MANAGE_PUSH_TARGET: True})
    client = await hass_client_no_auth()  # Home Assistant's HTTP server runs now: the gateway can push to it
    hass.config.internal_url = str(client.make_url("/")).rstrip("/")
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await settle(hass)
    sim.sms_cnt, sim.sms_prd = 2, 0
    response = await send(hass, OK_NUMBER)
    await wait_until(lambda: any(entry.flag == 1 and entry.recipient == OK_NUMBER for entry in sim.inbox), sim)
    await sim.control("flush", {})
    await settle(hass)
    assert summary(captured[EVENT_DELIVERY_REPORT]) == [(OK_NUMBER, task_of(response, OK_NUMBER))]  # pushed
    await clock.advance(121)  # the catch-up reads the same row again
    assert len(captured[EVENT_DELIVERY_REPORT]) == 1


async def wait_until(condition: Any, sim: GatewaySimulator, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{type(sim).__name__}: condition not met within {timeout} s")


@pytest.mark.parametrize("vendor", ["synway"])
async def test_a_send_answered_during_a_reload_is_still_followed(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: SynwaySimulator, captured: dict[str, list[Event]]
) -> None:
    """The gateway answers a send while its entry reloads: the next instance still reports the result."""
    clock = Clock(hass)
    sim.faults.response_delay = 0.3
    sending = hass.async_create_task(send(hass, OK_NUMBER))
    await asyncio.sleep(0.1)  # the send request is on its way
    sim.faults.response_delay = 0.0
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    response = await sending  # answered while the entry was unloaded
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await settle(hass)
    await sim.control("complete_sends", {})
    await clock.advance(11)
    assert summary(captured[EVENT_SMS_SENT]) == [(OK_NUMBER, task_of(response, OK_NUMBER))]
    assert len(captured[EVENT_DELIVERY_REPORT]) == 1
