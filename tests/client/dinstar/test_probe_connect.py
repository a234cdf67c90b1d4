"""Probe (read-only detection), connect and the status poll."""

from __future__ import annotations

from datetime import UTC
import importlib.util

from aiohttp import ClientSession
import pytest

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.dinstar.status import BASE_CAPABILITIES
from custom_components.gsm_gateway.client.exceptions import GatewayConnectionError, GatewayResponseError
from custom_components.gsm_gateway.client.gateway import ProbeOutcome
from custom_components.gsm_gateway.client.models import Capability, SimState, Vendor
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.dinstar import DinstarSimulator

from .conftest import CannedServer, GatewayFactory, SimFactory, fixture_bytes, json_response

DIGEST = {"WWW-Authenticate": 'Digest realm="Web Server", qop="auth", nonce="n0nce"'}


# --- probe ------------------------------------------------------------------------------------------------------


async def test_probe_matches_simulator(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    assert await make_gateway(sim.url).probe() is ProbeOutcome.MATCH
    assert [(r.method, r.path) for r in sim.requests] == [("GET", "/api/get_port_info")] * 2
    assert [attempt.outcome for attempt in sim.auth.attempts] == ["missing", "ok"]


async def test_probe_then_connect_reuses_the_challenge(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    client = make_gateway(sim.url)
    await client.probe()
    await client.connect()
    assert [attempt.outcome for attempt in sim.auth.attempts] == ["missing", "ok", "ok"]


async def test_probe_wrong_password(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    assert await make_gateway(sim.url, password="bad").probe() is ProbeOutcome.AUTH_FAILED
    assert [attempt.outcome for attempt in sim.auth.attempts] == ["missing", "bad"]


@pytest.mark.parametrize(
    ("responses", "requests"),
    [
        ([(404, {}, b"Not Found")], 1),
        ([(200, {"Content-Type": "text/html"}, b"<html><body>login</body></html>")], 1),
        ([json_response('{"code":0,"reason":"OK"}')], 1),  # another dialect's JSON
        ([(401, {}, b"")], 1),  # no challenge at all
        ([(401, {"WWW-Authenticate": 'Bearer realm="x"'}, b"")], 1),
        ([(401, DIGEST, b""), (404, {}, b"")], 2),
        ([(401, DIGEST, b""), json_response('{"result":"ok"}')], 2),
        ([(401, {"WWW-Authenticate": 'Digest realm="Other", nonce="n"'}, b""), (403, {}, b"")], 2),
        ([(401, DIGEST, b""), (500, {}, b"")], 2),
    ],
)
async def test_probe_no_match(
    canned: CannedServer,
    make_gateway: GatewayFactory,
    responses: list[tuple[int, dict[str, str], bytes]],
    requests: int,
) -> None:
    canned.answer("/api/get_port_info", *responses)
    assert await make_gateway(canned.url).probe() is ProbeOutcome.NO_MATCH
    assert len(canned.requests) == requests
    assert all(method == "GET" for method, *_ in canned.requests)


async def test_probe_match_when_logged_in_firmware_wants_post(
    canned: CannedServer, make_gateway: GatewayFactory
) -> None:
    canned.answer("/api/get_port_info", (401, DIGEST, b""), (403, {}, b"Forbidden"))
    assert await make_gateway(canned.url).probe() is ProbeOutcome.MATCH


async def test_probe_match_without_login(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_port_info", json_response(fixture_bytes("get_port_info_response.txt")))
    assert await make_gateway(canned.url).probe() is ProbeOutcome.MATCH
    assert len(canned.requests) == 1


async def test_probe_unreachable(session: ClientSession, make_gateway: GatewayFactory) -> None:
    with pytest.raises(GatewayConnectionError):
        await make_gateway("http://127.0.0.1:9", timeout=1.0).probe()


async def test_other_dialects_probes_get_a_plain_404(sim: DinstarSimulator, session: ClientSession) -> None:
    async with session.get(f"{sim.url}/goip_get_sms.html", params={"username": "root", "password": "root"}) as resp:
        assert resp.status == 404
        assert "WWW-Authenticate" not in resp.headers
    async with session.post(f"{sim.url}/API/QueryInfo", json={"event": "getportinfo"}) as resp:
        assert resp.status == 404
    assert sim.auth.attempts == []


async def test_auth_everywhere_variant_challenges_unknown_paths(
    dinstar_sim: SimFactory, session: ClientSession
) -> None:
    sim = await dinstar_sim(variants={"auth-everywhere"})
    async with session.get(f"{sim.url}/goip_get_sms.html", params={"username": "root", "password": "root"}) as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith('Digest realm="Web Server"')


@pytest.mark.skipif(
    importlib.util.find_spec("custom_components.gsm_gateway.client.ejoin.gateway") is None
    or importlib.util.find_spec("custom_components.gsm_gateway.client.synway.gateway") is None,
    reason="the other dialects are not in the tree yet",
)
async def test_detector_finds_dinstar(sim: DinstarSimulator, session: ClientSession) -> None:
    from custom_components.gsm_gateway.client.detect import detect_gateway

    from .conftest import settings_for

    gateway = await detect_gateway(session, settings_for(sim.url))
    assert isinstance(gateway, DinstarGateway)
    assert gateway.device.serial == sim.serial
    assert [attempt.outcome for attempt in sim.auth.attempts].count("bad") == 0


# --- connect ------------------------------------------------------------------------------------------------------


async def test_connect_single_sim(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    client = make_gateway(sim.url)
    assert client.capabilities == BASE_CAPABILITIES
    device = await client.connect()
    assert device.vendor is Vendor.DINSTAR
    assert device.serial == sim.serial
    assert device.unique_id == f"dinstar-{sim.serial}"
    assert (device.port_count, device.slot_count) == (4, 1)
    assert device.model == "4-port GSM"
    assert client.device is device
    assert Capability.SIM_SLOTS not in client.capabilities
    assert Capability.SWITCH_SLOT not in client.capabilities
    assert Capability.PUSH_TARGET_API not in client.capabilities
    assert {Capability.SET_IMEI, Capability.STK, Capability.CDR, Capability.USSD} <= client.capabilities
    [request] = sim.requests_to("/api/get_port_info")[-1:]
    assert request.query == {"info_type": "type,slot,imei"}


async def test_connect_multi_sim(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(ports=8, slots=4)
    for port in sim.state.ports:
        port.module_type = "LTE"
    client = make_gateway(sim.url)
    device = await client.connect()
    assert (device.port_count, device.slot_count) == (8, 4)
    assert device.model == "8-port LTE, 4 SIMs per port"
    assert {Capability.SIM_SLOTS, Capability.SWITCH_SLOT} <= client.capabilities


async def test_simulator_caps_ports_at_32(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(ports=40)
    device = await make_gateway(sim.url).connect()
    assert device.port_count == 32


async def test_connect_without_serial_or_ports(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_port_info", json_response('{"error_code":200,"info":[{"port":0}]}'))
    with pytest.raises(GatewayResponseError, match="serial number"):
        await make_gateway(canned.url).connect()
    canned.answer("/api/get_port_info", json_response('{"error_code":200,"sn":"x","info":[]}'))
    with pytest.raises(GatewayResponseError, match="no ports"):
        await make_gateway(canned.url).connect()


async def test_connect_without_imeis_has_no_set_imei(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer(
        "/api/get_port_info", json_response('{"sn":"a-b","info":[{"port":0,"type":"GSM","slot":255,"imei":""}]}')
    )
    client = make_gateway(canned.url)
    await client.connect()
    assert Capability.SET_IMEI not in client.capabilities


# --- status -------------------------------------------------------------------------------------------------------


async def test_status_in_one_request(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    before = len(sim.requests)
    status = await gateway.get_status()
    assert len(sim.requests) == before + 1
    assert (
        sim.requests[-1].query["info_type"]
        == "type,imei,imsi,iccid,number,reg,slot,callstate,signal,gprs,remain_credit"
    )
    assert sorted(status.ports) == [1, 2, 3, 4]
    port = status.ports[1]
    wire = sim.state.ports[0]
    slot = port.slots[1]
    assert port.active_slot == 1
    assert port.state is SimState.REGISTERED
    assert slot.label == "1A"
    assert slot.raw_label == "0.255"
    assert slot.state is SimState.REGISTERED
    assert slot.status_text == "REGISTER_OK"
    assert slot.signal == wire.signal
    assert slot.signal_dbm == -113 + 2 * wire.signal
    assert wire.card is not None
    assert slot.balance == pytest.approx(wire.card.balance)
    assert (slot.imei, slot.imsi, slot.iccid, slot.sim_number) == (
        wire.imei,
        wire.card.imsi,
        wire.card.iccid,
        wire.card.number,
    )
    assert slot.network_type == "GSM"
    assert slot.extra["gprs"] == "detached"


async def test_status_states(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await sim.control("remove_sim", {"port": 2})
    await sim.control("set_reg", {"port": 3, "reg": "SEARCHING_NETWORK"})
    await gateway.set_module_power(4, on=False)
    sim.state.ports[0].call_state = "Active"
    status = await gateway.get_status()
    assert status.ports[1].slots[1].state is SimState.IN_CALL
    assert status.ports[1].slots[1].status_text == "REGISTER_OK (Active)"
    assert status.ports[2].slots[1].state is SimState.NO_SIM
    assert status.ports[3].slots[1].state is SimState.REGISTERING
    assert status.ports[4].slots[1].state is SimState.POWER_OFF
    assert status.ports[4].slots[1].signal_dbm == -113  # the device reports 0 when not registered


@pytest.mark.parametrize("variant", ["reg-registered", "reg-mobile-registered", "string-numbers", "no-error-code"])
async def test_status_variants(dinstar_sim: SimFactory, make_gateway: GatewayFactory, variant: str) -> None:
    sim = await dinstar_sim(variants={variant})
    client = make_gateway(sim.url)
    await client.connect()
    status = await client.get_status()
    assert all(port.state is SimState.REGISTERED for port in status.ports.values())
    assert status.ports[2].slots[1].signal == sim.state.ports[1].signal


async def test_multi_sim_status(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(ports=2, slots=4)
    client = make_gateway(sim.url)
    await client.connect()
    await client.switch_slot(SlotRef(2, 3))
    status = await client.get_status()
    port = status.ports[2]
    assert port.active_slot == 3
    assert sorted(port.slots) == [1, 2, 3, 4]
    assert port.slots[3].active
    assert port.slots[3].raw_label == "1.2"
    assert port.slots[3].iccid == sim.state.ports[1].slots[2].card.iccid  # type: ignore[union-attr]
    inactive = port.slots[1]
    assert (inactive.active, inactive.state, inactive.label) == (False, SimState.UNKNOWN, "2A")
    assert status.ports[1].active_slot == 1


async def test_status_refreshes_device(gateway: DinstarGateway) -> None:
    status = await gateway.get_status()
    assert status.device is gateway.device
    assert status.device.port_count == 4


async def test_status_before_connect_uses_answer_serial(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    client = make_gateway(sim.url, time_zone=UTC)
    status = await client.get_status()
    assert status.device.serial == sim.serial
