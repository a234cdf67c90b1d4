"""The Synway simulator on its own: auth, other dialects' probes, request validation, variants, control API, demo."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import aiohttp
import pytest

from simulator import simulator_class
from simulator.__main__ import parse_args
from simulator.synway import SynwaySimulator

from .conftest import SynwayFactory

AUTH = {"Authorization": "Basic " + base64.b64encode(b"root:root").decode()}


async def post(
    session: aiohttp.ClientSession, sim: SynwaySimulator, path: str, body: Any, **headers: str
) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with session.post(sim.url + path, data=data, headers={**AUTH, **headers}) as response:
        raw = await response.read()
        try:
            return response.status, json.loads(raw, strict=False)
        except ValueError:
            return response.status, raw


async def query(session: aiohttp.ClientSession, sim: SynwaySimulator, **body: Any) -> Any:
    status, answer = await post(session, sim, "/API/QueryInfo", body)
    assert status == 200
    return answer


async def task(session: aiohttp.ClientSession, sim: SynwaySimulator, **body: Any) -> Any:
    status, answer = await post(session, sim, "/API/TaskHandle", body)
    assert status == 200
    return answer


def test_registered_for_the_cli() -> None:
    assert simulator_class("synway") is SynwaySimulator
    args = parse_args(["--vendor", "synway"])
    assert (args.vendor, args.username, args.password) == ("synway", "root", "root")


# --- auth and other dialects' probes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Digest username=root"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Basic " + base64.b64encode(b"root:wrong").decode()},
    ],
)
async def test_api_needs_basic_auth(
    sim: SynwaySimulator, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    async with session.post(sim.url + "/API/QueryInfo", json={"event": "getportinfo"}, headers=headers) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic realm=")


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/goip_get_sms.html?username=root&password=root&sms_id=0", {}),
        ("GET", "/goip_get_status.html?username=root&password=root", {}),
        ("GET", "/api/query_sms_in_queue", {}),
        ("GET", "/api/query_sms_in_queue", AUTH),
        ("POST", "/api/query_sms_in_queue", AUTH),
    ],
)
async def test_other_dialects_probes_get_a_plain_404(
    sim: SynwaySimulator, session: aiohttp.ClientSession, method: str, path: str, headers: dict[str, str]
) -> None:
    async with session.request(method, sim.url + path, headers=headers) as response:
        assert response.status == 404


# --- request validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("/API/QueryInfo", b"not json", "invalid request body"),
        ("/API/QueryInfo", b"[1]", "invalid request body"),
        ("/API/QueryInfo", {"event": "reboot"}, "unsupported event"),
        ("/API/QueryInfo", {"event": "getwirelessinfo", "type": "MAC"}, "invalid type"),
        ("/API/QueryInfo", {"event": "getwirelessinfo", "type": "IMEI", "port": "9"}, "invalid port"),
        ("/API/QueryInfo", {"event": "getwirelessinfo", "type": "IMEI", "port": "x"}, "invalid port"),
        ("/API/QueryInfo", {"event": "querytxsms", "taskid": "a"}, "invalid taskid"),
        ("/API/QueryInfo", {"event": "queryrxsms", "begintime": "2024"}, "invalid begintime"),
        ("/API/QueryInfo", {"event": "querytxsmsrpt", "port": "1,2", "num": "1"}, "one port and one number"),
        ("/API/TaskHandle", {"event": "txsms", "num": "", "smsinfo": "x"}, "num is empty"),
        ("/API/TaskHandle", {"event": "txsms", "num": ",".join(["1"] * 51), "smsinfo": "x"}, "too many numbers"),
        ("/API/TaskHandle", {"event": "txsms", "num": "1", "smsinfo": "x", "encoding": "4"}, "invalid encoding"),
        (
            "/API/TaskHandle",
            {"event": "txsms", "num": "1", "smsinfo": "x" * 301, "encoding": "8"},
            "invalid smsinfo length",
        ),
        ("/API/TaskHandle", {"event": "txussd", "port": "1", "ussd": ""}, "invalid ussd"),
        ("/API/TaskHandle", {"event": "txussd", "port": "", "ussd": "*1#"}, "port is empty"),
    ],
)
async def test_invalid_requests_get_error_answers(
    sim: SynwaySimulator, session: aiohttp.ClientSession, path: str, body: Any, reason: str
) -> None:
    status, answer = await post(session, sim, path, body)
    assert (status, answer) == (200, {"result": "error", "content": reason})


async def test_keys_are_case_insensitive_and_numbers_accepted(
    sim: SynwaySimulator, session: aiohttp.ClientSession
) -> None:
    answer = await task(session, sim, EVENT="txsms", Num=10086, Port=-1, Encoding=0, SmsInfo="hi")
    assert answer == {"result": "ok", "content": "taskid:0"}


# --- wire format and variants --------------------------------------------------------------------------------


async def test_documented_answers(sim: SynwaySimulator, session: aiohttp.ClientSession) -> None:
    assert (await query(session, sim, event="getportinfo"))["content"] == "total:4;portstate:0,0,0,0"
    assert (await query(session, sim, event="getportconnectstate"))["content"] == "total:4;ConnectState:1,1,1,1."
    assert (await query(session, sim, event="getwirelessinfo", type="porttype"))["content"] == "PortType:WCDMA"
    iccid = await query(session, sim, event="getwirelessinfo", type="ICCID", port="2,3")
    cards = [sim.state.ports[port].sim for port in (2, 3)]
    assert iccid["content"] == "".join(
        f"{port}:{card.iccid}." for port, card in zip((2, 3), cards, strict=True) if card
    )
    assert (await query(session, sim, event="queryrxsms"))["content"] == "total:0"


async def test_answers_with_every_formatting_variant(
    synway_factory: SynwayFactory, session: aiohttp.ClientSession
) -> None:
    sim = await synway_factory(variants={"ok-casing", "zero-based", "extra-terminators", "spaced", "sc-time-prefix"})
    await sim.control("deliver_sms", {"port": 1, "sender": "10086", "text": "a:b", "at": "20240101120000"})
    await sim.control("deliver_sms", {"port": 2, "slot": 2, "sender": "10087", "text": "c", "at": "20240101120001"})
    ports = await query(session, sim, event="getportinfo")
    assert ports == {"result": "oK", "content": "total:4;portstate:0,0,0,0."}
    inbox = (await query(session, sim, event="queryrxsms", port="0,1"))["content"]
    number_1 = sim.state.ports[1].sims[1].number  # type: ignore[union-attr]
    number_2 = sim.state.ports[2].sims[2].number  # type: ignore[union-attr]
    assert inbox == (
        "total:2; \n"
        f"20240101120000:0(A)({number_1}):10086:20240101120000|:a:b|E; \n"
        f"20240101120001:1(B)({number_2}):10087:20240101120001|:c|E;"
    )
    await sim.control("set_ussd_reply", {"text": "ok"})
    await task(session, sim, event="txussd", port="0", ussd="*1#")
    assert (await query(session, sim, event="rxussd", port="0"))["content"].endswith("|*1#|1| NULL|E;")


async def test_newqueryrxsms_raw_control_characters(
    synway_factory: SynwayFactory, session: aiohttp.ClientSession
) -> None:
    sim = await synway_factory(variants={"raw-control-chars"}, slots=1)
    await sim.control(
        "deliver_sms", {"port": 1, "sender": "x", "text": 'tab\there "quoted" \\ back', "at": "20240101120000"}
    )
    async with session.post(sim.url + "/API/QueryInfo", json={"event": "newqueryrxsms"}, headers=AUTH) as response:
        raw = await response.read()
    assert b"\t" in raw
    with pytest.raises(ValueError, match="control character"):
        json.loads(raw)
    answer = json.loads(raw, strict=False)
    number = sim.state.ports[1].sims[1].number  # type: ignore[union-attr]
    assert answer["content"] == f'2024-01-01 12:00:00:1(-1)({number}):x:tab\there "quoted" \\ back|E;'


@pytest.mark.parametrize(
    "case",
    [
        (set(), "/API/SendSMS", "txsms", 404),
        (set(), "/API/QueryRxSMS", "queryrxsms", 404),
        ({"short-aliases"}, "/API/SendSMS", "txsms", 200),
        ({"short-aliases"}, "/API/QueryRxSMS", "queryrxsms", 200),
        ({"alias-only-sms"}, "/API/TaskHandle", "txsms", 404),
        ({"alias-only-sms"}, "/API/QueryInfo", "queryrxsms", 404),
        ({"newqueryrxsms-404"}, "/API/QueryInfo", "newqueryrxsms", 404),
    ],
)
async def test_alias_and_missing_event_variants(
    synway_factory: SynwayFactory, session: aiohttp.ClientSession, case: tuple[set[str], str, str, int]
) -> None:
    variants, path, event, status = case
    sim = await synway_factory(variants=variants)
    answer_status, _ = await post(session, sim, path, {"event": event, "num": "1", "smsinfo": "x"})
    assert answer_status == status


async def test_time_filters_and_delete_flag(sim: SynwaySimulator, session: aiohttp.ClientSession) -> None:
    for second in ("00", "30"):
        await sim.control("deliver_sms", {"port": 1, "sender": "10086", "text": second, "at": f"202401011200{second}"})
    window = await query(
        session, sim, event="queryrxsms", begintime="20240101120010", endtime="20240101120040", num="10086"
    )
    assert window["content"].startswith("total:1;")
    sim.variants.add("ignore-time-filters")
    everything = await query(session, sim, event="newqueryrxsms", begintime="20240101120010", delete="1")
    assert everything["content"].count("|E;") == 2
    assert sim.state.inbox == []


async def test_delete_by_slot_and_both_boxes(sim: SynwaySimulator, session: aiohttp.ClientSession) -> None:
    await sim.control("deliver_sms", {"port": 1, "slot": 1, "sender": "10086", "text": "a"})
    await sim.control("deliver_sms", {"port": 1, "slot": 2, "sender": "10086", "text": "b"})
    deleted = await task(session, sim, event="deletesms", port="1.B", phonenum="10086", smsbox="r", clear="1")
    assert deleted["content"] == "total:1"
    assert [sms.text for sms in sim.state.inbox] == ["a"]
    await task(session, sim, event="txsms", num="10086", port="1", smsinfo="x")
    await sim.control("complete_sends", {})
    assert (await task(session, sim, event="deletesms", smsbox="r,s", clear="2"))["content"] == "total:2"
    assert (await task(session, sim, event="deletesms", smsbox="1", clear="2"))["content"] == "total:0"


async def test_send_queue_filters(sim: SynwaySimulator, session: aiohttp.ClientSession) -> None:
    await task(session, sim, event="txsms", userid="7", num="10086,10087", port="1,2", smsinfo="x")
    await sim.control("complete_sends", {})
    content = (await query(session, sim, event="querytxsms", taskid="0", num="10087", port="2"))["content"]
    assert content == "[taskid:0:1:7;2:10087:3]"


async def test_outbox_lists_what_was_sent(sim: SynwaySimulator, session: aiohttp.ClientSession) -> None:
    await task(session, sim, event="txsms", num="10086", port="2", smsinfo="Meet at 10:30")
    await sim.control("complete_sends", {})
    sent = (await query(session, sim, event="querysxsms", port="2", num="10086"))["content"]
    assert sent.startswith("total:1;")
    assert sent.endswith(":10086:2:Meet at 10:30:|E")  # recipient, source 2 (API), text
    assert (await query(session, sim, event="querysxsms", num="10087"))["content"] == "total:0"


async def test_send_queue_without_any_usable_port_waits_then_times_out(
    sim: SynwaySimulator, session: aiohttp.ClientSession
) -> None:
    sim.state.send_step = 0.0
    sim.state.send_timeout = 0.05
    await sim.control("remove_sim", {"port": 1})
    await task(session, sim, event="txsms", num="10086", port="1", smsinfo="x")
    assert (await query(session, sim, event="querytxsms", taskid="0"))["content"] == "[taskid:0:1:0;-1:10086:1]"
    await asyncio.sleep(0.1)
    assert (await query(session, sim, event="querytxsms", taskid="0"))["content"] == "[taskid:0:1:0;-1:10086:5]"


# --- control API ----------------------------------------------------------------------------------------------


async def test_control_api_over_http(sim: SynwaySimulator, session: aiohttp.ClientSession) -> None:
    async with session.post(sim.url + "/_sim/deliver_sms", json={"port": 1, "sender": "x", "text": "y"}) as response:
        assert await response.json() == {"inbox": 1}
    async with session.post(sim.url + "/_sim/set_port", json={"port": 9}) as response:
        assert response.status == 400
    async with session.post(sim.url + "/_sim/variants", json={"enable": ["zero-based"]}) as response:
        assert await response.json() == ["zero-based"]
    async with session.get(sim.url + "/_sim/state") as response:
        state = (await response.json())["state"]
    assert state["inbox"] == 1
    assert [port["port"] for port in state["ports"]] == [1, 2, 3, 4]
    async with session.post(sim.url + "/_sim/explode", json={}) as response:
        assert response.status == 404


async def test_control_actions(sim: SynwaySimulator) -> None:
    assert await sim.control("set_clock_offset", {"seconds": 60}) == {"clock_offset": 60.0}
    assert (await sim.control("insert_sim", {"port": 2, "slot": 2}))["iccid"] == sim.state.ports[2].sims[2].iccid  # type: ignore[union-attr]
    await sim.control("remove_sim", {"port": 2, "slot": 2})
    assert sim.state.ports[2].sims[2] is None
    assert sim.state.ports[2].connect_state == 1  # the active slot still has its SIM
    await sim.control("set_number_outcome", {"number": "1", "outcome": "fail"})
    assert await sim.control("set_number_outcome", {"number": "1", "outcome": "ok"}) == {"number": "1", "outcome": "ok"}
    assert sim.state.failing_numbers == set()
    await sim.control("deliver_sms", {"port": 1, "sender": "x", "text": "y"})
    assert await sim.control("clear_inbox", {}) == {"inbox": 0}
    await sim.control("set_port", {"port": 1, "port_state": 3})
    assert sim.snapshot()["ports"][0]["port_state"] == 3


async def test_reboot_reconnects_after_a_while(sim: SynwaySimulator) -> None:
    await sim.control("remove_sim", {"port": 4})
    await sim.control("reboot", {"seconds": 0.05})
    assert [port["connect_state"] for port in sim.snapshot()["ports"]] == [2, 2, 2, 0]
    await asyncio.sleep(0.1)
    assert [port["connect_state"] for port in sim.snapshot()["ports"]] == [1, 1, 1, 0]


async def test_demo_activity_delivers_and_flaps(sim: SynwaySimulator) -> None:
    sim.spawn(sim._demo_loop(period=0.01), name="test-demo")
    for _ in range(100):
        await asyncio.sleep(0.01)
        if len(sim.state.inbox) >= 3:
            break
    assert len(sim.state.inbox) >= 3
    sim.start_demo_activity()  # the real one ticks every minute; stop() cancels both


async def test_demo_flapping_skips_ports_without_sim(synway_factory: SynwayFactory) -> None:
    sim = await synway_factory(ports=1)
    await sim.control("remove_sim", {"port": 1})
    sim.spawn(sim._demo_loop(period=0.01))
    await asyncio.sleep(0.05)
    assert sim.state.ports[1].connect_state == 0
    assert sim.state.inbox
