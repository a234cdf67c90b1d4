"""Pure parsing of Skyline/EJOIN answers: codes, device status, tasks and statistics (spec payloads + variants)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.gsm_gateway.client.ejoin.parse import (
    RowCache,
    as_flag,
    as_float,
    as_int,
    as_text,
    check_result,
    csq_to_dbm,
    normalise_mac,
    parse_call_statistics,
    parse_device_info,
    parse_gateway_status,
    parse_slot_row,
    parse_sms_statistics,
    parse_task_page,
    parse_task_results,
    sequence,
    sim_state,
    split_code,
)
from custom_components.gsm_gateway.client.exceptions import GatewayAuthError, GatewayCommandError, GatewayResponseError
from custom_components.gsm_gateway.client.models import SimState
from custom_components.gsm_gateway.client.ports import SlotRef

from .conftest import load


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("3", 3), (" 15 ", 15), (3.0, 3), (3.5, None), ("x", None), (True, None), (None, None), ("", None)],
)
def test_as_int_reads_numbers_and_numeric_strings(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.00", 0.0),
        ("100.00", 100.0),
        (12, 12.0),
        ("nan", None),
        ("inf", None),
        ("abc", None),
        (False, None),
        ([], None),
    ],
)
def test_as_float_reads_balances(value: object, expected: float | None) -> None:
    assert as_float(value) == expected


def test_as_text_strips_and_drops_empty_values() -> None:
    assert as_text("0 ") == "0"
    assert as_text("   ") is None
    assert as_text(5) == "5"
    assert as_text(True) is None
    assert as_text({"a": 1}) is None


def test_as_flag() -> None:
    assert as_flag(1) is True
    assert as_flag("0") is False
    assert as_flag(True) is True
    assert as_flag("yes") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0 OK", (0, "OK")),
        ("2 Invalid Port", (2, "Invalid Port")),
        ("3", (3, "")),
        (3, (3, "")),
        (" 13 Duplicated TaskId ", (13, "Duplicated TaskId")),
        ("OK", (None, "OK")),
        (None, (None, "")),
        (True, (None, "")),
    ],
)
def test_split_code_reads_code_and_device_text(value: object, expected: tuple[int | None, str]) -> None:
    assert split_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00-30-f1-00-6c-55", "00:30:f1:00:6c:55"),
        ("00:30:F1:00:6C:55", "00:30:f1:00:6c:55"),
        ("0030F1006C55", "00:30:f1:00:6c:55"),
        ("0030.f100.6c55", "00:30:f1:00:6c:55"),
        ("not-a-mac", None),
        (None, None),
    ],
)
def test_normalise_mac(value: object, expected: str | None) -> None:
    assert normalise_mac(value) == expected


def test_csq_to_dbm() -> None:
    assert csq_to_dbm(15) == -83
    assert csq_to_dbm(0) == -113
    assert csq_to_dbm(31) == -51
    assert csq_to_dbm(99) is None
    assert csq_to_dbm(None) is None


def test_sim_state_maps_every_documented_code() -> None:
    assert sim_state(3) is SimState.REGISTERED
    assert sim_state(12) is SimState.USER_LOCKED
    assert sim_state(16) is SimState.MODULE_TIMEOUT
    assert sim_state(10) is SimState.UNKNOWN
    assert sim_state(None) is SimState.UNKNOWN


def test_sequence_rejects_non_arrays() -> None:
    assert sequence(None, "x") == ()
    with pytest.raises(GatewayResponseError, match="x is not a JSON array"):
        sequence({"a": 1}, "x")


# --- result codes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["command_response.json", "send_sms_response.json", "op_set_response.json"])
def test_check_result_accepts_the_documented_success_codes(name: str) -> None:
    check_result(load(name), "endpoint")


def test_check_result_treats_code_1_as_a_refused_login() -> None:
    with pytest.raises(GatewayAuthError, match="refused the username or password"):
        check_result(load("login_refused_code1.json"), "goip_get_sms.html")


def test_check_result_keeps_the_device_code_and_text() -> None:
    with pytest.raises(GatewayCommandError) as caught:
        check_result(load("tasks_not_found.json"), "goip_get_tasks.html")
    assert caught.value.code == 404
    assert caught.value.reason == "Tasks Not Found"
    assert str(caught.value) == "goip_get_tasks.html: gateway refused the request (404 Tasks Not Found)"


def test_check_result_reads_a_code_written_with_its_text() -> None:
    with pytest.raises(GatewayCommandError) as caught:
        check_result({"code": "15 Invalid CMD"}, "goip_send_cmd.html")
    assert (caught.value.code, caught.value.reason) == (15, "Invalid CMD")


def test_check_result_without_a_code_is_accepted() -> None:
    check_result(load("dev_status_example.json"), "goip_get_status.html")


def test_check_result_honours_endpoint_specific_success_codes() -> None:
    with pytest.raises(GatewayCommandError):
        check_result({"code": 200, "reason": "OK"}, "proxy", ok_codes={0})


# --- device status ------------------------------------------------------------------------------------------


def test_dev_status_example_from_the_spec() -> None:
    status = parse_gateway_status(load("dev_status_example.json"))
    device = status.device
    assert (device.mac, device.ip, device.firmware) == ("00:30:f1:00:6c:55", "192.168.1.67", "532-604-924-041-100-000")
    assert (device.port_count, device.slot_count) == (32, 4)  # `max-slot` (singular) as in the example
    port = status.ports[1]
    assert port.active_slot == 1
    slot = port.slots[1]
    assert slot.label == "1A"
    assert slot.raw_label == "1.01"
    assert slot.state is SimState.REGISTERED
    assert (slot.status_code, slot.status_text) == (3, "Registered")
    assert slot.operator == "46001 CHINA UNICOM GSM"
    assert slot.balance == 0.0
    assert (slot.signal, slot.signal_dbm) == (15, -83)
    assert slot.imei == "898610599441327"
    assert slot.iccid == "89860116289910033431"
    assert slot.imsi == "460014978212473"
    assert slot.sim_number is None  # "sn": ""
    assert slot.extra["tot_dur"] == "0/-1"
    assert slot.extra["mon_dur"] == "0/-1"
    assert slot.locked is False


def test_dev_status_doc_example_has_partial_rows() -> None:
    status = parse_gateway_status(load("dev_status_doc.json"))
    assert sorted(status.ports) == [1, 2, 32]
    assert status.ports[2].slots[2].label == "2B"
    assert status.ports[32].slots[4].state is SimState.UNKNOWN
    assert status.ports[32].slots[4].status_code is None
    assert status.unparsed_labels == ()


def _status(rows: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"type": "dev-status", "mac": "00-30-f1-01-02-03", "ip": "10.0.0.2", **top, "status": rows}


def test_string_numbers_and_whitespace_are_read() -> None:
    body = _status(
        [{"port": "1A", "st": "3", "sig": "20", "bal": " 12.50 ", "opr": "26201 Telekom.de ", "sn": " +4915 "}],
        **{"max-ports": "8", "max-slots": "4"},
    )
    status = parse_gateway_status(body)
    slot = status.ports[1].slots[1]
    assert (status.device.port_count, status.device.slot_count) == (8, 4)
    assert (slot.status_code, slot.signal, slot.balance) == (3, 20, 12.5)
    assert slot.operator == "26201 Telekom.de"
    assert slot.sim_number == "+4915"


def test_operator_zero_means_none() -> None:
    slot = parse_slot_row({"port": "1B", "st": 1, "opr": "0 "})
    assert slot.operator is None


def test_status_as_code_and_text_string() -> None:
    slot = parse_slot_row(load("port_status_example.json"))
    assert slot.label == "2B"
    assert (slot.status_code, slot.status_text, slot.state) == (3, "OK", SimState.REGISTERED)
    assert slot.balance == 100.0
    assert slot.operator == "46000 China Mobile"


def test_st_as_code_and_text_string_keeps_the_device_text() -> None:
    slot = parse_slot_row({"port": "3C", "st": "6 Register failed"})
    assert (slot.status_code, slot.status_text, slot.state) == (6, "Register failed", SimState.REGISTRATION_FAILED)


def test_signal_99_is_unknown() -> None:
    slot = parse_slot_row({"port": "1A", "st": 2, "sig": 99})
    assert (slot.signal, slot.signal_dbm) == (None, None)


def test_mixed_notations_and_unknown_labels_in_one_payload() -> None:
    rows = [
        {"port": "1.01", "st": 3},
        {"port": "6A", "st": 3},
        {"port": "6.02", "st": 1},
        {"port": "1.01.03", "st": 1},  # SIM-bank pool form: port 1, pool position 01, slot 3
        {"port": "P1-07", "st": 3},  # a notation nobody knows: kept raw
        {"port": "", "st": 3},
        {"port": "7AF", "st": 3},  # slot 32, beyond Z
    ]
    status = parse_gateway_status(_status(rows, **{"max-ports": 8, "max-slots": 32}))
    assert sorted(status.ports) == [1, 6, 7]
    assert status.ports[6].slots[2].raw_label == "6.02"
    assert status.ports[6].slots[2].label == "6B"
    assert (status.ports[1].slots[3].label, status.ports[1].slots[3].raw_label) == ("1C", "1.01.03")
    assert status.ports[7].slots[32].label == "7AF"
    assert status.unparsed_labels == ("P1-07", "")


def test_sim_bank_pool_labels() -> None:
    rows = [
        {"port": f"{port}.{(slot - 1) // 8 + 1:02d}.{slot:02d}", "st": 3 if slot == 1 else 1}
        for port in (1, 2)
        for slot in range(1, 33)
    ]
    status = parse_gateway_status(_status(rows, **{"max-ports": 2, "max-slots": 32}))
    assert status.unparsed_labels == ()
    assert [len(status.ports[port].slots) for port in (1, 2)] == [32, 32]
    last = status.ports[2].slots[32]
    assert (last.ref, last.label, last.raw_label, last.active) == (SlotRef(2, 32), "2AF", "2.04.32", False)
    assert status.ports[1].active_slot == 1


def test_two_labels_for_one_slot_are_not_merged() -> None:
    # If a SIM-bank firmware numbered slots per bank (`1.02.01` being another card than `1.01.01`), reading the
    # last number as the port's slot would put two cards in one slot: the second row is kept raw instead.
    rows = [{"port": "1.01.01", "st": 3, "iccid": "first"}, {"port": "1.02.01", "st": 1, "iccid": "second"}]
    status = parse_gateway_status(_status(rows, **{"max-ports": 1, "max-slots": 16}))
    assert status.ports[1].slots[1].iccid == "first"
    assert status.unparsed_labels == ("1.02.01",)


def test_bare_port_number_is_slot_a() -> None:
    slot = parse_slot_row({"port": 5, "st": 3})
    assert slot.ref == SlotRef(5, 1)
    assert slot.label == "5A"


def test_active_slot_from_status_codes_when_all_slots_are_listed() -> None:
    rows = [
        {"port": "1A", "st": 1},
        {"port": "1B", "st": 3},
        {"port": "1C", "st": 0},
        {"port": "2A", "st": 1},
        {"port": "2B", "st": 12},
        {"port": "3A", "st": 2},
        {"port": "3B", "st": 3},
    ]
    status = parse_gateway_status(_status(rows, **{"max-ports": 3, "max-slots": 3}))
    assert status.ports[1].active_slot == 2
    assert status.ports[1].active is status.ports[1].slots[2]
    assert [slot.active for slot in status.ports[1].slots.values()] == [False, True, False]
    assert status.ports[2].active_slot is None  # idle and user-locked: no module in use
    assert status.ports[2].active is None
    assert status.ports[2].slots[2].locked is True
    assert status.ports[3].active_slot == 1  # two in-use codes: the first slot wins


def test_explicit_active_flag_wins_over_status_codes() -> None:
    rows = [{"port": "1A", "st": 3, "active": 0}, {"port": "1B", "st": 1, "active": 1}]
    status = parse_gateway_status(_status(rows, **{"max-ports": 1, "max-slots": 2}))
    assert status.ports[1].active_slot == 2


def test_explicit_active_flags_all_zero_mean_no_active_slot() -> None:
    rows = [{"port": "1A", "st": 3, "active": 0}, {"port": "1B", "st": 1, "active": "0"}]
    assert parse_gateway_status(_status(rows, **{"max-ports": 1, "max-slots": 2})).ports[1].active_slot is None


def test_one_row_per_port_is_the_active_slot() -> None:
    status = parse_gateway_status(_status([{"port": "4C", "st": 0}], **{"max-ports": 4, "max-slots": 4}))
    assert status.ports[4].active_slot == 3


def test_led_flag_and_v24_fields() -> None:
    slot = parse_slot_row({"port": "1A", "st": 3, "led": 1, "inserted": 1, "slot_active": 1})
    assert slot.led is True
    assert slot.extra == {"inserted": 1, "slot_active": 1}


def test_device_info_without_max_ports_counts_rows() -> None:
    status = parse_gateway_status({"status": [{"port": "3A", "st": 3}]})
    assert status.device.port_count == 3
    assert status.device.slot_count == 1
    assert status.device.mac is None


def test_device_info_needs_ports() -> None:
    with pytest.raises(GatewayResponseError, match="no max-ports"):
        parse_device_info({"mac": "00-30-f1-01-02-03"})


@pytest.mark.parametrize("body", [[], "text", {"status": "nope"}, {"status": [1]}])
def test_malformed_status_raises_response_errors(body: object) -> None:
    with pytest.raises(GatewayResponseError):
        parse_gateway_status(body)


# --- tasks --------------------------------------------------------------------------------------------------


def test_task_results_from_the_spec() -> None:
    results = parse_task_results(load("send_sms_response_doc.json")["status"], "task-status")
    assert [(r.task_id, r.code, r.text, r.ok) for r in results] == [
        ("1", 0, "OK", True),
        ("2", 2, "Invalid Port", False),
    ]


def test_task_results_need_task_ids() -> None:
    with pytest.raises(GatewayResponseError, match="no task id"):
        parse_task_results([{"status": "0 OK"}], "results")


def test_task_page_from_the_spec() -> None:
    tasks, total = parse_task_page(load("get_tasks_response.json"))
    assert total == 5
    assert [task.task_id for task in tasks] == ["2", "3", "4"]
    assert tasks[2].recipients == ("10010",)
    assert tasks[2].text == "CYVF"
    assert tasks[0].paused is False
    assert tasks[0].encoding == 0


def test_task_page_reads_paused_and_several_recipients() -> None:
    tasks, total = parse_task_page({"tasks": [{"tid": "9", "state": 1, "to": "1, 2,", "from": "1-4"}]})
    assert total is None
    assert (tasks[0].paused, tasks[0].recipients, tasks[0].ports, tasks[0].text) == (True, ("1", "2"), "1-4", None)


def test_task_page_needs_task_ids() -> None:
    with pytest.raises(GatewayResponseError):
        parse_task_page({"tasks": [{"state": 0}]})


# --- statistics ---------------------------------------------------------------------------------------------


def test_sms_statistics_from_the_spec_shape() -> None:
    stats = parse_sms_statistics(load("sms_stat_response.json"))
    assert stats[0].ref == SlotRef(1, 1)
    assert (stats[0].received, stats[0].sent, stats[0].sent_ok, stats[0].sent_failed) == (10, 50, 48, 2)
    assert (stats[0].consecutive_failed, stats[0].unsent, stats[0].sending) == (0, 5, 1)
    assert stats[1].ref == SlotRef(2, 3)
    assert stats[1].received == 4


def test_statistics_rows_without_a_port_are_skipped_and_labels_are_read() -> None:
    body = {"stats": [{"slot": 1, "received": 3}, {"port": "2B", "received": 1}, {"port": 9999}, {"port": 3}]}
    stats = parse_sms_statistics(body)
    assert [s.ref for s in stats] == [SlotRef(2, 2), SlotRef(3)]


def test_call_statistics_from_the_spec_shape() -> None:
    (stat,) = parse_call_statistics(load("call_stat_response.json"))
    assert (stat.calls, stat.alerted, stat.connected, stat.failed) == (100, 90, 80, 20)
    assert (stat.no_carrier, stat.pdd, stat.acd, stat.asr) == ("15/20", 5.0, 120.0, 80.0)
    assert (stat.total_minutes, stat.actual_seconds) == (160, 9600)


def test_statistics_rows_with_impossible_slots_are_skipped() -> None:
    assert parse_sms_statistics({"stats": [{"port": 1, "slot": 99}, {"port": 1, "slot": 0}]}) == [
        parse_sms_statistics({"stats": [{"port": 1}]})[0]
    ]


def test_row_cache_reuses_unchanged_rows_and_reparses_changed_ones() -> None:
    cache = RowCache()
    rows = [{"port": "1A", "st": 3, "sig": 20}, {"port": "1B", "st": 1}, {"port": "2A", "st": 3, "sig": 9}]
    first = parse_gateway_status(_status(rows, **{"max-ports": 2, "max-slots": 2}), cache=cache)
    rows[2] = {"port": "2A", "st": 3, "sig": 10}  # one reading moved
    second = parse_gateway_status(_status(rows, **{"max-ports": 2, "max-slots": 2}), cache=cache)
    assert second.ports[1].slots[1] is first.ports[1].slots[1]
    assert second.ports[1].slots[2] is first.ports[1].slots[2]
    assert second.ports[1].slots[2].active is False
    assert second.ports[2].slots[1].signal == 10
    assert second == parse_gateway_status(_status(rows, **{"max-ports": 2, "max-slots": 2}))


def test_row_cache_forgets_old_rows_and_parses_odd_rows_every_time() -> None:
    cache = RowCache()
    for signal in range(10):  # rows that never come back are dropped once the cache holds twice the answer
        parse_gateway_status(_status([{"port": "1A", "st": 3, "sig": signal}], **{"max-ports": 1}), cache=cache)
    assert len(cache._rows) <= 2
    nested = [{"port": "1A", "st": 3, "extra": {"a": 1}}]  # an unhashable value: no caching, same result
    status = parse_gateway_status(_status(nested, **{"max-ports": 1}), cache=cache)
    assert status.ports[1].slots[1].state is SimState.REGISTERED
