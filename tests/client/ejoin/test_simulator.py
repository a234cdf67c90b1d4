"""The simulator on its own: answer shapes against the spec examples, tolerance, refusals, control API, demo."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import sys
import time
from typing import Any

import aiohttp
import pytest

from simulator import simulator_class
from simulator.__main__ import parse_args
from simulator.ejoin import EjoinSimulator
from simulator.ejoin.wire import label, letters, parse_label, parse_numbers, parse_ports, report_label

from .conftest import PushReceiver, load, make_fast, push_type, wait_until


async def call(
    session: aiohttp.ClientSession,
    sim: EjoinSimulator,
    method: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    body: Any = None,
    raw: bytes | None = None,
    credentials: bool = True,
) -> tuple[int, Any]:
    query = {"username": sim.username, "password": sim.password} if credentials else {}
    query.update(params or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    async with session.request(method, f"{sim.url}{path}", params=query, data=data) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text


def keys(obj: dict[str, Any]) -> set[str]:
    return set(obj)


# --- answer shapes follow the spec examples -----------------------------------------------------------------


async def test_status_answer_has_the_shape_of_the_spec_example(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.variants |= {"max_slot", "label_dotted"}
    example = load("dev_status_example.json")
    status, body = await call(session, sim, "GET", "/goip_get_status.html")
    assert status == 200
    assert keys(body) == keys(example)
    assert keys(body["status"][0]) == keys(example["status"][0])
    assert body["status"][0]["port"] == "1.01"
    assert isinstance(body["status"][0]["st"], int)
    assert len(body["status"]) == 4  # active slots only without all_sims


async def test_port_status_push_has_the_documented_fields(
    sim: EjoinSimulator, session: aiohttp.ClientSession, receiver: PushReceiver
) -> None:
    await call(session, sim, "GET", "/goip_get_status.html", params={"url": receiver.url})
    sim.variants.add("status_string")
    sim.set_sim_status(2, None, 3)
    push = await receiver.wait_for(push_type("port-status"))
    body = json.loads(push.body)
    documented = load("port_status_example.json")
    assert keys(documented) <= keys(body)
    assert (body["port"], body["status"], body["seq"]) == ("2A", "3 Registered", 1)
    assert push.content_type == "application/json;charset=utf-8"


async def test_send_and_task_answers_have_the_shape_of_the_spec(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.send_interval = 5
    _, sent = await call(session, sim, "POST", "/goip_post_sms.html", body=load("send_sms_request.json"))
    assert sent == load("send_sms_response.json")
    _, tasks = await call(
        session,
        sim,
        "GET",
        "/goip_get_tasks.html",
        params={"version": "1.1", "port": "1", "pos": "0", "has_content": "1"},
    )
    example = load("get_tasks_response.json")
    assert keys(tasks) == keys(example)
    assert keys(tasks["tasks"][0]) == keys(example["tasks"][0])
    assert tasks["tasks"][0] == {
        "tid": 1223,
        "state": 0,
        "from": "",
        "to": "13686876620",
        "chs": "utf8",
        "coding": 0,
        "sms": "hello123",
    }
    _, without_text = await call(session, sim, "GET", "/goip_get_tasks.html", params={"port": "1"})
    assert "sms" not in without_text["tasks"][0]
    _, paused = await call(session, sim, "POST", "/goip_pause_sms.html", body={"tids": [1223]})
    assert paused == {"code": 200, "reason": "OK", "results": [{"tid": 1223, "status": "0 OK"}]}
    _, beyond = await call(session, sim, "GET", "/goip_get_tasks.html", params={"port": "1", "pos": "5"})
    assert (beyond["total_num"], beyond["task_num"], beyond["tasks"]) == (1, 0, [])


async def test_inbox_answer_has_the_shape_of_the_spec(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    sim.deliver_sms(1, 2, "10010", "hi", recipient="13265825775")
    _, body = await call(session, sim, "GET", "/goip_get_sms.html", params={"sms_id": "1", "sms_num": "0"})
    example = load("get_sms_response.json")
    assert keys(body) == keys(example)
    (row,) = body["data"]
    assert row[:5] == [0, "1B", row[2], "10010", "13265825775"]
    assert base64.b64decode(row[5]).decode() == "hi"
    assert (body["code"], body["sms_num"], body["next_sms"]) == (0, 1, 2)
    _, later = await call(session, sim, "GET", "/goip_get_sms.html", params={"sms_id": "7"})
    assert (later["data"], later["next_sms"]) == ([], 7)


async def test_command_and_parameter_answers(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    _, switched = await call(session, sim, "POST", "/goip_send_cmd.html", body=load("command_switch_request.json"))
    assert switched == load("command_response.json")
    assert sim.ports[1].active == 2
    _, written = await call(session, sim, "POST", "/goip_send_cmd.html", params={"op": "set"}, raw=b"ttl=99")
    assert keys(written) == keys(load("op_set_response.json"))
    assert written["par_set"] == 1
    _, read = await call(session, sim, "POST", "/goip_send_cmd.html", params={"op": "get"}, raw=b"ttl&sim_imei(0)")
    assert read == {"code": 0, "reason": "OK", "ttl": "99", "sim_imei(0)": sim.ports[0].slots[0].imei}


async def test_statistics_answers_have_the_documented_fields(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    _, sms = await call(session, sim, "GET", "/goip_get_sms_stat.html", params={"ports": "1-2,4", "type": "3"})
    assert keys(sms) == keys(load("sms_stat_response.json"))
    assert keys(sms["stats"][0]) == keys(load("sms_stat_response.json")["stats"][0])
    assert [(s["port"], s["slot"]) for s in sms["stats"]] == [(1, 1), (2, 1), (4, 1)]  # current card
    _, calls = await call(session, sim, "GET", "/goip_get_call_stat.html", params={"slots": "all"})
    assert keys(calls["stats"][0]) == keys(load("call_stat_response.json")["stats"][0])
    assert calls["count"] == 8
    for params in ({"ports": "x"}, {"slots": "9"}, {"type": "7"}):
        _, refused = await call(session, sim, "GET", "/goip_get_call_stat.html", params=params)
        assert refused["code"] == 400


async def test_esim_and_proxy_answers(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    _, esims = await call(session, sim, "GET", "/goip_get_esims.html", params={"ports": "1"})
    example = load("esims_response.json")
    assert keys(esims) == keys(example)
    assert keys(esims["ports"][0]) == keys(example["ports"][0])
    assert keys(esims["ports"][0]["profiles"][0]) == keys(example["ports"][0]["profiles"][0])
    _, state = await call(session, sim, "GET", "/proxy", params={"mode": "http", "state": "1"})
    assert keys(state) == keys(load("proxy_state_response.json"))
    _, config = await call(session, sim, "GET", "/proxy", params={"mode": "socks5"})
    assert keys(config) == keys(load("proxy_config_response.json"))
    _, users = await call(session, sim, "GET", "/proxy_user", params={"mode": "http"})
    assert keys(users) == keys(load("proxy_user_response.json"))
    _, urls = await call(session, sim, "GET", "/proxy_white_list", params={"mode": "http"})
    assert keys(urls) == keys(load("proxy_white_list_response.json"))
    _, log = await call(session, sim, "GET", "/proxy_access_log", params={"mode": "http"})
    assert keys(log) == {"code", "reason", "mode", "enabled"}
    _, ips = await call(session, sim, "GET", "/ip_black_list")
    assert keys(ips) == keys(load("ip_black_list_response.json"))


# --- tolerance and refusals ---------------------------------------------------------------------------------


async def test_credentials_are_read_case_insensitively(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    status, _ = await call(
        session,
        sim,
        "GET",
        "/goip_get_status.html",
        params={"Username": "root", "password": sim.password},
        credentials=False,
    )
    assert status == 200
    status, body = await call(session, sim, "GET", "/goip_get_status.html", credentials=False)
    assert (status, body) == (401, "401 Unauthorized")


async def test_session_cookie_variant(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    sim.variants.add("session_cookie")
    async with session.get(
        f"{sim.url}/goip_get_status.html", params={"username": "root", "password": sim.password}
    ) as response:
        assert response.cookies["websession"].value == f"ejoin-{sim.ssrc}"


@pytest.mark.parametrize(
    ("task", "status"),
    [
        ("not a task", "15 Invalid CMD"),
        ({"to": "1", "sms": "x"}, "11 TID Expected"),
        ({"tid": 1, "sms": "x"}, "9 TO expected"),
        ({"tid": 1, "to": "1"}, "8 SMS expected"),
        ({"tid": 1, "to": "1", "sms": "x", "from": "1Z"}, "2 Invalid Port"),
        ({"tid": 1, "to": "1", "smstype": 1}, "17 MMS Title expected"),
        ({"tid": 1, "to": "1", "smstype": 1, "smstitle": "t"}, "19 MMS Attachments expected"),
        (
            {"tid": 1, "to": "1", "smstype": 2, "smstitle": "t", "attachments": "png|AAAA"},
            "19 MMS Attachments expected",
        ),
        (
            {"tid": 1, "to": "1", "smstype": 1, "smstitle": "t", "attachments": ";".join(["txt|AA"] * 6)},
            "18 Too Many MMS Attachments",
        ),
        (
            {"tid": 1, "to": "1", "smstype": 1, "smstitle": "t", "attachments": "jpg|" + "A" * 140000},
            "20 MMS Attachments Cache Overlimit",
        ),
        ({"tid": 1, "to": "1", "smstype": "1", "smstitle": " ", "attachments": "jpg|AAAA"}, "17 MMS Title expected"),
        (
            {"tid": 1, "to": "1", "smstype": 1, "smstitle": "t", "attachments": "jpg|!!!!"},
            "19 MMS Attachments expected",
        ),
        ({"tid": 1, "to": "1", "smstype": 1, "smstitle": "t", "attachments": " ; "}, "19 MMS Attachments expected"),
    ],
)
async def test_refused_tasks(sim: EjoinSimulator, session: aiohttp.ClientSession, task: object, status: str) -> None:
    _, body = await call(session, sim, "POST", "/goip_post_sms.html", body={"type": "send-sms", "tasks": [task]})
    assert body["status"][0]["status"] == status
    assert sim.queue == []


async def test_mms_tasks_are_read_liberally_and_kept(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    """Blanks, line breaks, missing padding, upper-case kinds, `jpeg`, a trailing `;`, a list, `smstype` as a string."""
    sim.send_interval = 5
    tasks = [
        {
            "tid": 7,
            "to": "+4915111,+4915122",
            "sms": "look",
            "smstype": "2",
            "smstitle": "Holiday",
            "attachments": " JPEG|/9j/\n4A ; txt|aGk ;",
        },
        {"tid": 8, "to": "+4915133", "smstype": 1, "smstitle": "Song", "attachments": ["mp3|SUQz"]},
    ]
    _, answer = await call(session, sim, "POST", "/goip_post_sms.html", body={"type": "send-sms", "tasks": tasks})
    assert [status["status"] for status in answer["status"]] == ["0 OK", "0 OK"]
    first, second = sim.accepted_tasks
    assert (first.sms_type, first.mms_title, first.text, first.recipients) == (
        2,
        "Holiday",
        "look",
        ["+4915111", "+4915122"],
    )
    assert first.attachments == [("jpg", b"\xff\xd8\xff\xe0"), ("txt", b"hi")]
    assert (second.sms_type, second.attachments) == (1, [("mp3", b"ID3")])


async def test_send_options_are_kept_and_the_interval_spaces_a_task(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.send_interval = 0.01
    task = {"tid": 9, "to": "+4915111,+4915122", "sms": "x", "smsc": " +49177 ", "intvl": "300", "tmo": "45"}
    _, answer = await call(session, sim, "POST", "/goip_post_sms.html", body={"tasks": [task]})
    assert answer["status"][0]["status"] == "0 OK"
    (accepted,) = sim.accepted_tasks
    assert (accepted.smsc, accepted.interval_ms, accepted.timeout) == ("+49177", 300, 45)
    await asyncio.sleep(0.15)
    assert len(sim.sent_log) <= 1  # the second SMS waits for the interval
    await wait_until(lambda: len(sim.sent_log) == 2)


async def test_full_queue_and_base64_tasks(
    sim: EjoinSimulator, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulator.ejoin.server as module

    sim.send_interval = 5
    task = {"tid": 1, "to": "1", "sms": base64.b64encode("ünïcode".encode()).decode().rstrip("="), "chs": "base64"}
    _, accepted = await call(session, sim, "POST", "/goip_post_sms.html", body={"tasks": [task]})
    assert accepted["status"][0]["status"] == "0 OK"
    assert sim.queue[0].text == "ünïcode"
    monkeypatch.setattr(module, "MAX_QUEUE", 1)
    _, full = await call(session, sim, "POST", "/goip_post_sms.html", body={"tasks": [task | {"tid": 2}]})
    assert full["status"][0]["status"] == "16 Too Many Task"


async def test_malformed_requests(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    assert (await call(session, sim, "POST", "/goip_post_sms.html", raw=b"{oops"))[1]["code"] == 400
    assert (await call(session, sim, "POST", "/goip_send_cmd.html", raw=b"[1]"))[1]["code"] == 15
    assert (await call(session, sim, "POST", "/goip_send_cmd.html", body={"op": "multiple", "ops": []}))[1][
        "code"
    ] == 15
    assert (await call(session, sim, "POST", "/goip_send_cmd.html", body={"op": "multiple", "ops": ["x"]}))[1][
        "code"
    ] == 15
    assert (await call(session, sim, "POST", "/goip_send_cmd.html", body={"op": "dance"}))[1]["code"] == 15
    assert (await call(session, sim, "POST", "/goip_send_cmd.html", body={"op": "switch", "ports": "2"}))[1][
        "code"
    ] == 2
    assert (await call(session, sim, "POST", "/goip_send_cmd.html", body={"op": "lock", "ports": "1E"}))[1]["code"] == 2
    assert (await call(session, sim, "POST", "/goip_pause_sms.html", body={"tids": "x"}))[1]["code"] == 400
    assert (await call(session, sim, "GET", "/goip_get_tasks.html", params={"port": "x"}))[1]["code"] == 2
    assert (await call(session, sim, "GET", "/goip_send_ussd.html", params={"port": "1"}))[1]["code"] == 3
    assert (await call(session, sim, "GET", "/goip_send_ussd.html", params={"port": "x"}))[1]["code"] == 2
    assert (await call(session, sim, "GET", "/goip_get_esims.html", params={"ports": "0"}))[1]["code"] == 400
    assert (await call(session, sim, "POST", "/goip_write_esims.html", body={"port": 1}))[1]["code"] == 400
    _, invalid_item = await call(session, sim, "POST", "/goip_write_esims.html", body=["x"])
    assert invalid_item["results"][0]["status"] == 3


async def test_commands_from_the_query_string(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    status, body = await call(session, sim, "POST", "/goip_send_cmd.html", params={"op": "lock", "ports": "all,*"})
    assert (status, body) == (200, {"code": 0, "reason": "OK"})
    assert all(slot.locked for port in sim.ports for slot in port.slots)


async def test_set_and_get_inside_a_json_command(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    await call(
        session, sim, "POST", "/goip_send_cmd.html", body={"type": "command", "op": "set", "sms_url": "http://x"}
    )
    assert sim.sms_url == "http://x"
    _, body = await call(
        session, sim, "GET", "/goip_send_cmd.html", params={"op": "get", "sms_url": "", "port_rx_tx(9)": ""}
    )
    assert body == {"code": 0, "reason": "OK", "sms_url": "http://x"}


@pytest.mark.parametrize(
    ("name", "value", "taken"),
    [
        ("sim_imei(99)", "490154203237518", False),
        ("sim_imei(0)", "12345", False),
        ("sim_number(1)", "+4915", True),
        ("port_public_ip(99)", "1.2.3.4", False),
        ("foo(1)", "x", False),
        ("data_service_enable", "2", False),
        ("ttl", "300", False),
        ("sms_url", "", True),
    ],
)
async def test_set_parameters(
    sim: EjoinSimulator, session: aiohttp.ClientSession, name: str, value: str, taken: bool
) -> None:
    _, body = await call(
        session, sim, "POST", "/goip_send_cmd.html", params={"op": "set"}, raw=f"{name}={value}".encode()
    )
    assert body["par_set"] == int(taken)


async def test_get_parameters_that_do_not_exist(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    _, body = await call(
        session, sim, "GET", "/goip_send_cmd.html", params={"op": "get", "sim_number(99)": "", "odd(1)": ""}
    )
    assert body == {"code": 0, "reason": "OK"}


async def test_ip_list_refusals(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    assert (await call(session, sim, "POST", "/ip_white_list", raw=b"oops"))[1]["code"] == 400
    assert (await call(session, sim, "POST", "/ip_white_list", body={"enable": 5}))[1]["code"] == 400
    _, ok = await call(session, sim, "POST", "/ip_black_list", body={"enable": 1, "added_set": ["1.2.3.4"]})
    assert ok["code"] == 0
    assert sim.proxy.ip_lists["ip_black_list"].enabled


@pytest.mark.parametrize(
    ("path", "params", "body", "reason"),
    [
        ("/proxy", {"mode": "ftp"}, None, "Invalid mode"),
        ("/proxy", {"mode": "http", "op": "jump"}, {}, "Invalid operation"),
        ("/proxy_access_log", {"mode": "http", "op": "add"}, {}, "Invalid operation"),
        ("/proxy", {"mode": "http", "op": "add"}, {"proxies": "x"}, "Invalid body"),
        ("/proxy", {"mode": "http", "op": "add"}, {"proxies": [{"name": ""}]}, "Invalid name"),
        ("/proxy_white_list", {"mode": "http", "op": "update"}, {"urls": ["a"]}, "Invalid urls"),
        ("/proxy_user", {"mode": "http", "op": "delete"}, {"users": [{"name": "ghost"}]}, "Not found"),
    ],
)
async def test_proxy_refusals(
    sim: EjoinSimulator, session: aiohttp.ClientSession, *, path: str, params: dict[str, str], body: Any, reason: str
) -> None:
    method = "GET" if body is None else "POST"
    _, answer = await call(session, sim, method, path, params=params, body=body)
    assert (answer["code"], answer["reason"]) == (400, reason)


async def test_proxy_posts_without_a_body_and_white_list_urls(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    _, enabled = await call(session, sim, "POST", "/proxy_user", params={"mode": "http", "op": "enabled"})
    assert enabled["code"] == 0
    await call(session, sim, "POST", "/proxy_white_list", params={"mode": "http", "op": "enabled"}, body={})
    await call(
        session, sim, "POST", "/proxy_white_list", params={"mode": "http", "op": "add"}, body={"urls": ["a", "a"]}
    )
    _, urls = await call(session, sim, "GET", "/proxy_white_list", params={"mode": "http"})
    assert (urls["enabled"], urls["urls"]) == (1, ["a"])
    _, missing_mode = await call(session, sim, "POST", "/proxy", params={"op": "enabled"})
    assert missing_mode["code"] == 400


async def test_encrypted_session_refusals(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    _, refused = await call(
        session, sim, "GET", "/crypt_sess.json", params={"cnonce": "x", "auth": "y"}, credentials=False
    )
    assert refused == {"code": 1, "desc": "Invalid auth"}
    status, _ = await call(
        session,
        sim,
        "GET",
        "/goip_get_status.html",
        params={"session": "nope", "seq": "1", "auth": "x"},
        credentials=False,
    )
    assert status == 401


async def test_encrypted_body_that_cannot_be_decrypted(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    from custom_components.gsm_gateway.client.ejoin.encryption import CryptMode, CryptSession, handshake

    start = handshake("root", sim.password, CryptMode.AES)
    _, opened = await call(session, sim, "GET", "/crypt_sess.json", params=start.params, credentials=False)
    crypt = CryptSession(
        username="root",
        password=sim.password,
        mode=CryptMode.AES,
        session=opened["session"],
        first_auth=start.auth,
        expires_at=1e18,
    )
    signature, _ = crypt.sign("/goip_pause_sms.html")
    status, _ = await call(
        session, sim, "POST", "/goip_pause_sms.html", params=signature, raw=b"short", credentials=False
    )
    assert status == 401
    replay, _ = await call(session, sim, "POST", "/goip_pause_sms.html", params=signature, raw=b"", credentials=False)
    assert replay == 401  # a sequence number is only good once


# --- behaviour ----------------------------------------------------------------------------------------------


async def test_status_target_only_moves_with_url(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    sim.min_status_period = 60
    await call(session, sim, "GET", "/goip_get_status.html", params={"url": "http://a/", "period": "30"})
    assert (sim.status_url, sim.status_period) == ("http://a/", 60)  # clamped to the device's minimum
    await call(session, sim, "GET", "/goip_get_status.html", params={"all_sims": "1"})
    assert sim.status_url == "http://a/"
    await call(session, sim, "GET", "/goip_get_status.html", params={"url": "http://b/"})
    assert (sim.status_url, sim.status_period) == ("http://b/", 60)
    await call(session, sim, "GET", "/goip_get_status.html", params={"period": "0"})
    assert (sim.status_url, sim.status_period) == ("http://b/", 0)
    await call(session, sim, "GET", "/goip_get_status.html", params={"url": ""})
    assert sim.status_url is None


async def test_a_task_from_a_port_without_a_usable_sim_is_refused(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.set_sim_present(3, 1, present=False)
    body = {"tasks": [{"tid": 5, "to": "+49", "sms": "x", "from": "3A"}]}
    _, answer = await call(session, sim, "POST", "/goip_post_sms.html", body=body)
    assert answer["status"] == [{"tid": 5, "status": "5 SIM Unregistered"}]
    assert sim.queue == []


async def test_a_task_whose_sim_drops_out_fails_and_is_reported(
    sim: EjoinSimulator, session: aiohttp.ClientSession, receiver: PushReceiver
) -> None:
    sim.sr_prd = 0.05  # type: ignore[assignment]
    sim.send_interval = 0.2
    body = {"sr_url": receiver.url, "sr_cnt": 10, "tasks": [{"tid": 5, "to": "+49", "sms": "x", "from": "3A"}]}
    await call(session, sim, "POST", "/goip_post_sms.html", body=body)
    sim.set_sim_present(3, 1, present=False)  # accepted, then the SIM is gone before the module sends
    push = await receiver.wait_for(push_type("status-report"))
    (report,) = json.loads(push.body)["rpts"]
    assert report["fdr"] == [[0, "+49", "3.01", report["fdr"][0][3], "5 SIM Unregistered", ""]]
    assert "sdr" not in report
    assert (report["sent"], report["failed"], report["unsent"]) == (0, 1, 0)


async def test_sends_without_from_rotate_over_registered_ports(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.send_interval = 5
    for port in sim.ports:
        port.slots[port.active - 1].status = 6
    tasks = [{"tid": n, "to": "+49", "sms": "x"} for n in (1, 2)]
    await call(session, sim, "POST", "/goip_post_sms.html", body={"tasks": tasks})
    assert [task.ports for task in sim.queue] == [[(1, 1)], [(2, 1)]]  # none registered: every port is a candidate


async def test_removing_a_task_while_it_waits_to_send(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    sim.send_interval = 0.5  # the worker picked the task and waits this long before sending it
    await call(session, sim, "POST", "/goip_post_sms.html", body={"tasks": [{"tid": 9, "to": "+49", "sms": "x"}]})
    await call(session, sim, "POST", "/goip_remove_sms.html", body={"tids": [9]})
    await asyncio.sleep(0.7)
    assert sum(len(slot.counters.sms) for port in sim.ports for slot in port.slots) == 0


async def test_held_sends_wait_in_the_queue_until_released(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    sim.send_interval = 0.01
    await sim.control("hold_sends", {})
    await call(session, sim, "POST", "/goip_post_sms.html", body={"tasks": [{"tid": 4, "to": "+1,+2", "sms": "x"}]})
    await asyncio.sleep(0.1)
    _status, listed = await call(session, sim, "GET", "/goip_get_tasks.html", params={"port": "1", "version": "1.1"})
    assert [task["tid"] for task in listed["tasks"]] == [4]
    assert sim.sent_log == []
    await sim.control("hold_sends", {"hold": False})
    await wait_until(lambda: len(sim.sent_log) == 2)
    assert not sim.queue


async def test_report_buffer_flushes_when_full(
    sim: EjoinSimulator, session: aiohttp.ClientSession, receiver: PushReceiver
) -> None:
    body = {
        "sr_url": receiver.url,
        "sr_cnt": 2,
        "sr_prd": 600,
        "tasks": [{"tid": 1, "to": "+1,+2", "sms": "x", "sdr": 1}],
    }
    await call(session, sim, "POST", "/goip_post_sms.html", body=body)
    push = await receiver.wait_for(push_type("status-report"))
    (report,) = json.loads(push.body)["rpts"]
    assert [detail[1] for detail in report["sdr"]] == ["+1", "+2"]


async def test_reboot_renumbers_the_inbox_and_drops_the_queue(
    sim: EjoinSimulator, session: aiohttp.ClientSession
) -> None:
    sim.send_interval = 5
    for text in ("a", "b", "c"):
        sim.deliver_sms(1, None, "+49", text)
    await call(session, sim, "GET", "/goip_get_sms.html", params={"sms_id": "1", "sms_num": "1", "sms_del": "1"})
    await call(session, sim, "POST", "/goip_post_sms.html", body={"tasks": [{"tid": 1, "to": "+49", "sms": "x"}]})
    old = sim.ssrc
    async with session.post(f"{sim.url}/_sim/reboot", json={}) as response:
        answer = await response.json()
    assert answer["state"]["ssrc"] != old
    assert [(entry.sms_id, entry.text) for entry in sim.inbox] == [(1, "b"), (2, "c")]
    assert (sim.next_sms_id, sim.queue) == (3, [])


async def test_control_api(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    async def control(action: str, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        async with session.post(f"{sim.url}/_sim/{action}", json=params or {}) as response:
            return response.status, await response.json(content_type=None) if response.status == 200 else None

    _, delivered = await control("deliver_sms", {"port": "2B", "sender": "+4915", "text": "hello"})
    assert delivered == {"sms_id": 1, "ssrc": sim.ssrc}
    assert (sim.inbox[0].port, sim.inbox[0].slot) == (2, 2)
    await control("deliver_sms", {"port": 1, "kind": "multipart", "sender": "+4915", "text": "long"})
    assert len(sim.inbox[1].text) > 160
    await control("set_sim_status", {"port": 3, "code": 6})
    assert sim.ports[2].code(1) == 6
    await control("remove_sim", {"port": 4, "slot": 2})
    assert sim.ports[3].slots[1].sim is None
    await control("insert_sim", {"port": 4, "slot": 2})
    assert sim.ports[3].slots[1].sim is not None
    await control("fail_recipients", {"numbers": ["+4900"]})
    assert sim.failing_recipients == {"+4900"}
    await control("esim_fail", {})
    assert sim.esim_fail
    await control("record_call", {"port": 1, "seconds": 30})
    assert sim.ports[0].slots[0].counters.calls[0][1:] == (True, 30)
    await control("set_mms_url", {"url": "http://mms"})
    assert sim.mms_url == "http://mms"
    _, flushed = await control("flush")
    assert flushed["ok"] is True
    assert flushed["state"]["ports"]["3"]["slots"]["1"] == 6
    status, _ = await control("no_such_action")
    assert status == 404
    _, state = await call(session, sim, "GET", "/_sim/state", credentials=False)
    assert state["vendor"] == "ejoin"
    assert state["state"]["inbox"] == 2


async def test_control_without_a_target(sim: EjoinSimulator) -> None:
    assert await sim.deliver_mms(1, "+49", "s", "t", []) is False  # no MMS or SMS URL
    with pytest.raises(ValueError, match="no port 9"):
        sim.deliver_sms(9, None, "+49", "x")
    with pytest.raises(ValueError, match="no port 9"):
        sim.deliver_report(9, None, "+49")


async def test_reregistering_a_slot_without_sim_does_nothing(sim: EjoinSimulator) -> None:
    sim.set_sim_present(1, 1, present=False)
    sim._reregister(sim.ports[0])
    assert sim.ports[0].slots[0].status == 3
    sim.ports[1].slots[0].status = 2
    await sim._registered_later(sim.ports[1], 1)
    assert sim.ports[1].slots[0].status == 3
    sim.ports[1].slots[0].status = 6
    await sim._registered_later(sim.ports[1], 1)
    assert sim.ports[1].slots[0].status == 6  # a state set meanwhile is kept


async def test_demo_activity_delivers_sms(simulator_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sim = make_fast(await simulator_factory("ejoin", ports=2, slots=1))
    real_sleep = asyncio.sleep

    async def quick(delay: float, *args: Any) -> Any:
        return await real_sleep(min(delay, 0.01), *args)

    monkeypatch.setattr("simulator.ejoin.server.asyncio.sleep", quick)
    sim.start_demo_activity()
    await wait_until(lambda: len(sim.inbox) >= 3)
    assert all(entry.port in {1, 2} for entry in sim.inbox)


def test_simulator_is_registered_with_its_defaults() -> None:
    cls = simulator_class("ejoin")
    assert cls is EjoinSimulator
    sim = cls()
    assert (sim.port_count, sim.slot_count, sim.username, sim.password) == (32, 4, "root", "root")
    assert len(sim.ports) == 32
    assert all(len(port.slots) == 4 for port in sim.ports)


def test_sim_bank_command_line() -> None:
    args = parse_args(["--sim-bank", "--variant", "string_numbers"])
    assert (args.vendor, args.ports, args.slots, args.variant) == ("ejoin", 64, 32, ["label_pool", "string_numbers"])
    assert (parse_args(["--sim-bank", "--ports", "8"]).ports, parse_args([]).ports, parse_args([]).slots) == (8, 32, 4)
    assert parse_args([]).variant == []
    with pytest.raises(SystemExit):
        parse_args(["--sim-bank", "--vendor", "dinstar"])


async def test_scripts_simulate_runs_the_largest_box(session: aiohttp.ClientSession) -> None:
    """`python -m simulator --sim-bank` (what `scripts/simulate --sim-bank` runs) serves 64 x 32 pool labels."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulator", "--sim-bank", "--listen", "127.0.0.1:0", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        assert "64 ports x 32 slots" in banner
        url = re.search(r"http://\S+", banner)[0]  # type: ignore[index]
        query = {"username": "root", "password": "root", "all_sims": "1"}
        async with session.get(f"{url}/goip_get_status.html", params=query) as response:
            body = await response.json(content_type=None)
        assert (body["max-ports"], body["max-slots"], len(body["status"])) == (64, 32, 2048)
        assert [row["port"] for row in body["status"][30:33]] == ["1.04.31", "1.04.32", "2.01.01"]
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0  # SIGTERM stops it cleanly


