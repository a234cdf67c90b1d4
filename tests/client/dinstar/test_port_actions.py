"""`set_port_info` / `get_port_info`: slots, reset, power, IMEI, number, block, PIN lock, call forwarding."""

from __future__ import annotations

import pytest

from custom_components.gsm_gateway.client.call_forwarding import CallForwardCondition
from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.dinstar.models import InfoType, PortAction
from custom_components.gsm_gateway.client.exceptions import (
    GatewayCommandError,
    GatewayRequestError,
    GatewayUnsupportedError,
)
from custom_components.gsm_gateway.client.models import SetResult, SimState
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.dinstar import DinstarSimulator

from .conftest import CannedServer, GatewayFactory, SimFactory, fixture_bytes, json_response


def _last_set(sim: DinstarSimulator) -> dict[str, str]:
    request = sim.requests_to("/api/set_port_info")[-1]
    assert request.method == "GET"
    return request.query


async def test_switch_slot(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(ports=2, slots=4)
    client = make_gateway(sim.url)
    await client.connect()
    await client.switch_slot(SlotRef(1, 4))
    assert _last_set(sim) == {"port": "0", "action": "slot", "param": "3"}
    assert sim.state.ports[0].active == 3
    with pytest.raises(GatewayRequestError, match="slot"):
        await client.switch_slot(SlotRef(1))
    with pytest.raises(GatewayRequestError, match="slot"):
        await client.switch_slot(SlotRef(1, 5))


async def test_switch_slot_single_sim(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    before = len(sim.requests)
    with pytest.raises(GatewayUnsupportedError):
        await gateway.switch_slot(SlotRef(1, 2))
    assert len(sim.requests) == before


async def test_reset_and_power(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await gateway.reset_module([2, 1, 2])
    assert [request.query for request in sim.requests_to("/api/set_port_info")] == [
        {"port": "0", "action": "reset"},
        {"port": "1", "action": "reset"},
    ]
    await gateway.set_module_power(3, on=False)
    assert _last_set(sim) == {"port": "2", "action": "power", "param": "off"}
    assert (await gateway.get_status()).ports[3].state is SimState.POWER_OFF
    await gateway.set_module_power(3, on=True)
    assert (await gateway.get_status()).ports[3].state is SimState.REGISTERED
    with pytest.raises(GatewayRequestError, match="ports 1-4"):
        await gateway.reset_module([5])


async def test_imei_and_number(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    assert await gateway.set_imei(SlotRef(2), " 358967042917201 ") == SetResult(confirmed=1, requested=1)
    assert _last_set(sim) == {"port": "1", "action": "imei", "param": "358967042917201"}
    assert sim.state.ports[1].imei == "358967042917201"
    for bad in ("12345", "35896704291720x", "3589670429172011"):
        with pytest.raises(GatewayRequestError, match="15 digits"):
            await gateway.set_imei(SlotRef(2), bad)
    assert await gateway.set_sim_number(SlotRef(1), "+4915112345678") == SetResult(confirmed=1, requested=1)
    assert _last_set(sim) == {"port": "0", "action": "number", "param": "+4915112345678"}
    assert sim.state.ports[0].card is not None
    assert sim.state.ports[0].card.number == "+4915112345678"


async def test_block_and_unblock(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await gateway.lock([SlotRef(1), SlotRef(3)])
    assert [port.blocked for port in sim.state.ports] == [True, False, True, False]
    await gateway.unlock([SlotRef(1)])
    assert _last_set(sim) == {"port": "0", "action": "unblock"}
    assert [port.blocked for port in sim.state.ports] == [False, False, True, False]


async def test_call_forwarding(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await gateway.call_forwarding.set(SlotRef(2), CallForwardCondition.UNCONDITIONAL, "15013828917")
    assert _last_set(sim) == {"port": "1", "action": "CallForward", "param": "Unconditional", "number": "15013828917"}
    [before_check] = await gateway.call_forwarding.get([SlotRef(2)])
    assert before_check.rules == {}  # nothing read back from the network yet
    await gateway.call_forwarding.check(SlotRef(2))
    assert _last_set(sim) == {"port": "1", "action": "CheckCallForward"}
    [after_check] = await gateway.call_forwarding.get([SlotRef(2)])
    assert (after_check.port_label, after_check.rules) == ("2A", {"Unconditional": "15013828917"})
    assert sim.requests_to("/api/get_port_info")[-1].query == {"port": "1", "info_type": "CallForward"}
    await gateway.call_forwarding.set(SlotRef(2), CallForwardCondition.CANCEL_ALL)
    assert _last_set(sim) == {"port": "1", "action": "CallForward", "param": "CancelAll"}
    with pytest.raises(GatewayRequestError, match="needs a number"):
        await gateway.call_forwarding.set(SlotRef(2), CallForwardCondition.BUSY)


async def test_call_forwarding_alt_field_name(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"alt-field-names"})
    client = make_gateway(sim.url)
    await client.connect()
    await client.call_forwarding.set(SlotRef(1), CallForwardCondition.NO_REPLY, "+491")
    await client.call_forwarding.check(SlotRef(1))
    forwards = await client.call_forwarding.get()
    assert forwards[0].rules == {"NoReply": "+491"}
    assert [forward.rules for forward in forwards[1:]] == [{}, {}, {}]
    [info] = await client.get_port_info([InfoType.REMAIN_DAILY_CALLTIME, InfoType.REMAIN_DAILY_CONNECT], [SlotRef(1)])
    assert (info.remain_daily_call_time, info.remain_daily_connect) == ("100", "100")


@pytest.mark.parametrize("variant", [None, "alt-field-names", "example-field-names"])
async def test_remaining_counters_in_every_spelling(
    dinstar_sim: SimFactory, make_gateway: GatewayFactory, variant: str | None
) -> None:
    sim = await dinstar_sim(variants={variant} if variant else set())
    client = make_gateway(sim.url)
    counters = (InfoType.REMAIN_DAILY_CALLTIME, InfoType.REMAIN_HOURLY_CALLTIME, InfoType.REMAIN_DAILY_CONNECT)
    [info] = await client.get_port_info(counters, [SlotRef(1)])
    # The client asks with the spec's request table names, and reads whichever spelling comes back.
    assert sim.requests_to("/api/get_port_info")[-1].query["info_type"] == (
        "remain_daily_calltime,remain_hourly_calltime,remain_daily_connect"
    )
    assert (info.remain_daily_call_time, info.remain_hourly_call_time, info.remain_daily_connect) == (
        "100",
        "10",
        "100",
    )


async def test_get_port_info_every_type(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    infos = await gateway.get_port_info(ports=[SlotRef(2)])
    query = sim.requests_to("/api/get_port_info")[-1].query
    assert query["port"] == "1"
    assert query["info_type"].split(",") == [item.value for item in InfoType]
    [info] = infos
    wire = sim.state.ports[1]
    assert wire.card is not None
    assert (info.wire_port, info.ref, info.port_label, info.wire_slot, info.multi_sim) == (
        1,
        SlotRef(2, 1),
        "2A",
        255,
        False,
    )
    assert (info.imei, info.imsi, info.iccid, info.number, info.smsc) == (
        wire.imei,
        wire.card.imsi,
        wire.card.iccid,
        wire.card.number,
        "+491770610000",
    )
    assert (info.reg, info.call_state, info.signal, info.gprs) == ("REGISTER_OK", "Idle", wire.signal, "detached")
    assert (info.remain_credit, info.remain_monthly_credit, info.remain_daily_credit) == (
        f"{wire.card.balance:.2f}",
        "500.00",
        "300.00",
    )
    assert (info.remain_daily_call_time, info.remain_hourly_call_time, info.remain_daily_connect) == (
        "100",
        "10",
        "100",
    )
    assert info.call_forward == {}
    assert info.module_type == "GSM"
    assert info.extra == {}


async def test_set_port_info_as_is(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await gateway.set_port_info(4, PortAction.POWER, "off")
    assert _last_set(sim) == {"port": "3", "action": "power", "param": "off"}
    with pytest.raises(GatewayCommandError) as error:
        await gateway.set_port_info(SlotRef(1), PortAction.POWER, "sideways")
    assert error.value.code == 400
    assert error.value.reason == "request format is not valid"


async def test_spec_port_info_payload(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_port_info", json_response(fixture_bytes("get_port_info_response.txt")))
    client = make_gateway(canned.url)
    device = await client.connect()
    assert (device.serial, device.port_count, device.slot_count, device.model) == (
        "xxxx-xxxx-xxxx-xxxx",
        4,
        1,
        "4-port GSM",
    )
    status = await client.get_status()
    assert sorted(status.ports) == [2, 3, 4]
    no_sim, registered = status.ports[2].slots[1], status.ports[3].slots[1]
    assert (no_sim.state, no_sim.iccid, no_sim.network_type, no_sim.balance) == (SimState.NO_SIM, None, "WCDMA", 1000.0)
    assert (registered.state, registered.imsi, registered.signal_dbm) == (SimState.REGISTERED, "460016529802215", -113)
    assert registered.extra["remain_daily_call_time"] == "100"
    assert registered.extra["remain_daily_connect"] == "100"


async def test_spec_call_forward_and_set_payloads(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_port_info", json_response(fixture_bytes("call_forward_response.txt")))
    canned.answer("/api/set_port_info", json_response(fixture_bytes("set_port_info_response.json")))
    client = make_gateway(canned.url)
    await client.call_forwarding.set(SlotRef(9), CallForwardCondition.UNCONDITIONAL, "15013828917")
    assert canned.requests[-1][2] == {
        "port": "8",
        "action": "CallForward",
        "param": "Unconditional",
        "number": "15013828917",
    }
    [forward] = await client.call_forwarding.get([SlotRef(9)])
    assert (forward.port_label, forward.rules) == ("9A", {"Unconditional": "15013828917"})
