"""Probe, connect, port numbering, status and errors against the simulator (and a few hand-made devices)."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from custom_components.gsm_gateway.client.events import PushRequest
from custom_components.gsm_gateway.client.exceptions import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayPushError,
    GatewayResponseError,
    GatewayTimeoutError,
)
from custom_components.gsm_gateway.client.gateway import ProbeOutcome
from custom_components.gsm_gateway.client.models import Capability, SimState
from custom_components.gsm_gateway.client.synway import SynwayGateway
from simulator.synway import SynwaySimulator

from .conftest import GatewayFactory, ReplayDevice, ReplayGatewayFactory, SynwayFactory, settings_for

# --- probe ---------------------------------------------------------------------------------------------------


async def test_probe_matches_with_one_authenticated_getportinfo(
    sim: SynwaySimulator, gateway_for: GatewayFactory
) -> None:
    gateway = await gateway_for(sim, connect=False)
    assert await gateway.probe() is ProbeOutcome.MATCH
    (request,) = sim.requests
    assert (request.method, request.path, request.json()) == ("POST", "/API/QueryInfo", {"event": "getportinfo"})


async def test_probe_with_wrong_password_is_auth_failed(sim: SynwaySimulator, gateway_for: GatewayFactory) -> None:
    gateway = await gateway_for(sim, connect=False, password="wrong")
    assert await gateway.probe() is ProbeOutcome.AUTH_FAILED
    assert len(sim.requests) == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, b"not found"),
        (200, b"<html><body>login</body></html>"),
        (200, b'{"code":200,"reason":"OK"}'),
        (200, b"[1,2]"),
        (500, b'{"result":"ok","content":""}'),
    ],
)
async def test_probe_of_other_devices_is_no_match(
    replay: ReplayDevice, gateway_for: GatewayFactory, status: int, body: bytes
) -> None:
    replay.answer("getportinfo", body, status=status)
    gateway = await gateway_for(replay.url, connect=False)
    assert await gateway.probe() is ProbeOutcome.NO_MATCH


async def test_probe_of_unreachable_host_raises_connection_error(session: aiohttp.ClientSession) -> None:
    gateway = SynwayGateway(session, settings_for("http://127.0.0.1:1"))
    with pytest.raises(GatewayConnectionError):
        await gateway.probe()


# --- connect and numbering -----------------------------------------------------------------------------------


async def test_connect_on_simulator(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    assert gateway.device.port_count == 4
    assert gateway.port_numbering.base == 1
    assert [r.json()["event"] for r in sim.requests] == ["getportinfo", "getwirelessinfo", "getwirelessinfo"]
    assert [r.json().get("type") for r in sim.requests[1:]] == ["IMEI", "porttype"]
    assert gateway.device.serial is not None
    for port in sim.state.ports.values():
        assert port.imei not in gateway.device.unique_id


async def test_connect_detects_zero_based_numbering(synway_factory: SynwayFactory, gateway_for: GatewayFactory) -> None:
    sim = await synway_factory(variants={"zero-based"})
    gateway = await gateway_for(sim)
    assert gateway.port_numbering.base == 0
    assert (await gateway.get_status()).ports[4].slots[1].imei == sim.state.ports[4].imei


@pytest.mark.parametrize("variants", [{"imei-unavailable"}, {"imei-unavailable", "zero-based"}])
async def test_numbering_from_iccid_when_imei_is_refused(
    synway_factory: SynwayFactory, gateway_for: GatewayFactory, variants: set[str]
) -> None:
    sim = await synway_factory(variants=variants)
    gateway = await gateway_for(sim)
    assert gateway.port_numbering.base == (0 if "zero-based" in variants else 1)
    assert gateway.port_numbering.detected


async def test_undecidable_numbering_assumes_one_based_and_says_so(
    replay: ReplayDevice, gateway_for: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    replay.answer("getportinfo", b'{"result":"ok","content":"total:4;portstate:0,0,0,0"}')
    replay.answer("getwirelessinfo:IMEI", b'{"result":"ok","content":"2:861234567890121.3:861234567890139."}')
    replay.answer("getwirelessinfo:ICCID", b'{"result":"ok","content":"2:8986.3:8987."}')
    with caplog.at_level(logging.WARNING):
        gateway = await gateway_for(replay.url)
    assert (gateway.port_numbering.base, gateway.port_numbering.detected) == (1, False)
    assert "could not be detected" in caplog.text


async def test_serial_falls_back_to_host_when_no_module_has_an_imei(
    replay: ReplayDevice, gateway_for: GatewayFactory
) -> None:
    replay.answer("getportinfo", b'{"result":"ok","content":"total:2;portstate:0,0"}')
    replay.answer("getwirelessinfo:IMEI", b'{"result":"ok","content":"1:(-1).2:(-1)."}')
    gateway = await gateway_for(replay.url)
    other = await gateway_for(replay.url)
    assert gateway.device.serial == other.device.serial
    assert gateway.device.unique_id.startswith("synway-")


async def test_connect_refuses_a_device_without_ports(replay: ReplayDevice, gateway_for: GatewayFactory) -> None:
    replay.answer("getportinfo", b'{"result":"ok","content":"total:0;portstate:"}')
    with pytest.raises(GatewayResponseError, match="no ports"):
        await gateway_for(replay.url)


async def test_methods_before_connect_say_so(sim: SynwaySimulator, gateway_for: GatewayFactory) -> None:
    gateway = await gateway_for(sim, connect=False)
    with pytest.raises(RuntimeError, match="connect"):
        _ = gateway.port_numbering


def test_inbox_overlap_must_be_a_second_or_more(session: aiohttp.ClientSession) -> None:
    from datetime import timedelta

    with pytest.raises(ValueError, match="at least one second"):
        SynwayGateway(session, settings_for("http://127.0.0.1:1"), inbox_overlap=timedelta(0))


# --- status -------------------------------------------------------------------------------------------------


async def test_status_of_a_healthy_gateway(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    status = await gateway.get_status()
    assert sorted(status.ports) == [1, 2, 3, 4]
    slot = status.ports[3].active
    assert slot is not None
    sim_card = sim.state.ports[3].sim
    assert sim_card is not None
    assert (slot.label, slot.state, slot.status_code) == ("3A", SimState.REGISTERED, 1)
    assert (slot.iccid, slot.imsi, slot.sim_number) == (sim_card.iccid, sim_card.imsi, sim_card.number)
    assert slot.imei == sim.state.ports[3].imei
    assert (slot.network_type, slot.call_state) == ("WCDMA", "Idle")
    assert slot.extra == {"port_state": 0, "connect_state": 1}
    assert status.ports[3].state is SimState.REGISTERED


@pytest.mark.parametrize(
    ("connect_state", "port_state", "expected"),
    [
        (1, 3, SimState.IN_CALL),
        (5, 0, SimState.REGISTERED),
        (2, 0, SimState.REGISTERING),
        (3, 0, SimState.REGISTRATION_FAILED),
        (0, 0, SimState.REGISTRATION_FAILED),
        (0, 11, SimState.POWER_OFF),
        (4, 0, SimState.UNKNOWN),
        (9, 0, SimState.UNKNOWN),
    ],
)
async def test_state_mapping(
    sim: SynwaySimulator, gateway: SynwayGateway, connect_state: int, port_state: int, expected: SimState
) -> None:
    await sim.control("set_port", {"port": 2, "connect_state": connect_state, "port_state": port_state})
    status = await gateway.get_status()
    assert status.ports[2].state is expected


async def test_removed_sim_is_no_sim(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await sim.control("remove_sim", {"port": 1})
    status = await gateway.get_status()
    slot = status.ports[1].active
    assert slot is not None
    assert (slot.state, slot.iccid, slot.status_text) == (SimState.NO_SIM, None, "Unconnected, Unavailable")


async def test_identities_are_cached_until_a_state_changes(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    await gateway.get_status()
    before = len(sim.requests)
    await gateway.get_status()
    assert [r.json()["event"] for r in sim.requests[before:]] == ["getportinfo", "getportconnectstate"]
    await sim.control("remove_sim", {"port": 2})
    await sim.control("insert_sim", {"port": 2})
    await sim.control("set_port", {"port": 2, "connect_state": 2})
    before = len(sim.requests)
    status = await gateway.get_status()
    assert len(sim.requests) - before == 5
    new_sim = sim.state.ports[2].sim
    assert new_sim is not None
    assert status.ports[2].slots[1].iccid == new_sim.iccid


async def test_identities_are_read_again_when_old(sim: SynwaySimulator, gateway_for: GatewayFactory) -> None:
    gateway = await gateway_for(sim, identity_max_age=0.0)
    await gateway.get_status()
    before = len(sim.requests)
    await gateway.get_status()
    assert len(sim.requests) - before == 5


@pytest.mark.parametrize(
    "variants",
    [{"porttype-per-port"}, {"ok-casing", "extra-terminators", "spaced"}, {"zero-based", "unknown-sim-numbers"}],
)
async def test_status_under_firmware_variants(
    synway_factory: SynwayFactory, gateway_for: GatewayFactory, variants: set[str]
) -> None:
    sim = await synway_factory(variants=variants)
    await sim.control("set_port", {"port": 4, "port_type": "LTE"})
    gateway = await gateway_for(sim)
    status = await gateway.get_status()
    slot = status.ports[4].slots[1]
    assert slot.state is SimState.REGISTERED
    assert slot.network_type == ("LTE" if "porttype-per-port" in variants else "WCDMA")
    assert (slot.sim_number is None) == ("unknown-sim-numbers" in variants)
    assert slot.iccid == sim.state.ports[4].sims[1].iccid  # type: ignore[union-attr]


async def test_port_count_follows_the_device(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    sim.state.ports.pop(4)
    status = await gateway.get_status()
    assert status.device.port_count == 3
    assert gateway.device.port_count == 3


# --- errors -------------------------------------------------------------------------------------------------


async def test_wrong_credentials_raise_auth_error(sim: SynwaySimulator, gateway: SynwayGateway) -> None:
    sim.faults.wrong_credentials = True
    with pytest.raises(GatewayAuthError, match="getportinfo: the gateway refused"):
        await gateway.get_status()


async def test_username_with_colon_is_refused_locally(session: aiohttp.ClientSession, sim: SynwaySimulator) -> None:
    settings = settings_for(sim.url)
    from dataclasses import replace

    gateway = SynwayGateway(session, replace(settings, username="a:b"))
    with pytest.raises(GatewayAuthError, match="cannot contain"):
        await gateway.connect()
    assert sim.requests == []


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ("html", GatewayResponseError, "not JSON"),
        ("bad_json", GatewayResponseError, "not JSON"),
        ("truncate", GatewayResponseError, "not JSON"),
        ("500", GatewayResponseError, "HTTP 500"),
        ("reset", GatewayConnectionError, "cannot talk"),
    ],
)
async def test_faults_become_typed_errors(
    sim: SynwaySimulator, gateway: SynwayGateway, fault: str, error: type[Exception], message: str
) -> None:
    sim.inject(fault)
    with pytest.raises(error, match=message):
        await gateway.get_status()
    status = await gateway.get_status()  # the next poll works again
    assert len(status.ports) == 4


async def test_timeout_becomes_timeout_error(
    sim: SynwaySimulator, gateway_for: GatewayFactory, session: aiohttp.ClientSession
) -> None:
    from dataclasses import replace

    connected = await gateway_for(sim)
    gateway = SynwayGateway(session, replace(connected.settings, timeout=0.2))
    sim.faults.hang_seconds = 1.0
    sim.inject("timeout")
    with pytest.raises(GatewayTimeoutError):
        await gateway.probe()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"content":"x"}', "has no result"),
        (b'{"result":"maybe","content":"x"}', "unknown result"),
        (b'{"result":"ok","content":{"a":1}}', "content is dict"),
        (b'{"result":"ok","content":true}', "content is bool"),
        (b'"ok"', "not an object"),
    ],
)
async def test_unreadable_answers_are_response_errors(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory, body: bytes, message: str
) -> None:
    gateway = await replay_gateway()
    replay.answer("querytxsmsrpt", body)
    with pytest.raises(GatewayResponseError, match=message):
        await gateway.query_delivery_receipt(1, "10086")


async def test_numeric_content_is_read_as_text(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("querytxsmsrpt", b'{"result":"OK","content":0}')
    receipt = await gateway.query_delivery_receipt(1, "10086")
    assert (receipt.delivered, receipt.text) == (False, "0")


async def test_error_without_reason(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway()
    replay.answer("querytxsmsrpt", b'{"result":"Error"}')
    with pytest.raises(GatewayCommandError, match="no reason given"):
        await gateway.query_delivery_receipt(1, "10086")


# --- push and capabilities ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b'{"type":"recv-sms"}', b"\xff\x00"])
def test_parse_push_always_refuses(session: aiohttp.ClientSession, body: bytes) -> None:
    gateway = SynwayGateway(session, settings_for("http://127.0.0.1:1"))
    with pytest.raises(GatewayPushError, match=r"^Synway gateways do not push$"):
        gateway.parse_push(PushRequest(body=body, content_type="application/json"))


def test_capabilities_have_polling_and_no_push(session: aiohttp.ClientSession) -> None:
    gateway = SynwayGateway(session, settings_for("http://127.0.0.1:1"))
    assert gateway.capabilities == {
        Capability.INBOX_POLL,
        Capability.INBOX_DELETE,
        Capability.SEND_REPORTS,
        Capability.DELIVERY_REPORTS,
        Capability.REPORT_POLL,
        Capability.USSD,
    }
    assert Capability.SMS_PUSH not in gateway.capabilities
    assert Capability.STATUS_PUSH not in gateway.capabilities


# --- vendor detection (the EJOIN and Dinstar probes run first) -----------------------------------------------


async def test_detection_finds_synway_after_the_other_probes(
    sim: SynwaySimulator, session: aiohttp.ClientSession
) -> None:
    from custom_components.gsm_gateway.client.detect import detect_gateway

    gateway = await detect_gateway(session, settings_for(sim.url))
    assert isinstance(gateway, SynwayGateway)
    assert gateway.device.port_count == 4
    foreign = [request for request in sim.requests if not request.path.startswith("/API/")]
    assert foreign  # the other dialects asked first ...
    assert all(request.fault is None for request in foreign)  # ... and got plain 404s, not faults
    assert len([r for r in sim.requests if r.path == "/API/QueryInfo" and r.json() == {"event": "getportinfo"}]) == 2


async def test_detection_reports_a_refused_login(sim: SynwaySimulator, session: aiohttp.ClientSession) -> None:
    from custom_components.gsm_gateway.client.detect import detect_gateway

    with pytest.raises(GatewayAuthError, match="refused the username or password"):
        await detect_gateway(session, settings_for(sim.url, password="wrong"))
    assert len(sim.requests_to("/API/QueryInfo")) == 1  # one refused login in total
