"""Request building (commands, parameters, send tasks, task ids) and the small parsers of eSIM, proxy and crypt."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
import json

import pytest

from custom_components.gsm_gateway.client.checks import check_imei
from custom_components.gsm_gateway.client.ejoin.commands import (
    CommandOp,
    EjoinCommand,
    check_parameter_name,
    check_sim_number,
    command_body,
    encode_parameters,
    port_numbers,
    wire_label,
    wire_ports,
)
from custom_components.gsm_gateway.client.ejoin.encryption import (
    CryptMode,
    CryptSession,
    aes_ecb_decrypt,
    aes_ecb_encrypt,
    decrypt,
    encrypt,
    handshake,
    md5_hex,
    rc4,
)
from custom_components.gsm_gateway.client.ejoin.esim import check_submission, job_progress, parse_esims
from custom_components.gsm_gateway.client.ejoin.ip_lists import ip_list_body, parse_ip_list
from custom_components.gsm_gateway.client.ejoin.proxy import (
    names_body,
    parse_proxy_config,
    parse_state,
    parse_url_list,
    parse_user_config,
    proxies_add_body,
    proxies_update_body,
    urls_body,
    users_add_body,
    users_update_body,
)
from custom_components.gsm_gateway.client.ejoin.send import (
    TID_EPOCH,
    TID_MAX,
    EjoinSendOptions,
    EjoinSmsTask,
    SmsType,
    TaskIdAllocator,
    check_task,
    send_body,
    task_body,
)
from custom_components.gsm_gateway.client.esim import EsimJobState, EsimOperation
from custom_components.gsm_gateway.client.exceptions import (
    GatewayCommandError,
    GatewayRequestError,
    GatewayResponseError,
)
from custom_components.gsm_gateway.client.imei import luhn_valid
from custom_components.gsm_gateway.client.models import MmsAttachment, RedialMode
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.proxy import ProxyEntry, ProxyMode, ProxyUser

from .conftest import load

# --- commands -----------------------------------------------------------------------------------------------


def test_wire_ports_match_the_documented_notation() -> None:
    refs = [SlotRef(1, 1), SlotRef(2, 2), SlotRef(3, 3), *(SlotRef(port) for port in range(4, 33))]
    assert wire_ports(refs) == "1A,2B,3C,4-32"
    assert wire_ports(ref for ref in [SlotRef(5), SlotRef(6)]) == "5-6"  # any iterable, even a generator
    assert wire_ports([SlotRef(7, 27), SlotRef(7, 2)]) == "7B,7.27"  # past Z: dotted form
    assert wire_label(SlotRef(7, 27)) == "7.27"
    assert wire_label(SlotRef(2, 2)) == "2B"


def test_port_numbers() -> None:
    assert port_numbers([1, 2, 3, 4, 6]) == "1-4,6"
    with pytest.raises(GatewayRequestError, match="not a port number"):
        port_numbers([0])


def test_command_bodies() -> None:
    assert command_body(EjoinCommand(op=CommandOp.SWITCH, ports="2.02")) == load("command_switch_request.json")
    redial = EjoinCommand(op=CommandOp.REDIAL, ports="1A", mode=RedialMode.FAST, delay=5)
    assert command_body(redial) == {"type": "command", "op": "redial", "ports": "1A", "mode": 1, "delay": 5}
    assert command_body(EjoinCommand(op=CommandOp.REBOOT)) == {"type": "command", "op": "reboot"}


def test_parameters_body() -> None:
    body = encode_parameters({"sim_imei(21)": "865847053403202", "sim_imei(51)": "865847053403213"})
    assert body == "sim_imei(21)=865847053403202&sim_imei(51)=865847053403213"  # the summary's example
    assert encode_parameters({"sms_url": "http://ha:8123/api/webhook/a?b=1&c=2"}) == (
        "sms_url=http://ha:8123/api/webhook/a?b%3D1%26c%3D2"
    )
    assert encode_parameters({"sim_number(0)": "+4915 1"}) == "sim_number(0)=%2B4915%201"
    with pytest.raises(GatewayRequestError):
        encode_parameters({})


@pytest.mark.parametrize("name", ["sms_url", "sim_imei(21)", "port_rx_tx(0)", "_x"])
def test_parameter_names_accepted(name: str) -> None:
    assert check_parameter_name(name) == name


@pytest.mark.parametrize("name", ["", "a b", "x=1", "a&b", "f(-1)", "1abc"])
def test_parameter_names_refused(name: str) -> None:
    with pytest.raises(GatewayRequestError):
        check_parameter_name(name)


FULLWIDTH_IMEI = "".join(chr(0xFF10 + int(digit)) for digit in "490154203237518")  # digits, but not ASCII


def test_imei_validation() -> None:
    assert luhn_valid("490154203237518")
    assert not luhn_valid("490154203237519")
    assert check_imei(" 490154203237518 ") == "490154203237518"
    with pytest.raises(GatewayRequestError, match="Luhn"):
        check_imei("865847053403202")  # the v2.4 summary's own example fails the check digit
    for bad in ("86584705340320", "8658470534032021", "86584705340320x", FULLWIDTH_IMEI):
        with pytest.raises(GatewayRequestError, match="15 digits") as caught:
            check_imei(bad)
        assert bad.strip() not in str(caught.value)
    with pytest.raises(GatewayRequestError, match="Luhn"):
        check_imei("490154203237519")


def test_sim_number_validation() -> None:
    assert check_sim_number(" +4915112345678 ") == "+4915112345678"
    assert check_sim_number("") == ""
    with pytest.raises(GatewayRequestError):
        check_sim_number("call me")


# --- sending ------------------------------------------------------------------------------------------------


def test_task_ids_come_from_the_clock_and_never_repeat() -> None:
    clock = [TID_EPOCH + 1000.0]
    allocator = TaskIdAllocator(clock=lambda: clock[0])
    first = allocator.allocate(6)
    assert first == list(range(4001, 4007))  # 4 per second since 2025-01-01, then run-ahead
    clock[0] += 0.25
    assert allocator.allocate() == [4007]  # still ahead of the clock: continues
    clock[0] += 100
    assert allocator.allocate() == [4402]  # the clock (1100.25 s: tick 4401, +1) overtook the run-ahead
    restarted = TaskIdAllocator(clock=lambda: clock[0] + 1)
    assert restarted.allocate()[0] > 4402  # a new process one second later starts past the old ids


def test_task_ids_continue_after_a_persisted_last_id() -> None:
    allocator = TaskIdAllocator(last_used=10**9, clock=lambda: TID_EPOCH)
    assert allocator.allocate() == [10**9 + 1]
    assert TaskIdAllocator(last_used=-5).last_used == 0


def test_task_ids_stay_in_the_signed_32_bit_range() -> None:
    far_future = TID_EPOCH + TID_MAX / 4 + 10  # past the wrap
    allocator = TaskIdAllocator(clock=lambda: far_future)
    (tid,) = allocator.allocate()
    assert 1 <= tid <= TID_MAX
    top = TaskIdAllocator(last_used=TID_MAX, clock=lambda: TID_EPOCH + 5)
    assert top.allocate() == [21]  # wraps back to the clock instead of overflowing
    real = TaskIdAllocator().allocate()[0]
    assert 1 <= real <= TID_MAX
    assert real > (datetime(2025, 6, 1, tzinfo=UTC).timestamp() - TID_EPOCH) * 4


def test_task_body_with_every_attribute() -> None:
    task = EjoinSmsTask(
        recipients=("13686876620", " 10010 "),
        text="héllo",
        ports="1-4,6",
        charset="base64",
        coding=1,
        sms_type=SmsType.SMS,
        smsc="+8613800200500",
        interval_ms=500,
        timeout=30,
        success_report=True,
        failure_report=False,
        delivery_report=True,
        report_period=60,
        report_count=10,
    )
    check_task(task)
    body = task_body(task, 1223)
    assert body == {
        "tid": 1223,
        "from": "1-4,6",
        "to": "13686876620,10010",
        "sms": base64.b64encode("héllo".encode()).decode(),
        "chs": "base64",
        "coding": 1,
        "smstype": 0,
        "smsc": "+8613800200500",
        "intvl": "500",
        "tmo": 30,
        "sdr": 1,
        "fdr": 0,
        "dr": 1,
        "sr_prd": 60,
        "sr_cnt": 10,
    }


def test_minimal_send_body_equals_the_spec_example() -> None:
    task = EjoinSmsTask(recipients=("13686876620",), text="hello123")
    assert send_body([task_body(task, 1223)]) == load("send_sms_request.json")


def test_send_body_with_top_level_attributes() -> None:
    options = EjoinSendOptions(
        report_url="http://ha/r", report_count=5, report_period=10, sms_url="http://ha/s", sms_count=2, sms_period=3
    )
    body = send_body([], options)
    assert json.dumps(body) == json.dumps(
        {
            "type": "send-sms",
            "sr_url": "http://ha/r",
            "sr_cnt": 5,
            "sr_prd": 10,
            "sms_url": "http://ha/s",
            "sms_cnt": 2,
            "sms_prd": 3,
            "task_num": 0,
            "tasks": [],
        }
    )


def test_mms_task_body() -> None:
    task = EjoinSmsTask(
        recipients=("13686876620",),
        text="Check this out",
        sms_type=SmsType.MMS,
        mms_title="My MMS Subject",
        attachments=(MmsAttachment(kind="JPG", data=b"\xff\xd8"), MmsAttachment(kind="txt", data=b"hi")),
    )
    check_task(task)
    body = task_body(task, 100)
    assert (body["smstype"], body["smstitle"]) == (1, "My MMS Subject")
    assert body["attachments"] == "jpg|/9g=;txt|aGk="


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (EjoinSmsTask(recipients=(), text="x"), "at least one recipient"),
        (EjoinSmsTask(recipients=("1,2",), text="x"), "digits 0-9"),
        (EjoinSmsTask(recipients=(" ",), text="x"), "digits 0-9"),
        (EjoinSmsTask(recipients=("1",), text=""), "text is empty"),
        (EjoinSmsTask(recipients=("1",), text="ж" * 671, coding=0), "at most 10"),
        (EjoinSmsTask(recipients=tuple(f"+49{n:06d}" for n in range(101)), text="x"), "at most 100 recipients"),
        (EjoinSmsTask(recipients=("1",), text="x", smsc="+49 171"), "the SMS centre is 1-20 digits"),
        (EjoinSmsTask(recipients=("1",), text="x", interval_ms=-1), "0 ms or more"),
        (EjoinSmsTask(recipients=("1",), text="x", timeout=0), "1 second or more"),
        (EjoinSmsTask(recipients=("1",), text="", sms_type=SmsType.MMS), "needs a title"),
        (EjoinSmsTask(recipients=("1",), text="", sms_type=SmsType.MMS, mms_title="t"), "at least one attachment"),
        (
            EjoinSmsTask(
                recipients=("1",),
                text="",
                sms_type=SmsType.MMS_MULTI_NUMBER,
                mms_title="t",
                attachments=tuple(MmsAttachment(kind="txt", data=b"x") for _ in range(6)),
            ),
            "at most 5",
        ),
        (
            EjoinSmsTask(
                recipients=("1",),
                text="",
                sms_type=SmsType.MMS,
                mms_title="t",
                attachments=(MmsAttachment(kind="jpg", data=b"x" * 102400),),
            ),
            "under 100 KB",
        ),
        (
            EjoinSmsTask(
                recipients=("1",),
                text="",
                sms_type=SmsType.MMS,
                mms_title="t",
                attachments=(MmsAttachment(kind="png", data=b"x"),),
            ),
            "type must be one of",
        ),
    ],
)
def test_tasks_refused_before_sending(task: EjoinSmsTask, message: str) -> None:
    with pytest.raises(GatewayRequestError, match=message):
        check_task(task)


# --- eSIM ---------------------------------------------------------------------------------------------------


def test_esim_query_from_the_summary_fields() -> None:
    (info,) = parse_esims(load("esims_response.json"))
    assert (info.port, info.eid, info.state) == (1, "89049032000000000000000000000001", "1")
    first, second = info.profiles
    assert (first.slot, first.enabled, first.iccid, first.provider, first.status) == (
        1,
        True,
        "8901260000000000001",
        "T-Mobile",
        "0",
    )
    assert (second.enabled, second.iccid, second.status) == (False, None, "2")


def test_esim_list_under_other_keys_and_profiles_without_slot() -> None:
    infos = parse_esims({"esims": [{"port": "2", "profiles": [{"enabled": 1}, {"slot": 3}]}]})
    assert [(info.port, [p.slot for p in info.profiles]) for info in infos] == [(2, [3])]
    assert parse_esims({"code": 200}) == []
    with pytest.raises(GatewayResponseError, match="no port number"):
        parse_esims({"ports": [{"eid": "x"}]})


@pytest.mark.parametrize(
    ("profile", "operation", "state", "reason"),
    [
        ({"status": 1}, EsimOperation.WRITE, EsimJobState.PENDING, ""),
        ({"status": 2}, EsimOperation.DELETE, EsimJobState.PENDING, ""),
        ({"status": 3, "reason": "download failed"}, EsimOperation.WRITE, EsimJobState.FAILED, "download failed"),
        ({"status": 0, "exust": 1}, EsimOperation.WRITE, EsimJobState.SUCCEEDED, ""),
        ({"status": 0, "exust": 0}, EsimOperation.DELETE, EsimJobState.SUCCEEDED, ""),
        ({"status": 0, "exust": 0}, EsimOperation.WRITE, EsimJobState.FAILED, "without storing the profile"),
        ({"status": 0, "exist": 1}, EsimOperation.DELETE, EsimJobState.FAILED, "still stored"),
    ],
)
def test_esim_job_progress(
    profile: dict[str, object], operation: EsimOperation, state: EsimJobState, reason: str
) -> None:
    body = {"ports": [{"port": 9, "profiles": []}, {"port": 1, "profiles": [{"slot": 2}, {"slot": 1, **profile}]}]}
    progress = job_progress(body, 1, 1, operation)
    assert progress.state is state
    assert reason in progress.reason
    assert progress.done is (state is not EsimJobState.PENDING)


def test_esim_job_whose_profile_vanished() -> None:
    assert job_progress({"ports": []}, 1, 2, EsimOperation.DELETE).state is EsimJobState.SUCCEEDED
    assert job_progress({"ports": []}, 1, 2, EsimOperation.WRITE).state is EsimJobState.PENDING


def test_esim_submission_answers() -> None:
    check_submission({"code": 200, "results": [{"port": 1, "slot": 1, "status": 1}]}, "goip_write_esims.html")
    check_submission({"code": 200, "status": 1}, "goip_write_esims.html")
    check_submission({"code": 200}, "goip_write_esims.html")
    with pytest.raises(GatewayCommandError) as caught:
        check_submission({"code": 200, "data": [{"status": 2}]}, "goip_write_esims.html")
    assert (caught.value.code, caught.value.reason) == (2, "port busy")
    with pytest.raises(GatewayCommandError, match="no profile"):
        check_submission({"status": [{"status": 3, "reason": "no profile"}]}, "goip_delete_esims.html")


# --- proxy and IP lists -------------------------------------------------------------------------------------


def test_proxy_answers_from_the_spec_tables() -> None:
    state = parse_state(load("proxy_state_response.json"))
    assert (state.mode, state.enabled) == (ProxyMode.HTTP, True)
    config = parse_proxy_config(load("proxy_config_response.json"))
    assert (config.mode, config.enabled) == (ProxyMode.SOCKS5, True)
    assert config.proxies == (
        ProxyEntry(name="socks5-foo", port=1080, interfaces=(0,), active=True),
        ProxyEntry(name="socks5-bar", port=1081, interfaces=(1, 2), active=False),
    )
    users = parse_user_config(load("proxy_user_response.json"))
    assert users.enabled is False
    assert users.users == (ProxyUser(name="alice", password="s3cret", interfaces=(0,), remark="office"),)
    assert "s3cret" not in repr(users)
    urls = parse_url_list(load("proxy_white_list_response.json"))
    assert urls.urls == ("*", "www.example.com", "*.example.com", "www.example.*")


def test_proxy_mode_as_text_and_unknown() -> None:
    assert parse_state({"mode": "SOCKS5"}).mode is ProxyMode.SOCKS5
    assert parse_state({"mode": 7}).mode is None
    assert parse_state({}).mode is None


def test_proxy_entries_must_be_objects() -> None:
    with pytest.raises(GatewayResponseError, match="proxies entry"):
        parse_proxy_config({"proxies": ["x"]})


def test_ip_lists_from_the_spec_and_with_the_fixed_spelling() -> None:
    white = parse_ip_list(load("ip_white_list_response.json"))
    assert (white.enabled, white.addresses) == (True, ("192.168.1.1", "192.168.1.1/24"))
    black = parse_ip_list(load("ip_black_list_response.json"))
    assert (black.enabled, black.addresses) == (False, ("*",))
    assert parse_ip_list({"enable": 1, "ipset": []}).enabled is True


def test_proxy_request_bodies() -> None:
    entry = ProxyEntry(name="foo", port=8080, interfaces=(0,), active=True)
    assert proxies_add_body([entry]) == {"proxies": [{"name": "foo", "port": 8080, "interfaces": [0], "active": 1}]}
    assert proxies_update_body({"http-foo": False}) == {"proxies": [{"name": "http-foo", "active": 0}]}
    assert names_body("users", ["alice"]) == {"users": [{"name": "alice"}]}
    user = ProxyUser(name="alice", password="pw", interfaces=(1, 2), remark="r")
    assert users_add_body([user]) == {"users": [{"name": "alice", "pwd": "pw", "interfaces": [1, 2], "mark": "r"}]}
    assert users_add_body([ProxyUser(name="bob", password="pw", interfaces=(0,))])["users"][0].get("mark") is None
    assert users_update_body({"alice": [3]}) == {"users": [{"name": "alice", "interfaces": [3]}]}
    assert urls_body([" *.example.com "]) == {"urls": ["*.example.com"]}
    assert ip_list_body(enabled=True, added=["10.0.0.0/8"], deleted=[]) == {
        "enable": 1,
        "enbale": 1,
        "added_set": ["10.0.0.0/8"],
        "deleted_set": [],
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: proxies_add_body([ProxyEntry(name="x" * 33, port=80, interfaces=(0,))]),
        lambda: proxies_add_body([ProxyEntry(name="x", port=None, interfaces=(0,))]),
        lambda: proxies_add_body([ProxyEntry(name="x", port=70000, interfaces=(0,))]),
        lambda: proxies_add_body([ProxyEntry(name="x", port=80, interfaces=())]),
        lambda: users_add_body([ProxyUser(name="alice", password=None, interfaces=(0,))]),
        lambda: users_update_body({"alice": [-1]}),
        lambda: names_body("proxies", []),
        lambda: urls_body([]),
        lambda: urls_body([" "]),
    ],
)
def test_proxy_requests_refused_before_sending(build: object) -> None:
    with pytest.raises(GatewayRequestError):
        build()  # type: ignore[operator]


# --- encrypted session --------------------------------------------------------------------------------------


def test_rc4_known_answer() -> None:
    assert rc4(b"Key", b"Plaintext").hex() == "bbf316e8d940af0ad3"  # the classic RC4 test vector
    assert rc4(b"Key", rc4(b"Key", b"round trip")) == b"round trip"


def test_aes_zero_padding_round_trip() -> None:
    key = bytes(range(16))
    encrypted = aes_ecb_encrypt(key, b'{"tids":[1]}')
    assert len(encrypted) == 16
    assert aes_ecb_decrypt(key, encrypted) == b'{"tids":[1]}'
    assert decrypt(CryptMode.AES, key, encrypt(CryptMode.AES, key, b"x" * 20)) == b"x" * 20
    assert decrypt(CryptMode.RC4, key, encrypt(CryptMode.RC4, key, b"abc")) == b"abc"


def test_handshake_and_signed_requests() -> None:
    start = handshake("root", "pw", CryptMode.RC4, expires=60)
    cnonce = start.params["cnonce"]
    assert start.params["auth"] == md5_hex("root", "pw", cnonce, "/crypt_sess.json")
    assert (start.params["crypt"], start.params["expires"], start.params["username"]) == ("rc4", "60", "root")
    assert "password" not in start.params
    session = CryptSession(
        username="root", password="pw", mode=CryptMode.RC4, session="abc", first_auth=start.auth, expires_at=0.0
    )
    assert session.expired
    params, key = session.sign("/goip_post_sms.html")
    assert params == {"session": "abc", "seq": "1", "auth": md5_hex("root", "pw", "abc", "1", "/goip_post_sms.html")}
    assert len(key) == 16
    assert session.sign("/x")[0]["seq"] == "2"
    assert "pw" not in repr(session)
