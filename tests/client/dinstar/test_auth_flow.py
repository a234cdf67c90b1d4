"""The login as the wire sees it: nonce reuse, stale nonces, wrong credentials, Basic, lockout, no leaks."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import ClientSession, ClientTimeout
import pytest

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.dinstar.models import PortAction
from custom_components.gsm_gateway.client.exceptions import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayError,
    GatewayRequestError,
)
from custom_components.gsm_gateway.client.gateway import ProbeOutcome
from custom_components.gsm_gateway.client.models import SmsRequest
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.dinstar import DinstarSimulator

from .conftest import CannedServer, GatewayFactory, SimFactory, json_response


def _outcomes(sim: DinstarSimulator) -> list[tuple[str, str]]:
    return [(attempt.scheme, attempt.outcome) for attempt in sim.auth.attempts]


async def test_one_challenge_then_nonce_reused(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    client = make_gateway(sim.url)
    await client.connect()
    await client.get_status()
    await client.get_queue_count()
    await client.get_port_info()
    assert _outcomes(sim) == [("none", "missing")] + [("digest", "ok")] * 4
    assert len(sim.requests) == 5


async def test_stale_nonce_is_retried_once(gateway: DinstarGateway, sim: DinstarSimulator) -> None:
    await sim.control("expire_nonces", {})
    before = len(sim.requests)
    status = await gateway.get_status()
    assert len(status.ports) == 4
    assert _outcomes(sim)[-2:] == [("digest", "stale"), ("digest", "ok")]
    assert len(sim.requests) - before == 2


async def test_nonce_that_is_always_stale_ends_after_one_retry(
    sim: DinstarSimulator, make_gateway: GatewayFactory
) -> None:
    sim.auth.nonce_ttl = -1.0  # every nonce is stale at once
    client = make_gateway(sim.url)
    with pytest.raises(GatewayAuthError, match="refused the username or password"):
        await client.connect()
    assert _outcomes(sim) == [("none", "missing"), ("digest", "stale"), ("digest", "stale")]
    assert len(sim.requests) == 3


async def test_wrong_password_one_authenticated_attempt(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    client = make_gateway(sim.url, password="wrong")
    with pytest.raises(GatewayAuthError):
        await client.connect()
    requests = sim.requests_to("/api/get_port_info")
    assert len(requests) == 2
    assert _outcomes(sim) == [("none", "missing"), ("digest", "bad")]
    # The next call starts over (fresh challenge) and again tries the credentials only once.
    with pytest.raises(GatewayAuthError):
        await client.get_status()
    assert _outcomes(sim)[2:] == [("none", "missing"), ("digest", "bad")]


async def test_cached_nonce_refused_without_stale_is_retried_once(
    gateway: DinstarGateway, sim: DinstarSimulator
) -> None:
    sim.inject("auth")  # the next request gets a plain 401 with a new challenge
    queue = await gateway.get_queue_count()
    assert queue == 0
    assert [request.fault for request in sim.requests[-2:]] == ["auth", None]


async def test_fresh_login_refused_twice_is_not_retried(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    sim.faults.wrong_credentials = True
    client = make_gateway(sim.url)
    with pytest.raises(GatewayAuthError):
        await client.connect()
    assert len(sim.requests) == 2  # without credentials, then once with them


async def test_basic_variant(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"basic-auth"})
    client = make_gateway(sim.url)
    assert await client.probe() is ProbeOutcome.MATCH
    await client.connect()
    await client.get_status()
    assert _outcomes(sim) == [("none", "missing"), ("basic", "ok"), ("basic", "ok"), ("basic", "ok")]


async def test_basic_variant_wrong_password(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"basic-auth"})
    client = make_gateway(sim.url, password="nope")
    with pytest.raises(GatewayAuthError):
        await client.connect()
    assert _outcomes(sim) == [("none", "missing"), ("basic", "bad")]


async def test_device_without_login(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"no-auth"})
    client = make_gateway(sim.url)
    assert await client.probe() is ProbeOutcome.MATCH
    device = await client.connect()
    assert device.serial == sim.serial
    assert sim.auth.attempts == []


async def test_lockout_firmware_is_not_tripped_by_normal_use(
    dinstar_sim: SimFactory, make_gateway: GatewayFactory
) -> None:
    sim = await dinstar_sim(variants={"lockout"})
    sim.lockout_after = 3
    client = make_gateway(sim.url)
    await client.connect()
    for _ in range(10):
        await client.get_status()
    assert not sim.auth.locked
    assert [outcome for _, outcome in _outcomes(sim)].count("missing") == 1


async def test_lockout_after_failed_logins(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"lockout"})
    sim.lockout_after = 4
    bad = make_gateway(sim.url, password="wrong")
    for _ in range(2):  # each attempt: one probe without credentials and one bad login
        with pytest.raises(GatewayAuthError):
            await bad.connect()
    assert sim.auth.locked
    good = make_gateway(sim.url)
    with pytest.raises(GatewayAuthError):
        await good.connect()
    await sim.control("unlock_login", {})
    assert (await good.connect()).serial == sim.serial


async def test_empty_body_probe_hangs_but_client_sends_body(
    dinstar_sim: SimFactory, make_gateway: GatewayFactory
) -> None:
    sim = await dinstar_sim(variants={"hang-on-empty-probe"})
    sim.faults.hang_seconds = 5.0
    async with ClientSession(timeout=ClientTimeout(total=0.3)) as raw:
        with pytest.raises(asyncio.TimeoutError):
            await raw.post(f"{sim.url}/api/send_sms", data=b"")
    client = make_gateway(sim.url)
    result = await client.send_sms(SmsRequest(recipients=("+4915100000001",), text="hi"))
    assert result.all_accepted
    first_send = sim.requests_to("/api/send_sms")[-2]
    assert first_send.body  # the request that learned the challenge carried the body


async def test_401_without_challenge_is_an_auth_error(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_port_info", (401, {}, b"Unauthorized"))
    client = make_gateway(canned.url)
    with pytest.raises(GatewayAuthError, match="cannot answer"):
        await client.connect()
    assert len(canned.requests) == 1


async def test_digest_header_on_the_wire(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    challenge = {"WWW-Authenticate": 'Digest realm="Web Server", qop="auth", nonce="abc123", opaque="op"'}
    canned.answer(
        "/api/get_port_info",
        (401, challenge, b""),
        json_response('{"error_code":200,"sn":"a-b-c-d","info":[{"port":0,"type":"GSM","slot":255}]}'),
    )
    client = make_gateway(canned.url, username="admin")
    await client.connect()
    await client.get_status()
    first, second, third = canned.requests
    assert "Authorization" not in first[3]
    assert second[3]["Authorization"].startswith('Digest username="admin", realm="Web Server", nonce="abc123"')
    assert "nc=00000001" in second[3]["Authorization"]
    assert "nc=00000002" in third[3]["Authorization"]
    assert 'opaque="op"' in third[3]["Authorization"]
    assert f'uri="/api/get_port_info?{"info_type=type,slot,imei"}"' in second[3]["Authorization"]


PLANTED_PASSWORD = "S3cr3t-Pl4nted-Passw0rd"
PLANTED_NUMBER = "+4915199887766"


async def test_credentials_and_numbers_never_leak(
    dinstar_sim: SimFactory, make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sim = await dinstar_sim(password=PLANTED_PASSWORD)
    errors: list[GatewayError] = []
    wrong = make_gateway(sim.url, username="admin-planted", password=PLANTED_PASSWORD + "x")
    with pytest.raises(GatewayAuthError) as auth_error:
        await wrong.connect()
    errors.append(auth_error.value)
    client = make_gateway(sim.url, password=PLANTED_PASSWORD)
    await client.connect()
    with pytest.raises(GatewayRequestError) as request_error:
        await client.send_sms(SmsRequest(recipients=(PLANTED_NUMBER * 2,), text="x"))
    errors.append(request_error.value)
    sim.inject("timeout")
    sim.faults.hang_seconds = 1.0
    short = make_gateway(sim.url, password=PLANTED_PASSWORD, timeout=0.2)
    with pytest.raises(GatewayError) as timeout_error:
        await short.connect()
    errors.append(timeout_error.value)
    with pytest.raises(GatewayCommandError) as command_error:
        await client.set_port_info(SlotRef(1), PortAction.LOCK, "9999")
    errors.append(command_error.value)
    for ref in (SlotRef(1), SlotRef(2)):
        await sim.control("set_reg", {"port": ref.port, "reg": "NO_SIM"})
    result = await client.send_sms(SmsRequest(recipients=(PLANTED_NUMBER,), text="x", ports=(SlotRef(1), SlotRef(2))))
    assert not result.all_accepted
    texts = [str(error) for error in errors] + [repr(error) for error in errors]
    texts += [repr(client), repr(client.settings), repr(result), repr(client._http.credentials), caplog.text]
    for text in texts:
        assert PLANTED_PASSWORD not in text
        assert PLANTED_NUMBER not in text
        assert "admin-planted" not in text
