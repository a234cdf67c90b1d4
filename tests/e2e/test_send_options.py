"""`send_sms` options through Home Assistant: the SMS centre, interval and send timeout, and the per-call delivery report.

Send options reach Skyline/EJOIN tasks (`smsc`, `intvl`, `tmo`) and are refused, never dropped, elsewhere and with
failover. `delivery_report` on the call overrides the entry's option on every gateway, on the gateway's own wire:
Skyline/EJOIN `dr`, Dinstar `request_status_report`, Synway (whose send has no such flag) by asking for the receipt
(`querytxsmsrpt`) only when one was asked for; a report asked for fires `gsm_gateway_delivery_report`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events, async_fire_time_changed

from custom_components.gsm_gateway.const import (
    CONF_DELIVERY_REPORTS,
    CONF_RECEIVE_MODE,
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_SMS_SENT,
    ReceiveMode,
)
from simulator import GatewaySimulator
from simulator.dinstar import DinstarSimulator
from simulator.ejoin import EjoinSimulator
from simulator.synway import SynwaySimulator

NUMBERS = ["+491700000001", "+491700000002", "+491700000003"]
SMSC = "+491770610000"


async def send(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(DOMAIN, "send_sms", data, blocking=True, return_response=True)
    assert isinstance(response, dict)
    return response


# --- SMS centre, interval, send timeout ------------------------------------------------------------------------


async def test_send_options_reach_the_gateway(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """With an interval the recipients share one task, which the gateway spaces; each keeps its own result."""
    response = await send(hass, recipients=NUMBERS, message="paced", smsc=SMSC, interval=1500, send_timeout=90)
    (request,) = sim.requests_to("/goip_post_sms.html")
    (task,) = request.json()["tasks"]
    assert (task["to"], task["smsc"], task["intvl"], task["tmo"]) == (",".join(NUMBERS), SMSC, "1500", 90)
    assert [(item["recipient"], item["accepted"]) for item in response["recipients"]] == [(n, True) for n in NUMBERS]
    assert {item["task_id"] for item in response["recipients"]} == {str(task["tid"])}
    (accepted,) = sim.accepted_tasks
    assert (accepted.smsc, accepted.interval_ms, accepted.timeout) == (SMSC, 1500, 90)


async def test_a_timeout_alone_keeps_one_task_per_recipient(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    response = await send(hass, recipients=NUMBERS[:2], message="x", send_timeout=45, smsc="")
    tasks = sim.requests_to("/goip_post_sms.html")[0].json()["tasks"]
    assert [(task["to"], task["tmo"], "smsc" in task) for task in tasks] == [(n, 45, False) for n in NUMBERS[:2]]
    assert len(set(response["task_ids"])) == 2


@pytest.mark.parametrize("vendor", ["dinstar", "synway"])
@pytest.mark.parametrize(
    ("options", "fields"),
    [
        ({"smsc": SMSC}, "smsc"),
        ({"interval": 0}, "interval"),
        ({"send_timeout": 60, "interval": 100}, "interval, send_timeout"),
    ],
)
async def test_send_options_are_refused_where_the_gateway_cannot_take_them(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: GatewaySimulator,
    options: dict[str, Any],
    fields: str,
) -> None:
    before = len(sim.requests)
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, recipients=NUMBERS[:1], message="x", **options)
    assert raised.value.translation_key == "send_options_unsupported"
    assert str(raised.value) == (
        f"{init_integration.title} does not take {fields} with a send. "
        "Leave them out: the gateway then uses its own settings"
    )
    assert len(sim.requests) == before


async def test_send_options_and_failover_are_refused_together(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, recipients=NUMBERS[:1], message="x", failover=True, smsc=SMSC, send_timeout=60)
    assert raised.value.translation_key == "send_options_with_failover"
    assert str(raised.value).startswith("smsc, send_timeout cannot be combined with failover")
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_a_bad_smsc_or_range_is_refused_before_sending(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, recipients=NUMBERS[:1], message="x", smsc="SMS centre")
    assert raised.value.translation_key == "invalid_smsc"
    for options in ({"interval": 60_001}, {"interval": -1}, {"send_timeout": 0}, {"send_timeout": 601}):
        with pytest.raises(vol.Invalid):
            await send(hass, recipients=NUMBERS[:1], message="x", **options)
    assert sim.requests_to("/goip_post_sms.html") == []


# --- delivery reports per call, on every gateway ---------------------------------------------------------------


def speed_up(sim: GatewaySimulator) -> None:
    """Short send queues and delivery delays (tests should not wait for the production pace)."""
    if isinstance(sim, EjoinSimulator):
        sim.send_interval = sim.delivery_delay = 0.02
    elif isinstance(sim, DinstarSimulator):
        sim.send_interval = 0.02
        sim.delivery_delay = 0.02
    elif isinstance(sim, SynwaySimulator):
        sim.state.send_step = 0.02


def asked_for_a_report(sim: GatewaySimulator) -> bool:
    """Whether the gateway was asked for a delivery report, in its own words on the wire."""
    if isinstance(sim, EjoinSimulator):
        (task,) = sim.requests_to("/goip_post_sms.html")[-1].json()["tasks"]
        return bool(task.get("dr"))
    if isinstance(sim, DinstarSimulator):
        return bool(sim.requests_to("/api/send_sms")[-1].json()["request_status_report"])
    return any(b"querytxsmsrpt" in request.body for request in sim.requests_to("/API/QueryInfo"))


async def progress(hass: HomeAssistant, sim: GatewaySimulator, rounds: int = 4) -> None:
    """Let the gateway send and report, and Home Assistant poll (reports every 10 s, the poll-only inbox 20 s)."""
    offset = timedelta()
    for _ in range(rounds):
        await asyncio.sleep(0.1)
        if isinstance(sim, DinstarSimulator):
            await sim.control("flush", {})
        elif isinstance(sim, SynwaySimulator):
            await sim.control("complete_sends", {})
        await asyncio.sleep(0.1)
        offset += timedelta(seconds=21)
        async_fire_time_changed(hass, dt_util.utcnow() + offset)
        for _ in range(3):
            await asyncio.sleep(0.05)
            await hass.async_block_till_done(wait_background_tasks=True)


async def set_up(hass: HomeAssistant, entry: MockConfigEntry, sim: GatewaySimulator, *, reports_option: bool) -> None:
    """The gateway polled only (nothing depends on pushes), with the entry's delivery report option as given."""
    speed_up(sim)
    options: dict[str, Any] = {CONF_DELIVERY_REPORTS: reports_option}
    if isinstance(sim, EjoinSimulator):
        options[CONF_RECEIVE_MODE] = ReceiveMode.POLL_ONLY  # its delivery reports are read from the inbox
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
async def test_a_delivery_report_asked_for_by_the_call_fires(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: GatewaySimulator
) -> None:
    """The entry's option is off; the call asks: the gateway is asked, and the report fires with the send's task."""
    await set_up(hass, config_entry, sim, reports_option=False)
    delivered = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await send(hass, recipients=NUMBERS[:1], message="report back", delivery_report=True)
    await progress(hass, sim)
    assert asked_for_a_report(sim)
    (report,) = delivered
    assert (report.data["recipient"], report.data["delivered"]) == (NUMBERS[0], True)
    assert report.data["task_id"] == response["recipients"][0]["task_id"]


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
async def test_a_call_that_declines_the_report_gets_none(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: GatewaySimulator
) -> None:
    """The entry's option is on; the call says no: the gateway is not asked, and no report fires."""
    await set_up(hass, config_entry, sim, reports_option=True)
    captured: dict[str, list[Event]] = {
        kind: async_capture_events(hass, kind) for kind in (EVENT_DELIVERY_REPORT, EVENT_SMS_SENT)
    }
    await send(hass, recipients=NUMBERS[:1], message="no report", delivery_report=False)
    await progress(hass, sim)
    assert not asked_for_a_report(sim)
    assert captured[EVENT_DELIVERY_REPORT] == []
    if not isinstance(sim, EjoinSimulator):  # results are polled here: the send was followed, only the report not
        assert [event.data["recipient"] for event in captured[EVENT_SMS_SENT]] == NUMBERS[:1]
