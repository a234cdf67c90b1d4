"""Probe, connect, status and error mapping against the simulator."""

from __future__ import annotations

import aiohttp
from aiohttp import web
import pytest

from custom_components.gsm_gateway.client.detect import create_gateway, detect_gateway
from custom_components.gsm_gateway.client.ejoin import EjoinGateway
from custom_components.gsm_gateway.client.exceptions import (
    GatewayAuthError,
    GatewayConnectionError,
    GatewayResponseError,
    GatewayTimeoutError,
    GatewayUnsupportedError,
)
from custom_components.gsm_gateway.client.gateway import ProbeOutcome
from custom_components.gsm_gateway.client.models import Capability, ConnectionSettings, SimState, Vendor
from simulator.ejoin import EjoinSimulator

from .conftest import settings_for


async def test_probe_matches_with_one_read_only_request(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    sim.deliver_sms(1, None, "+4915", "keep me")
    client = EjoinGateway(session, settings_for(sim))
    assert await client.probe() is ProbeOutcome.MATCH
    (request,) = sim.requests
    assert request.path == "/goip_get_sms.html"
    assert {key: request.query[key] for key in ("sms_id", "sms_num")} == {"sms_id": "1", "sms_num": "1"}
    assert "sms_del" not in request.query
    assert len(sim.inbox) == 1
    assert sim.status_url is None


@pytest.mark.parametrize("variant", [None, "login_code1"])
async def test_probe_reports_refused_credentials(
    sim: EjoinSimulator, session: aiohttp.ClientSession, variant: str | None
) -> None:
    if variant:
        sim.variants.add(variant)
    client = EjoinGateway(session, settings_for(sim, password="wrong"))
    assert await client.probe() is ProbeOutcome.AUTH_FAILED
    assert len(sim.requests) == 1


async def test_probe_says_no_match_for_other_devices(session: aiohttp.ClientSession, aiohttp_server: object) -> None:
    async def challenge(_request: web.Request) -> web.Response:
        return web.Response(status=401, headers={"WWW-Authenticate": 'Digest realm="Web Server"'})

    async def html(_request: web.Request) -> web.Response:
        return web.Response(text="<html>login</html>", content_type="text/html")

    async def other_json(_request: web.Request) -> web.Response:
        return web.json_response({"error_code": 200})

    for handler in (challenge, html, other_json):
        app = web.Application()
        app.router.add_get("/goip_get_sms.html", handler)
        server = await aiohttp_server(app)  # type: ignore[operator]
        settings = ConnectionSettings(host="127.0.0.1", port=server.port, username="u", password="p")
        assert await EjoinGateway(session, settings).probe() is ProbeOutcome.NO_MATCH
    app = web.Application()
    server = await aiohttp_server(app)  # type: ignore[operator]
    settings = ConnectionSettings(host="127.0.0.1", port=server.port, username="u", password="p")
    assert await EjoinGateway(session, settings).probe() is ProbeOutcome.NO_MATCH  # 404


async def test_probe_raises_when_the_host_is_unreachable(session: aiohttp.ClientSession) -> None:
    settings = ConnectionSettings(host="127.0.0.1", port=1, username="u", password="p", timeout=2)
    with pytest.raises(GatewayConnectionError):
        await EjoinGateway(session, settings).probe()


async def test_detect_gateway_finds_the_ejoin_dialect(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    client = await detect_gateway(session, settings_for(sim))
    assert isinstance(client, EjoinGateway)
    assert client.device.vendor is Vendor.EJOIN
    assert client.device.port_count == 4


async def test_connect_reads_the_device_without_touching_the_push_target(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.status_url = "http://elsewhere/status"
    client = create_gateway(Vendor.EJOIN, session, settings_for(sim))
    device = await client.connect()
    assert device.mac == sim.mac.replace("-", ":")
    assert (device.port_count, device.slot_count, device.firmware) == (4, 2, sim.firmware)
    assert device.unique_id == device.mac
    status_calls = sim.requests_to("/goip_get_status.html")
    assert [call.query.get("all_sims") for call in status_calls] == ["1"]
    assert all("url" not in call.query and "period" not in call.query for call in status_calls)
    assert sim.status_url == "http://elsewhere/status"


async def test_capabilities_follow_what_connect_found(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    client = EjoinGateway(session, settings_for(sim))
    assert Capability.SWITCH_SLOT not in client.capabilities  # unknown before connect
    await client.connect()
    capabilities = client.capabilities
    assert {Capability.PROXY, Capability.IP_LISTS, Capability.ESIM, Capability.SWITCH_SLOT} <= capabilities
    assert {Capability.USSD, Capability.SET_IMEI, Capability.PUSH_TARGET_API, Capability.SMS_TASKS} <= capabilities
    proxy_probe = sim.requests_to("/proxy")[0]
    assert (proxy_probe.method, proxy_probe.query["mode"], proxy_probe.query["state"]) == ("GET", "http", "1")
    assert "op" not in proxy_probe.query


async def test_capabilities_of_an_older_single_slot_box(
    simulator_factory: object, session: aiohttp.ClientSession
) -> None:
    sim = await simulator_factory("ejoin", ports=2, slots=1)  # type: ignore[operator]
    sim.variants |= {"no_v22", "no_esim"}
    client = EjoinGateway(session, settings_for(sim))
    await client.connect()
    assert not {Capability.PROXY, Capability.IP_LISTS, Capability.ESIM, Capability.SWITCH_SLOT} & client.capabilities


async def test_feature_detection_can_be_skipped(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    client = EjoinGateway(session, settings_for(sim), detect_features=False)
    await client.connect()
    assert [request.path for request in sim.requests] == ["/goip_get_status.html"]
    assert Capability.PROXY not in client.capabilities


async def test_feature_detection_treats_a_hanging_endpoint_as_absent(
    sim: EjoinSimulator, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import custom_components.gsm_gateway.client.ejoin.gateway as module

    monkeypatch.setattr(module, "FEATURE_PROBE_TIMEOUT", 0.2)
    sim.faults.hang_seconds = 1
    client = EjoinGateway(session, settings_for(sim))
    await client._read_status()
    sim.inject("timeout", "html")
    features = await client._detect_features_present()
    assert features == frozenset({Capability.ESIM})


async def test_status_lists_every_slot_with_the_active_one(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.ports[1].active = 2
    sim.ports[2].slots[0].locked = True
    status = await gateway.get_status()
    assert sorted(status.ports) == [1, 2, 3, 4]
    assert all(len(port.slots) == 2 for port in status.ports.values())
    assert status.ports[1].active_slot == 1
    first = status.ports[1].slots[1]
    sim_card = sim.ports[0].slots[0].sim
    assert sim_card is not None
    assert (first.state, first.operator, first.balance) == (
        SimState.REGISTERED,
        f"{sim_card.operator_code} {sim_card.operator_name}",
        sim_card.balance,
    )
    assert (first.iccid, first.imsi, first.sim_number) == (sim_card.iccid, sim_card.imsi, sim_card.number)
    assert first.signal_dbm == -113 + 2 * sim.ports[0].signal
    assert status.ports[2].active_slot == 2
    assert status.ports[3].slots[1].state is SimState.USER_LOCKED


@pytest.mark.parametrize(
    "variants",
    [
        {"max_slot"},
        {"label_dotted"},
        {"label_mixed"},
        {"label_pool"},
        {"label_pool", "label_mixed"},
        {"string_numbers", "whitespace"},
        {"status_string"},
        {"v24_fields"},
        {"max_slot", "label_mixed", "string_numbers", "status_string", "whitespace", "v24_fields"},
    ],
)
async def test_every_status_variant_reads_the_same(
    gateway: EjoinGateway, sim: EjoinSimulator, variants: set[str]
) -> None:
    sim.ports[2].active = 2
    baseline = await gateway.get_status()
    sim.variants |= variants
    varied = await gateway.get_status()
    assert varied.device == baseline.device
    assert varied.unparsed_labels == ()
    for number, port in baseline.ports.items():
        assert varied.ports[number].active_slot == port.active_slot
        for slot_number, slot in port.slots.items():
            other = varied.ports[number].slots[slot_number]
            assert (other.label, other.state, other.status_code) == (slot.label, slot.state, slot.status_code)
            assert (other.operator, other.balance, other.signal) == (slot.operator, slot.balance, slot.signal)
            assert other.active == slot.active


async def test_empty_slots_are_partial_rows(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.set_sim_present(1, 2, present=False)
    slot = (await gateway.get_status()).ports[1].slots[2]
    assert (slot.state, slot.iccid, slot.operator, slot.balance) == (SimState.NO_SIM, None, None, None)
    assert slot.imei == sim.ports[0].slots[1].imei


async def test_wrong_password_is_an_auth_error(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    with pytest.raises(GatewayAuthError, match="refused the username or password"):
        await EjoinGateway(session, settings_for(sim, password="nope")).connect()
    sim.variants.add("login_code1")
    with pytest.raises(GatewayAuthError):
        await EjoinGateway(session, settings_for(sim, password="nope")).connect()


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ("500", GatewayResponseError, "HTTP 500"),
        ("html", GatewayResponseError, "not JSON"),
        ("bad_json", GatewayResponseError, "not JSON"),
        ("truncate", GatewayResponseError, "not JSON"),
    ],
)
async def test_faults_map_to_client_errors(
    gateway: EjoinGateway, sim: EjoinSimulator, fault: str, error: type[Exception], message: str
) -> None:
    sim.inject(fault)
    with pytest.raises(error, match=message):
        await gateway.get_status()


async def test_connection_reset(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.inject("reset", "reset")  # aiohttp itself retries an idempotent request once
    with pytest.raises(GatewayConnectionError, match="cannot talk to"):
        await gateway.get_status()


async def test_timeout(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    sim.faults.hang_seconds = 2
    client = EjoinGateway(session, settings_for(sim, timeout=0.3))
    sim.inject("timeout")
    with pytest.raises(GatewayTimeoutError, match="no answer"):
        await client.connect()


async def test_a_status_answer_that_is_not_a_status(gateway: EjoinGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_call(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {"status": [], "code": 200}

    monkeypatch.setattr(gateway.connection, "call", fake_call)
    with pytest.raises(GatewayResponseError, match=r"goip_get_status.html: dev-status carries no max-ports"):
        await gateway.get_status()


async def test_missing_endpoint_is_unsupported(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.variants.add("no_esim")
    assert gateway.esim is not None  # found by connect(), gone since
    with pytest.raises(GatewayUnsupportedError, match=r"goip_get_esims\.html is not available"):
        await gateway.esim.list_profiles()


def test_repr_shows_no_credentials() -> None:
    settings = ConnectionSettings(host="gw.local", port=8080, username="admin", password="hunter2")
    client = EjoinGateway(aiohttp.ClientSession.__new__(aiohttp.ClientSession), settings)
    assert repr(client) == "<EjoinGateway gw.local:8080>"
    with pytest.raises(RuntimeError, match="connect"):
        _ = client.device