def _fastest_status_answer(ports: int, slots: int) -> float:
    sim = EjoinSimulator(ports=ports, slots=slots)
    sim.variants.add("label_pool")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        json.dumps(sim.dev_status(all_slots=True))
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_the_status_answer_grows_linearly_with_the_box() -> None:
    # 4x the rows must take about 4x the time (16x if building it were quadratic); the fastest of five runs each
    # keeps a busy machine's noise out.
    small, large = _fastest_status_answer(16, 32), _fastest_status_answer(64, 32)
    assert large < 10 * small, f"512 rows: {small * 1000:.1f} ms, 2048 rows: {large * 1000:.1f} ms"


def test_wire_helpers() -> None:
    assert [letters(n) for n in (1, 26, 27, 32)] == ["A", "Z", "AA", "AF"]
    assert parse_label("7af") == (7, 32)
    assert parse_label("3.04") == (3, 4)
    assert parse_label("12") == (12, None)
    assert parse_label("x") is None
    assert parse_label("3.03.17") == (3, 17)  # a SIM-bank pool form
    assert [label(3, 17, variants) for variants in ((), {"label_dotted"}, {"label_pool"})] == ["3Q", "3.17", "3.03.17"]
    assert [label(port, 1, {"label_pool", "label_mixed"}) for port in (1, 2)] == ["1A", "2.01.01"]
    assert [report_label(64, 32, variants) for variants in ((), {"label_pool"})] == ["64.32", "64.04.32"]
    assert parse_ports("1A, 3-4,", 4) == [(1, 1), (3, None), (4, None)]
    assert parse_ports("3-9", 4) is None
    assert parse_numbers("2-3,1,x", 4) is None
    assert parse_numbers("5", 4) is None
    assert parse_numbers(None, 2) == [1, 2]


async def test_signed_request_with_a_wrong_hash(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    from custom_components.gsm_gateway.client.ejoin.encryption import CryptMode, handshake

    start = handshake("root", sim.password, CryptMode.RC4)
    _, opened = await call(session, sim, "GET", "/crypt_sess.json", params=start.params, credentials=False)
    params = {"session": opened["session"], "seq": "1", "auth": "0" * 32}
    status, _ = await call(session, sim, "GET", "/goip_get_status.html", params=params, credentials=False)
    assert status == 401


async def test_black_list_switch_and_boolean_task_ids(sim: EjoinSimulator, session: aiohttp.ClientSession) -> None:
    await call(session, sim, "POST", "/proxy_black_list", params={"mode": "socks5", "op": "enabled"})
    assert sim.proxy.modes["socks5"].black.enabled
    _, body = await call(
        session, sim, "POST", "/goip_post_sms.html", body={"tasks": [{"tid": True, "to": "1", "sms": "x"}]}
    )
    assert body["status"] == [{"tid": True, "status": "11 TID Expected"}]
