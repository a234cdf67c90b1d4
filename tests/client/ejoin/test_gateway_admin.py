"""Commands, parameters, USSD, statistics, eSIM, proxy, IP lists and the encrypted session, against the simulator."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.gsm_gateway.client.ejoin import EjoinGateway
from custom_components.gsm_gateway.client.ejoin.encryption import CryptMode
from custom_components.gsm_gateway.client.esim import EsimFeature, EsimJobState, EsimOperation
from custom_components.gsm_gateway.client.exceptions import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayError,
    GatewayRequestError,
    GatewayResponseError,
    GatewayUnsupportedError,
)
from custom_components.gsm_gateway.client.gateway import ProbeOutcome
from custom_components.gsm_gateway.client.ip_lists import IpListFeature, IpListKind
from custom_components.gsm_gateway.client.models import (
    ConnectionSettings,
    RedialMode,
    SimState,
    SmsRequest,
    StatisticsPeriod,
)
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.proxy import ProxyEntry, ProxyFeature, ProxyMode, ProxyResource, ProxyUser
from simulator.ejoin import EjoinSimulator

from .conftest import settings_for, wait_until

VALID_IMEI = "490154203237518"


# --- commands -----------------------------------------------------------------------------------------------


async def test_lock_unlock_and_led(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    await gateway.lock([SlotRef(1, 1), SlotRef(2)])
    body = sim.requests_to("/goip_send_cmd.html")[-1].json()
    assert body == {"type": "command", "op": "lock", "ports": "1A,2"}
    status = await gateway.get_status()
    assert status.ports[1].slots[1].state is SimState.USER_LOCKED
    assert status.ports[2].slots[1].locked
    assert status.ports[2].slots[2].locked
    await gateway.unlock([SlotRef(2)])
    assert not any(slot.locked for slot in sim.ports[1].slots)
    await gateway.set_led([SlotRef(3), SlotRef(4)], on=False)
    assert sim.requests_to("/goip_send_cmd.html")[-1].json() == {"type": "command", "op": "ledoff", "ports": "3-4"}
    assert (sim.ports[2].led, sim.ports[3].led, sim.ports[0].led) == (False, False, True)
    await gateway.set_led([SlotRef(3)], on=True)
    assert sim.ports[2].led


async def test_switch_slot(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    await gateway.switch_slot(SlotRef(3, 2))
    assert sim.requests_to("/goip_send_cmd.html")[-1].json() == {"type": "command", "op": "switch", "ports": "3B"}
    assert sim.ports[2].active == 2
    await wait_until(lambda: sim.ports[2].code(2) == 3)
    assert (await gateway.get_status()).ports[3].active_slot == 2
    with pytest.raises(GatewayRequestError, match="needs a slot"):
        await gateway.switch_slot(SlotRef(3))


async def test_reset_redial_save_and_reboot(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    await gateway.reset_module([1, 2, 4])
    assert sim.requests_to("/goip_send_cmd.html")[-1].json()["ports"] == "1-2,4"
    assert sim.ports[0].code(1) == 2  # registering again
    await gateway.redial([SlotRef(2, 1)], RedialMode.FLIGHT, delay=30)
    assert sim.requests_to("/goip_send_cmd.html")[-1].json() == {
        "type": "command",
        "op": "redial",
        "ports": "2A",
        "mode": 0,
        "delay": 30,
    }
    await gateway.redial([SlotRef(3)], RedialMode.FAST)
    assert sim.redials == [{"port": 2, "mode": 0, "delay": 30}, {"port": 3, "mode": 1, "delay": None}]
    with pytest.raises(GatewayRequestError, match="flight mode"):
        await gateway.redial([SlotRef(3)], RedialMode.FAST, delay=5)
    await gateway.save()
    old_ssrc = sim.ssrc
    await gateway.reboot()
    assert sim.ssrc != old_ssrc
    assert [r.json()["op"] for r in sim.requests_to("/goip_send_cmd.html")][-2:] == ["save", "reboot"]


async def test_refused_commands(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    with pytest.raises(GatewayCommandError) as caught:
        await gateway.lock([SlotRef(9)])
    assert (caught.value.code, caught.value.reason) == (2, "Invalid Port")
    with pytest.raises(GatewayRequestError):
        await gateway.lock([])
    with pytest.raises(GatewayRequestError):
        await gateway.reset_module([])
    sim.variants.add("cmd_code_200")
    await gateway.save()  # code 200 is success too


# --- parameters ---------------------------------------------------------------------------------------------


async def test_set_imei_uses_the_index_formula(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    result = await gateway.set_imei(SlotRef(3, 2), VALID_IMEI)
    assert (result.confirmed, result.requested, result.ok) == (1, 1, True)
    request = sim.requests_to("/goip_send_cmd.html")[-1]
    assert request.query["op"] == "set"
    assert request.content_type == "text/plain;charset=utf-8"
    assert request.body.decode() == f"sim_imei(5)={VALID_IMEI}"  # (3-1)*2 + (2-1)
    assert sim.ports[2].slots[1].imei == VALID_IMEI
    assert (await gateway.get_status()).ports[3].slots[2].imei == VALID_IMEI


async def test_set_imei_refuses_bad_values_before_sending(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    before = len(sim.requests)
    for imei in ("12345", "490154203237519"):
        with pytest.raises(GatewayRequestError):
            await gateway.set_imei(SlotRef(1, 1), imei)
    with pytest.raises(GatewayRequestError, match="slot 3 does not exist"):
        await gateway.set_imei(SlotRef(1, 3), VALID_IMEI)
    assert len(sim.requests) == before


async def test_set_sim_number(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    await gateway.set_sim_number(SlotRef(2), "+4915112345678")
    assert sim.requests_to("/goip_send_cmd.html")[-1].body.decode() == "sim_number(2)=%2B4915112345678"
    assert sim.ports[1].slots[0].sim_number == "+4915112345678"


async def test_a_parameter_the_device_did_not_take(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    with pytest.raises(GatewayCommandError, match="did not take sim_imei"):
        await gateway._set_one("sim_imei(99)", VALID_IMEI)  # no such slot on this 4x2 box
    result = await gateway.set_parameters({"ttl": "64", "unknown_thing": "1"})
    assert (result.confirmed, result.requested, result.ok) == (1, 2, False)


async def test_other_parameters(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    await gateway.set_parameters({"ttl": "128", "data_service_enable": "0"})
    assert (sim.ttl, sim.data_service) == (128, 0)
    assert await gateway.get_parameters(["ttl", "data_service_enable", "nothing"]) == {
        "ttl": "128",
        "data_service_enable": "0",
    }
    get_call = sim.requests_to("/goip_send_cmd.html")[-1]
    assert (get_call.method, get_call.query["op"], get_call.query["ttl"]) == ("GET", "get", "")
    with pytest.raises(GatewayRequestError):
        await gateway.get_parameters([])


async def test_parameters_nested_in_the_answer(gateway: EjoinGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_call(*_args: object, **_kwargs: object) -> dict[str, object]:
        return {"code": 0, "reason": "OK", "pars": {"sms_url": "http://x", "odd": {"a": 1}}}

    monkeypatch.setattr(gateway.connection, "call", fake_call)
    assert await gateway.get_parameters(["sms_url", "odd"]) == {"sms_url": "http://x"}


async def test_reading_parameters_on_firmware_without_get(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.variants.add("no_get")
    with pytest.raises(GatewayCommandError) as caught:
        await gateway.get_push_target()
    assert (caught.value.code, caught.value.reason) == (15, "Invalid CMD")


# --- USSD ---------------------------------------------------------------------------------------------------


async def test_ussd_reply_comes_back_synchronously(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    result = await gateway.send_ussd(SlotRef(1, 1), " *100# ")
    sim_card = sim.ports[0].slots[0].sim
    assert sim_card is not None
    assert result.reply == f"Your balance is {sim_card.balance:.2f} EUR."
    assert (result.accepted, result.port_label, result.code, result.reason) == (True, "1A", 0, "OK")
    request = sim.requests_to("/goip_send_ussd.html")[-1]
    assert (request.method, request.query["port"], request.query["ussd"]) == ("GET", "1A", "*100#")
    sim.variants |= {"ussd_no_resp", "cmd_code_200"}
    quiet = await gateway.send_ussd(SlotRef(2), "*102#")
    assert (quiet.reply, quiet.code) == (None, 200)
    assert sim.ussd_requests == [("1A", "*100#"), ("2A", "*102#")]


async def test_ussd_refusals(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    with pytest.raises(GatewayRequestError):
        await gateway.send_ussd(SlotRef(1), "balance please")
    sim.set_sim_status(1, None, 6)
    with pytest.raises(GatewayCommandError) as caught:
        await gateway.send_ussd(SlotRef(1), "*100#")
    assert (caught.value.code, caught.value.reason) == (5, "SIM Unregistered")
    sim.variants.add("no_ussd")
    with pytest.raises(GatewayUnsupportedError):
        await gateway.send_ussd(SlotRef(2), "*100#")


# --- statistics ---------------------------------------------------------------------------------------------


async def test_statistics_count_what_happened(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.deliver_sms(1, None, "+4915", "hi")
    sim.failing_recipients = {"+4900"}
    await gateway.send_sms(SmsRequest(recipients=("+4911", "+4900"), text="x", ports=(SlotRef(1, 1),)))
    await wait_until(lambda: not sim.queue)
    stats = {s.ref: s for s in await gateway.get_sms_statistics(StatisticsPeriod.LAST_HOUR)}
    assert len(stats) == 8
    first = stats[SlotRef(1, 1)]
    assert (first.received, first.sent, first.sent_ok, first.sent_failed, first.consecutive_failed) == (1, 2, 1, 1, 1)
    request = sim.requests_to("/goip_get_sms_stat.html")[-1]
    assert {key: request.query[key] for key in ("ports", "slots", "type", "version")} == {
        "ports": "all",
        "slots": "all",
        "type": "0",
        "version": "1.1",
    }
    current = await gateway.sms_statistics(StatisticsPeriod.CUMULATIVE, ports=[1, 2], current_card_only=True)
    assert [s.ref for s in current] == [SlotRef(1, 1), SlotRef(2, 1)]
    assert "slots" not in sim.requests_to("/goip_get_sms_stat.html")[-1].query
    chosen = await gateway.sms_statistics(StatisticsPeriod.TODAY, ports=[3], slots=[2])
    assert [s.ref for s in chosen] == [SlotRef(3, 2)]


async def test_call_statistics(gateway: EjoinGateway, sim: EjoinSimulator) -> None:
    sim.record_call(2, 1, connected=True, seconds=90)
    sim.record_call(2, 1, connected=False)
    stats = {s.ref: s for s in await gateway.get_call_statistics(StatisticsPeriod.CUMULATIVE)}
    call = stats[SlotRef(2, 1)]
    assert (call.calls, call.connected, call.failed, call.no_carrier, call.asr, call.acd) == (
        2,
        1,
        1,
        "1/2",
        50.0,
        90.0,
    )
    assert (call.total_minutes, call.actual_seconds) == (2, 90)


async def test_statistics_refused(gateway: EjoinGateway) -> None:
    with pytest.raises(GatewayCommandError):
        await gateway.sms_statistics(StatisticsPeriod.TODAY, ports=[99])


# --- eSIM ---------------------------------------------------------------------------------------------------


@pytest.fixture
def esim(gateway: EjoinGateway) -> EsimFeature:
    assert gateway.esim is not None
    return gateway.esim


@pytest.fixture
def proxy(gateway: EjoinGateway) -> ProxyFeature:
    assert gateway.proxy is not None
    return gateway.proxy


@pytest.fixture
def ip_lists(gateway: EjoinGateway) -> IpListFeature:
    assert gateway.ip_lists is not None
    return gateway.ip_lists


async def test_esim_write_and_delete_jobs_run_to_their_end(esim: EsimFeature, sim: EjoinSimulator) -> None:
    (info,) = await esim.list_profiles([2])
    assert (info.port, info.eid) == (2, sim.esims[2].eid)
    assert [p.slot for p in info.profiles if p.enabled] == [1]
    await esim.write(2, 2, "LPA:1$rsp.example.com$ABC", "1234")
    write = sim.requests_to("/goip_write_esims.html")[-1]
    assert write.query["version"] == "1.1"
    assert write.json() == [{"port": 2, "slot": 2, "ac": "LPA:1$rsp.example.com$ABC", "cc": "1234"}]
    first = await esim.job_progress(2, 2, EsimOperation.WRITE)
    assert first.state is EsimJobState.PENDING
    with pytest.raises(GatewayCommandError) as busy:
        await esim.delete(2, 1)
    assert (busy.value.code, busy.value.reason) == (2, "port busy")
    await wait_until(lambda: not sim.esims[2].busy)
    done = await esim.job_progress(2, 2, EsimOperation.WRITE)
    assert (done.state, done.done) == (EsimJobState.SUCCEEDED, True)
    await esim.delete(2, 1)
    await wait_until(lambda: not sim.esims[2].busy)
    assert (await esim.job_progress(2, 1, EsimOperation.DELETE)).state is EsimJobState.SUCCEEDED
    (after,) = await esim.list_profiles([2])
    assert [p.slot for p in after.profiles if p.enabled] == [2]


async def test_esim_job_failure(esim: EsimFeature, sim: EjoinSimulator) -> None:
    sim.esim_fail = True
    await esim.write(1, 2, "LPA:1$x$y")
    await wait_until(lambda: not sim.esims[1].busy)
    progress = await esim.job_progress(1, 2, EsimOperation.WRITE)
    assert (progress.state, progress.reason) == (EsimJobState.FAILED, "profile download failed")
    with pytest.raises(GatewayRequestError):
        await esim.write(1, 2, " ")
    with pytest.raises(GatewayCommandError) as caught:
        await esim.write(1, 9, "LPA:1$x$y")
    assert caught.value.code == 3
    assert len(await esim.list_profiles()) == 4


# --- proxy and IP lists -------------------------------------------------------------------------------------


async def test_proxy_configuration_round_trip(proxy: ProxyFeature, sim: EjoinSimulator) -> None:
    mode = ProxyMode.SOCKS5
    assert (await proxy.state(ProxyResource.PROXY, mode)).enabled is False
    await proxy.set_enabled(ProxyResource.PROXY, mode, enabled=True)
    state = await proxy.state(ProxyResource.PROXY, mode)
    assert (state.mode, state.enabled) == (ProxyMode.SOCKS5, True)
    await proxy.add_proxies(mode, [ProxyEntry(name="foo", port=1080, interfaces=(0,))])
    post = sim.requests_to("/proxy")[-1]
    assert (post.method, post.query["mode"], post.query["op"]) == ("POST", "socks5", "add")
    config = await proxy.get_proxies(mode)
    assert config.proxies == (ProxyEntry(name="socks5-foo", port=1080, interfaces=(0,), active=True),)
    await proxy.update_proxies(mode, {"socks5-foo": False})
    assert (await proxy.get_proxies(mode)).proxies[0].active is False
    await proxy.delete_proxies(mode, ["socks5-foo"])
    assert (await proxy.get_proxies(mode)).proxies == ()
    assert (await proxy.get_proxies(ProxyMode.HTTP)).enabled is False


async def test_proxy_users_url_lists_and_access_log(proxy: ProxyFeature) -> None:
    mode = ProxyMode.HTTP
    await proxy.add_users(mode, [ProxyUser(name="alice", password="pw", interfaces=(1,), remark="desk")])
    await proxy.update_users(mode, {"alice": [1, 2]})
    users = await proxy.get_users(mode)
    assert users.users == (ProxyUser(name="alice", password="pw", interfaces=(1, 2), remark="desk"),)
    await proxy.delete_users(mode, ["alice"])
    assert (await proxy.get_users(mode)).users == ()
    await proxy.add_urls(ProxyResource.URL_BLACK_LIST, mode, ["*.ads.example", "tracker.example"])
    await proxy.delete_urls(ProxyResource.URL_BLACK_LIST, mode, ["tracker.example"])
    assert (await proxy.get_url_list(ProxyResource.URL_BLACK_LIST, mode)).urls == ("*.ads.example",)
    assert (await proxy.get_url_list(ProxyResource.URL_WHITE_LIST, mode)).urls == ()
    await proxy.set_enabled(ProxyResource.ACCESS_LOG, mode, enabled=True)
    assert (await proxy.state(ProxyResource.ACCESS_LOG, mode)).enabled is True
    with pytest.raises(GatewayRequestError, match="URL white- or blacklist"):
        await proxy.get_url_list(ProxyResource.PROXY, mode)


async def test_proxy_refusals_keep_the_device_text(proxy: ProxyFeature) -> None:
    with pytest.raises(GatewayCommandError) as caught:
        await proxy.update_proxies(ProxyMode.HTTP, {"http-missing": True})
    assert caught.value.reason == "Not found"


async def test_ip_lists(ip_lists: IpListFeature, sim: EjoinSimulator) -> None:
    await ip_lists.update(IpListKind.WHITE, enabled=True, added=["192.168.1.0/24", "10.0.0.1"])
    white = await ip_lists.get(IpListKind.WHITE)
    assert (white.enabled, white.addresses) == (True, ("192.168.1.0/24", "10.0.0.1"))
    body = next(r for r in sim.requests_to("/ip_white_list") if r.method == "POST").json()
    assert body == {"enable": 1, "enbale": 1, "added_set": ["192.168.1.0/24", "10.0.0.1"], "deleted_set": []}
    await ip_lists.update(IpListKind.BLACK, enabled=True, added=["*"])
    await ip_lists.update(IpListKind.WHITE, enabled=True, deleted=["10.0.0.1"])
    assert (await ip_lists.get(IpListKind.WHITE)).addresses == ("192.168.1.0/24",)
    black = await ip_lists.get(IpListKind.BLACK)
    assert (black.enabled, black.addresses) == (True, ("*",))


async def test_blacklisting_everything_needs_the_whitelist(ip_lists: IpListFeature) -> None:
    with pytest.raises(GatewayCommandError, match="whitelist"):
        await ip_lists.update(IpListKind.BLACK, enabled=True, added=["*"])


# --- encrypted session --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [CryptMode.AES, CryptMode.RC4])
async def test_encrypted_session(sim: EjoinSimulator, session: aiohttp.ClientSession, mode: CryptMode) -> None:
    client = EjoinGateway(session, settings_for(sim), encryption=mode)
    await client.connect()
    await client.pause_sms_tasks(None)
    await client.set_imei(SlotRef(1, 1), VALID_IMEI)
    assert sim.ports[0].slots[0].imei == VALID_IMEI  # the encrypted body was understood
    handshake = sim.requests_to("/crypt_sess.json")
    assert len(handshake) == 1
    assert handshake[0].query["crypt"] == mode.value
    others = [request for request in sim.requests if request.path != "/crypt_sess.json"]
    assert all("password" not in request.query for request in others)
    assert [int(request.query["seq"]) for request in others] == list(range(1, len(others) + 1))
    encrypted = sim.requests_to("/goip_send_cmd.html")[-1]
    assert VALID_IMEI.encode() not in encrypted.body
    assert encrypted.content_type == "application/octet-stream"


async def test_encrypted_session_is_renewed_after_a_reboot(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    client = EjoinGateway(session, settings_for(sim), encryption=CryptMode.RC4)
    await client.connect()
    sim.reboot()  # sessions are lost
    await client.get_status()
    assert len(sim.requests_to("/crypt_sess.json")) == 2


async def test_encrypted_session_refused(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    with pytest.raises(GatewayAuthError):
        await EjoinGateway(session, settings_for(sim, password="wrong"), encryption=CryptMode.AES).connect()
    sim.variants.add("no_crypt")
    with pytest.raises(GatewayUnsupportedError, match=r"crypt_sess\.json"):
        await EjoinGateway(session, settings_for(sim), encryption=CryptMode.AES).connect()


# --- credentials and identifiers stay out of errors and logs ------------------------------------------------


async def test_secrets_never_reach_errors_or_logs(
    sim: EjoinSimulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    password = "Pl4nted-S3cret!"
    number = "+4915199887766"
    caplog.set_level(logging.DEBUG)
    client = EjoinGateway(session, settings_for(sim, password=password, timeout=0.5))
    errors: list[GatewayError] = []
    assert await client.probe() is ProbeOutcome.AUTH_FAILED
    with pytest.raises(GatewayAuthError) as refused_login:
        await client.connect()
    errors.append(refused_login.value)
    sim.password = password
    await client.connect()
    sim.faults.hang_seconds = 2
    sim.inject("timeout")
    with pytest.raises(GatewayError) as timeout:
        await client.send_sms(SmsRequest(recipients=(number,), text="secret text"))
    errors.append(timeout.value)
    sim.inject("reset", "reset")
    with pytest.raises(GatewayError) as reset:
        await client.get_status()
    errors.append(reset.value)
    with pytest.raises(GatewayRequestError) as bad_imei:
        await client.set_imei(SlotRef(1), "49015420323751X")
    errors.append(bad_imei.value)
    with pytest.raises(GatewayCommandError) as refused:
        await client.send_ussd(SlotRef(9), "*100#")
    errors.append(refused.value)
    result = await client.send_sms(SmsRequest(recipients=(number,), text="secret text"))
    text = " ".join([*(str(err) for err in errors), *(repr(err) for err in errors), caplog.text, repr(result)])
    assert len(errors) == 5
    for secret in (password, number, "secret text", "49015420323751X"):
        assert secret not in text
    assert password not in repr(client.settings)


async def test_encrypted_session_answer_without_session(session: aiohttp.ClientSession, aiohttp_server: Any) -> None:
    async def answer(_request: web.Request) -> web.Response:
        return web.json_response({"code": 0, "desc": "OK"})

    app = web.Application()
    app.router.add_get("/crypt_sess.json", answer)
    server = await aiohttp_server(app)
    settings = ConnectionSettings(host="127.0.0.1", port=server.port, username="u", password="p")
    with pytest.raises(GatewayResponseError, match="answer has no session"):
        await EjoinGateway(session, settings, encryption=CryptMode.RC4).connect()


async def test_encrypted_session_with_an_unreadable_answer(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    client = EjoinGateway(session, settings_for(sim), encryption=CryptMode.AES)
    await client.connect()
    sim.inject("html")
    with pytest.raises(GatewayResponseError, match="not JSON"):
        await client.get_status()
    assert len(sim.requests_to("/crypt_sess.json")) == 1  # an unreadable answer is not a refused session
