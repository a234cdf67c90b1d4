"""The Dinstar simulator on its own: control API, validation the real device does, demo activity, CLI."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientSession
import pytest

from simulator import simulator_class
from simulator.__main__ import parse_args
from simulator.dinstar import DinstarSimulator
from simulator.dinstar.state import segments

from .conftest import SimFactory, fixture_bytes


@pytest.fixture
async def open_sim(dinstar_sim: SimFactory) -> DinstarSimulator:
    """A simulator without a login, to talk to it with plain requests."""
    return await dinstar_sim(variants={"no-auth"})


async def _api(session: ClientSession, sim: DinstarSimulator, method: str, path: str, **kwargs: Any) -> Any:
    async with session.request(method, f"{sim.url}{path}", **kwargs) as response:
        assert response.status == 200, await response.text()
        return json.loads(await response.text())


def test_registered_for_the_cli() -> None:
    assert simulator_class("dinstar") is DinstarSimulator
    assert parse_args(["--vendor", "dinstar", "--ports", "8", "--slots", "1"]).vendor == "dinstar"


def test_segments() -> None:
    assert segments("x" * 160, "gsm-7bit") == 1
    assert segments("x" * 161, "gsm-7bit") == 2
    assert segments("x" * 70, "unicode") == 1
    assert segments("x" * 71, "unicode") == 2
    assert segments("Привет" * 20, "gsm-7bit") == 2  # not GSM-7: counted as UCS-2


async def test_spec_requests_are_accepted(open_sim: DinstarSimulator, session: ClientSession) -> None:
    answer = await _api(session, open_sim, "POST", "/api/send_sms", data=fixture_bytes("send_sms_request_param.json"))
    assert answer == {"error_code": 202, "sn": open_sim.serial, "sms_in_queue": 2, "task_id": 1}
    simple = await _api(session, open_sim, "POST", "/api/send_sms", data=fixture_bytes("send_sms_request_simple.json"))
    assert simple["error_code"] == 202
    await open_sim.control("flush", {})
    assert [record.text for record in open_sim.state.sent] == ["bj", "ye", "ye"]
    assert {record.port for record in open_sim.state.sent[:2]} <= {2, 3}
    deliver = await _api(
        session,
        open_sim,
        "POST",
        "/api/query_sms_deliver_status",
        data=fixture_bytes("query_sms_deliver_status_request.json"),
    )
    assert deliver == {"error_code": 200, "sn": open_sim.serial, "result": []}
    ussd = await _api(session, open_sim, "POST", "/api/send_ussd", data=fixture_bytes("send_ussd_request.json"))
    assert [row["status"] for row in ussd["result"]] == [200, 200, 200]
    port_info = await _api(
        session, open_sim, "GET", "/api/get_port_info?port=1,2,3&info_type=imei,imsi,iccid,smsc,type,number,reg,slot"
    )
    assert [row["port"] for row in port_info["info"]] == [1, 2, 3]
    assert set(port_info["info"][0]) == {"port", "imei", "imsi", "iccid", "smsc", "type", "number", "reg", "slot"}
    power = await _api(session, open_sim, "GET", "/api/set_port_info?port=1&action=power&param=off")
    assert power == {"error_code": 200, "sn": open_sim.serial}
    assert not open_sim.state.ports[1].powered
    assert await _api(session, open_sim, "GET", "/api/stop_sms?task_id=1") == {"error_code": 404, "sn": open_sim.serial}


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/api/send_sms", {"param": [{"number": "1"}]}, 400),
        ("/api/send_sms", {"text": "x", "param": []}, 400),
        ("/api/send_sms", {"text": "x", "param": [{"number": "1"}] * 129}, 413),
        ("/api/send_sms", {"text": "x" * 1501, "param": [{"number": "1"}]}, 413),
        ("/api/send_sms", {"text": "x", "param": [{"number": "1"}], "encoding": "utf8"}, 400),
        ("/api/send_sms", {"text": "x", "param": [{"number": "1"}], "request_status_report": "maybe"}, 400),
        ("/api/send_sms", {"text": "x", "param": [{"number": "1" * 25}]}, 400),
        ("/api/send_sms", {"text": "x", "param": ["1"]}, 400),
        ("/api/send_sms", {"text": "x", "param": [{"number": "1", "user_id": -1}]}, 400),
        ("/api/send_sms", {"text": "x", "param": [{"number": "1"}], "port": [32]}, 400),
        ("/api/send_sms", {"text": "x", "param": [{"number": "1"}], "port": {"a": 1}}, 400),
        ("/api/query_sms_result", {"number": ["1"] * 33}, 413),
        ("/api/query_sms_result", {"time_after": "yesterday"}, 400),
        ("/api/query_sms_deliver_status", {"number": ["1"] * 33}, 413),
        ("/api/send_ussd", {"port": [0], "text": ""}, 400),
        ("/api/send_ussd", {"port": [0], "text": "*" * 61}, 400),
        ("/api/send_ussd", {"text": "*100#"}, 400),
        ("/api/send_ussd", {"port": [0], "text": "*1#", "command": "repeat"}, 400),
        ("/api/query_ussd_reply", {}, 400),
        ("/api/stop_sms", {"task_id": "x"}, 400),
        ("/api/query_incoming_sms", {"flag": "new"}, 400),
        ("/api/get_port_info", {"info_type": ["colour"]}, 400),
        ("/api/set_port_info", {"port": 0, "action": "explode"}, 400),
        ("/api/set_port_info", {"port": [0, 1], "action": "reset"}, 400),
        ("/api/set_port_info", {"port": 0, "action": "slot", "param": "1"}, 400),
        ("/api/set_port_info", {"port": 0, "action": "power", "param": "maybe"}, 400),
        ("/api/set_port_info", {"port": 0, "action": "imei", "param": "123"}, 400),
        ("/api/set_port_info", {"port": 0, "action": "number", "param": ""}, 400),
        ("/api/set_port_info", {"port": 0, "action": "lock", "param": "0000"}, 500),
        ("/api/set_port_info", {"port": 0, "action": "CallForward", "param": "Sometimes", "number": "1"}, 400),
        ("/api/get_status", {"cpu": ""}, 400),
        ("/STKGo", {"port": 0}, 400),
        ("/STKGo", {"port": 0, "item": "x"}, 400),
    ],
)
async def test_bad_requests(
    open_sim: DinstarSimulator, session: ClientSession, path: str, body: dict[str, Any], code: int
) -> None:
    answer = await _api(session, open_sim, "POST", path, json=body)
    assert answer == {"error_code": code, "sn": open_sim.serial}


async def test_bad_bodies(open_sim: DinstarSimulator, session: ClientSession) -> None:
    assert (await _api(session, open_sim, "POST", "/api/get_cdr", data=b"{oops"))["error_code"] == 400
    assert (await _api(session, open_sim, "POST", "/api/get_cdr", data=b'"text"'))["error_code"] == 400
    answer = await _api(session, open_sim, "GET", "/api/get_port_info?info_type=type&port=x")
    assert answer["error_code"] == 400


async def test_number_and_checks_without_sim(open_sim: DinstarSimulator, session: ClientSession) -> None:
    await open_sim.control("remove_sim", {"port": 1})
    number = await _api(session, open_sim, "GET", "/api/set_port_info?port=0&action=number&param=123")
    assert number["error_code"] == 500
    check = await _api(session, open_sim, "GET", "/api/set_port_info?port=0&action=CheckCallForward")
    assert check["error_code"] == 500
    await open_sim.control("insert_sim", {"port": 1})
    assert open_sim.state.ports[0].registered


async def test_pin_locked_sim_needs_pin_after_reset(open_sim: DinstarSimulator, session: ClientSession) -> None:
    await _api(session, open_sim, "GET", "/api/set_port_info?port=0&action=lock&param=1234")
    await _api(session, open_sim, "GET", "/api/set_port_info?port=0&action=reset")
    assert open_sim.state.ports[0].reg == "PIN_REQUIRE"


async def test_control_api_over_http(open_sim: DinstarSimulator, session: ClientSession) -> None:
    async with session.post(
        f"{open_sim.url}/_sim/deliver_sms", json={"port": 2, "text": "hi", "number": "123"}
    ) as resp:
        assert await resp.json() == {"incoming_sms_id": 1}
    async with session.post(f"{open_sim.url}/_sim/nonsense", json={}) as resp:
        assert resp.status == 404
    async with session.post(f"{open_sim.url}/_sim/configure", json={"colour": "red"}) as resp:
        assert resp.status == 400
    async with session.post(f"{open_sim.url}/_sim/set_signal", json={"port": 100, "signal": 3}) as resp:
        assert resp.status == 400
    async with session.post(f"{open_sim.url}/_sim/remove_sim", json={"port": 1, "slot": 7}) as resp:
        assert resp.status == 400
    async with session.post(f"{open_sim.url}/_sim/insert_sim", json={"port": 1, "slot": 7}) as resp:
        assert resp.status == 400
    async with session.get(f"{open_sim.url}/_sim/state") as resp:
        state = await resp.json()
    assert state["vendor"] == "dinstar"
    assert state["state"]["inbox"] == 1
    assert state["state"]["ports"][1]["reg"] == "REGISTER_OK"
    assert state["variants"] == ["no-auth"]


async def test_configure_and_snapshot(open_sim: DinstarSimulator) -> None:
    settings = await open_sim.control(
        "configure", {"send_interval": 0.5, "nonce_ttl": 10, "lockout_after": 2, "method_reject_status": 405}
    )
    assert (settings["send_interval"], settings["nonce_ttl"], settings["lockout_after"]) == (0.5, 10, 2)
    assert open_sim.auth.nonce_ttl == 10
    await open_sim.control("set_signal", {"port": 1, "signal": 7})
    await open_sim.control("set_busy", {"port": 1, "busy": True})
    await open_sim.control("raise_exception", {"port": 1})
    snapshot = open_sim.snapshot()
    assert (snapshot["ports"][0]["signal"], snapshot["ports"][0]["busy"]) == (7, True)
    assert snapshot["serial"] == open_sim.serial
    assert not snapshot["locked_out"]


async def test_strict_method_rejection_status(dinstar_sim: SimFactory, session: ClientSession) -> None:
    sim = await dinstar_sim(variants={"no-auth", "strict-methods"})
    sim.method_reject_status = 405
    async with session.post(f"{sim.url}/api/get_port_info", json={"info_type": ["type"]}) as resp:
        assert resp.status == 405
    async with session.get(f"{sim.url}/api/query_sms_queue") as resp:
        assert resp.status == 404


async def test_send_fails_when_ports_drop_while_queued(open_sim: DinstarSimulator, session: ClientSession) -> None:
    open_sim.send_interval = 10.0
    await _api(session, open_sim, "POST", "/api/send_sms", json={"text": "x", "param": [{"number": "1"}], "port": [0]})
    await open_sim.control("set_reg", {"port": 1, "reg": "NO_SIM"})
    await open_sim.control("flush", {})
    assert [record.status for record in open_sim.state.sent] == ["FAILED"]


TABLE_NAMES = "remain_daily_calltime,remain_hourly_calltime,remain_daily_connect"
EXAMPLE_NAMES = "remain_daily_call_time,remain_hourly_call_time,remain_daily_connected"


@pytest.mark.parametrize(
    ("variant", "asked", "answered"),
    [
        (None, TABLE_NAMES, TABLE_NAMES),
        (None, EXAMPLE_NAMES, EXAMPLE_NAMES),  # what clients written against real devices ask for
        ("alt-field-names", EXAMPLE_NAMES, TABLE_NAMES),
        ("example-field-names", TABLE_NAMES, EXAMPLE_NAMES),  # the spec's example request and answer
    ],
)
async def test_port_info_accepts_both_spellings(
    dinstar_sim: SimFactory, session: ClientSession, variant: str | None, asked: str, answered: str
) -> None:
    sim = await dinstar_sim(variants={"no-auth", *([variant] if variant else [])})
    answer = await _api(session, sim, "GET", f"/api/get_port_info?port=0&info_type={asked}")
    expected = {name: "10" if "hourly" in name else "100" for name in answered.split(",")}
    assert answer["info"] == [{"port": 0, **expected}]


async def test_port_info_answers_the_spec_example_request(open_sim: DinstarSimulator, session: ClientSession) -> None:
    # The spec's example request, `remain_daily_credit:` typo included, asked by POST as some clients do.
    names = (
        "imei,imsi,iccid,smsc,type,number,reg,slot,callstate,signal,gprs,remain_credit,remain_monthly_credit,"
        "remain_daily_credit:,remain_daily_calltime,remain_hourly_calltime,remain_daily_connect"
    )
    answer = await _api(session, open_sim, "POST", "/api/get_port_info", json={"port": [1], "info_type": names})
    [row] = answer["info"]
    assert set(row) == {"port", *names.replace(":", "").split(",")}
    assert (row["remain_daily_credit"], row["remain_daily_calltime"]) == ("300.00", "100")


async def test_call_forwarding_is_answered_as_in_the_spec(open_sim: DinstarSimulator, session: ClientSession) -> None:
    for asked in ("CallForward", "CallForwarding"):
        answer = await _api(session, open_sim, "GET", f"/api/get_port_info?port=0&info_type={asked}")
        assert answer["info"] == [{"port": 0, "CallForwarding": {}}]


async def test_queued_messages_are_listed_as_sending(open_sim: DinstarSimulator, session: ClientSession) -> None:
    open_sim.send_interval = 10.0
    recipients = [{"number": "1", "user_id": 7}, {"number": "2", "user_id": 8}]
    send = {"text": "x" * 200, "encoding": "gsm-7bit", "param": recipients, "port": [1]}
    task = await _api(session, open_sim, "POST", "/api/send_sms", json=send)
    queued = await _api(session, open_sim, "POST", "/api/query_sms_result", json={"user_id": [7, 8]})
    assert [
        (row["user_id"], row["port"], row["status"], row["count"], row["succ_count"]) for row in queued["result"]
    ] == [
        (7, 1, "SENDING", 2, 0),
        (8, 1, "SENDING", 2, 0),
    ]
    assert {"number", "time", "ref_id", "imsi"} <= set(queued["result"][0])
    assert queued["result"][0]["ref_id"] != queued["result"][1]["ref_id"]
    await open_sim._send_one()
    after_one = await _api(session, open_sim, "POST", "/api/query_sms_result", json={"user_id": [7, 8]})
    assert [row["status"] for row in after_one["result"]] == ["SENT_OK", "SENDING"]
    await _api(session, open_sim, "GET", f"/api/stop_sms?task_id={task['task_id']}")
    stopped = await _api(session, open_sim, "POST", "/api/query_sms_result", json={})
    assert [(row["user_id"], row["status"]) for row in stopped["result"]] == [(7, "SENT_OK")]


async def test_held_sends_wait_in_the_queue_until_released(open_sim: DinstarSimulator, session: ClientSession) -> None:
    open_sim.send_interval = 0.01
    assert await open_sim.control("hold_sends", {}) == {"held": True, "queued": 0}
    send = {"text": "x", "param": [{"number": str(n), "user_id": n} for n in (1, 2)], "port": [0]}
    await _api(session, open_sim, "POST", "/api/send_sms", json=send)
    await asyncio.sleep(0.1)
    assert (await _api(session, open_sim, "GET", "/api/query_sms_in_queue"))["in_queue"] == 2
    assert await open_sim.control("hold_sends", {"hold": False}) == {"held": False, "queued": 2}
    for _ in range(100):
        if not open_sim.state.queue:
            break
        await asyncio.sleep(0.02)
    assert (await _api(session, open_sim, "GET", "/api/query_sms_in_queue"))["in_queue"] == 0
    assert [record.number for record in open_sim.state.sent] == ["1", "2"]


async def test_a_queued_message_moves_to_a_port_that_can_send(
    open_sim: DinstarSimulator, session: ClientSession
) -> None:
    open_sim.send_interval = 10.0
    send = {"text": "x", "param": [{"number": "1", "user_id": 1}], "port": [0, 1]}
    await _api(session, open_sim, "POST", "/api/send_sms", json=send)
    [queued] = (await _api(session, open_sim, "POST", "/api/query_sms_result", json={}))["result"]
    await open_sim.control("set_reg", {"port": queued["port"] + 1, "reg": "NO_SIM"})
    await open_sim.control("flush", {})
    [sent] = (await _api(session, open_sim, "POST", "/api/query_sms_result", json={}))["result"]
    assert (sent["status"], sent["port"]) == ("SENT_OK", 1 - queued["port"])


async def test_a_reboot_forgets_queued_messages(open_sim: DinstarSimulator, session: ClientSession) -> None:
    open_sim.send_interval = 10.0
    await _api(session, open_sim, "POST", "/api/send_sms", json={"text": "x", "param": [{"number": "1"}]})
    await open_sim.control("reboot", {})
    assert (await _api(session, open_sim, "POST", "/api/query_sms_result", json={}))["result"] == []
    assert open_sim.snapshot()["queue"] == 0


async def test_ussd_cancelled_before_the_reply(open_sim: DinstarSimulator, session: ClientSession) -> None:
    open_sim.ussd_delay = 0.1
    await _api(session, open_sim, "POST", "/api/send_ussd", json={"port": [0], "text": "*100#"})
    await _api(session, open_sim, "POST", "/api/send_ussd", json={"port": [0], "command": "cancel"})
    await asyncio.sleep(0.3)
    assert open_sim.state.ports[0].ussd_reply == ""


async def test_multi_sim_register_push_has_slot(dinstar_sim: SimFactory) -> None:
    sim = await dinstar_sim(ports=1, slots=2, variants={"no-auth"})
    row = sim._register_row(sim.state.ports[0], sim.state.ports[0].card, up=True)
    assert row["slot"] == 0
    await sim.control("remove_sim", {"port": 1, "slot": 2})
    assert sim.state.ports[0].registered  # the inactive slot was emptied


async def test_time_filters(open_sim: DinstarSimulator, session: ClientSession) -> None:
    await open_sim.control("add_call", {"port": 1})
    window = {"time_after": "2000-01-01 00:00:00", "time_before": "2100-01-01 00:00:00"}
    assert len((await _api(session, open_sim, "POST", "/api/get_cdr", json=window))["cdr"]) == 1
    late = {"time_after": "2100-01-01 00:00:00"}
    assert (await _api(session, open_sim, "POST", "/api/get_cdr", json=late))["cdr"] == []


async def test_demo_activity(open_sim: DinstarSimulator) -> None:
    open_sim.spawn(open_sim._demo_loop(period=0.01))
    await asyncio.sleep(0.3)
    assert open_sim.state.inbox
    assert open_sim.state.cdrs
    assert all(port.registered for port in open_sim.state.ports)
    open_sim.start_demo_activity()  # the real one waits a minute; it must start cleanly


async def test_demo_skips_without_registered_ports(open_sim: DinstarSimulator) -> None:
    for port in range(4):
        await open_sim.control("set_reg", {"port": port + 1, "reg": "NO_SIM"})
    open_sim.spawn(open_sim._demo_loop(period=0.01))
    await asyncio.sleep(0.1)
    assert open_sim.state.inbox == []
