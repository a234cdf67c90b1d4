"""The Synway content grammar: every spec example, every field-note variant, errors, and property tests."""

from __future__ import annotations

import contextlib
from datetime import datetime
import json

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayResponseError
from custom_components.gsm_gateway.client.synway.grammar import (
    SynwayGrammarError,
    format_stamp,
    parse_counted_list,
    parse_inbox,
    parse_port_flags,
    parse_stamp,
    parse_task_id,
    parse_total,
    parse_tx_tasks,
    parse_ussd,
    parse_wireless,
)

from .conftest import fixture_bytes


def content_of(name: str) -> str:
    content = json.loads(fixture_bytes(name), strict=False)["content"]
    assert isinstance(content, str)
    return content


# --- spec examples ------------------------------------------------------------------------------------------


def test_spec_port_states() -> None:
    parsed = parse_counted_list(content_of("getportinfo_ok.json"))
    assert (parsed.total, parsed.key, parsed.values) == (8, "portstate", (0,) * 8)


def test_spec_connect_states_with_trailing_dot() -> None:
    parsed = parse_counted_list(content_of("getportconnectstate_ok.json"))
    assert (parsed.total, parsed.key, parsed.values) == (8, "ConnectState", (1, 1, 1, 1, 0, 0, 0, 0))


def test_field_note_connect_states_shorter_than_total() -> None:
    parsed = parse_counted_list(content_of("getportconnectstate_field_note.json"))
    assert parsed.total == 8
    assert parsed.values == (1, 1, 0)


def test_spec_port_type_is_device_wide() -> None:
    parsed = parse_wireless(content_of("getwirelessinfo_porttype.json"))
    assert (parsed.shared_key, parsed.shared_value, parsed.ports) == ("PortType", "WCDMA", ())


def test_spec_iccid_records_end_in_dots() -> None:
    parsed = parse_wireless(content_of("getwirelessinfo_iccid.json"))
    assert [(record.port, record.value) for record in parsed.ports] == [
        (2, "89860058111551226470"),
        (3, "89860058111551226471"),
    ]


def test_spec_task_id() -> None:
    assert parse_task_id(content_of("txsms_ok.json")) == "0"


def test_spec_two_send_tasks_with_and_without_user_id() -> None:
    first, second = parse_tx_tasks(content_of("querytxsms_two_tasks.json"))
    assert (first.task_id, first.count, first.user_id) == ("0", 2, "3")
    assert [(e.port, e.number, e.status) for e in first.entries] == [("1", "10086", 2), ("2", "10087", 3)]
    assert (second.task_id, second.count, second.user_id) == ("1", 1, None)
    assert [(e.port, e.number, e.status) for e in second.entries] == [("3", "10088", 2)]


def test_spec_send_task_ok_casing_answer() -> None:
    (task,) = parse_tx_tasks(content_of("querytxsms_ok_casing.json"))
    assert [(e.port, e.number, e.status) for e in task.entries] == [("1", "10086", 3)]


def test_spec_empty_inbox() -> None:
    listing = parse_inbox(content_of("queryrxsms_empty.json"))
    assert (listing.total, listing.records) == (0, ())


def test_spec_inbox_two_records() -> None:
    listing = parse_inbox(content_of("queryrxsms_two.json"))
    assert listing.total == 2
    first, second = listing.records
    assert first.header.stamp == datetime(2015, 9, 11, 11, 11, 11)  # noqa: DTZ001
    assert (first.header.port, first.header.slot, first.header.sim_number) == (1, "A", "152555588888")
    assert first.sender == "10086"
    assert first.text == " Hello world!"  # kept verbatim, leading space included
    assert first.sc_stamp is None
    assert (second.header.port, second.header.slot, second.header.sim_number) == (2, "B", None)
    # Decision: "YYYYMMDDhhmmss|:" in front of the text is the service centre's timestamp, split off.
    assert second.text == "This is a test message"
    assert second.sc_stamp == datetime(2015, 9, 11, 11, 11, 12)  # noqa: DTZ001


def test_field_note_inbox_record_with_colons_and_semicolon() -> None:
    (record,) = parse_inbox(content_of("queryrxsms_field_note.json")).records
    assert (record.header.port, record.header.slot, record.header.sim_number) == (3, None, None)
    assert record.sender == "+4915112345678"
    assert record.text == "Meeting at 10:30; bring: notes"


def test_newqueryrxsms_dashed_dates_without_head_and_raw_control_characters() -> None:
    listing = parse_inbox(content_of("newqueryrxsms_raw_control.json"))
    assert listing.total == 2
    first, second = listing.records
    assert first.header.stamp == datetime(2024, 1, 2, 3, 4, 5)  # noqa: DTZ001
    assert first.sender == "TongcucThue"
    assert first.text == "Ma xac thuc:\tline one\nline two"
    assert (second.header.port, second.header.slot, second.header.sim_number) == (2, "A", "+84901234567")
    assert second.text == "OTP 123456"


def test_spec_delete_counts() -> None:
    assert parse_total(content_of("deletesms_two.json")) == 2
    assert parse_total(content_of("deletesms_none.json")) == 0
    assert parse_total(content_of("deleteussd_one.json")) == 1


def test_spec_ussd_send_flags() -> None:
    flags = parse_port_flags(content_of("txussd_ok.json"))
    assert [(f.port, f.flag) for f in flags] == [(1, 0), (2, 1), (3, 1)]


def test_spec_ussd_records_null_and_reply() -> None:
    (pending,) = parse_ussd(content_of("rxussd_null.json")).records
    assert (pending.port, pending.order, pending.code, pending.sent, pending.reply) == (2, 0, "99", True, None)
    assert pending.stamp == datetime(2016, 7, 21, 13, 25, 5)  # noqa: DTZ001
    (answered,) = parse_ussd(content_of("rxussd_msisdn.json")).records
    assert answered.reply == "MSISDN:13023569874"


# --- variants and edge cases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "values"),
    [
        ("total:3;portstate:0,1,11.", (0, 1, 11)),
        ("total:3;portstate:0,1,11;", (0, 1, 11)),
        ("total:3;portstate:0,1,11,", (0, 1, 11)),
        (" total : 3 ; portstate : 0 , 1 , 11 ", (0, 1, 11)),
        ("TOTAL:0;portstate:", ()),
        ("total:2;connectstate:1,5.;", (1, 5)),
    ],
)
def test_counted_list_variants(content: str, values: tuple[int, ...]) -> None:
    assert parse_counted_list(content).values == values


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("0:861234567890121.1:(-1).", [(0, "861234567890121"), (1, None)]),
        ("1:+4915112345678;2:-1;", [(1, "+4915112345678"), (2, None)]),
        ("1:abc", [(1, "abc")]),
        ("1:1.5.2:x.", [(1, "1.5"), (2, "x")]),
        ("", []),
    ],
)
def test_port_value_variants(content: str, expected: list[tuple[int, str | None]]) -> None:
    assert [(r.port, r.value) for r in parse_wireless(content).ports] == expected


def test_keyed_value_with_trailing_dot_and_unknown() -> None:
    assert parse_wireless("PortType:LTE.").shared_value == "LTE"
    assert parse_wireless("PortType:(-1)").shared_value is None


def test_send_tasks_empty_trailing_separator_and_bare_task() -> None:
    assert parse_tx_tasks("") == ()
    (task,) = parse_tx_tasks("[taskid:7;-1:10086:1;];")
    assert (task.task_id, task.count, task.user_id) == ("7", None, None)
    assert [(e.port, e.status) for e in task.entries] == [("-1", 1)]


def test_port_flags_variants() -> None:
    assert [(f.port, f.flag) for f in parse_port_flags("0:1,1:0.")] == [(0, 1), (1, 0)]
    assert [(f.port, f.flag) for f in parse_port_flags("1:1;")] == [(1, 1)]


def test_inbox_text_containing_bar_e_that_does_not_end_the_record() -> None:
    content = "total:2;20240101000000:1(A)(-1):x:a|E b|E;20240101000001:2(B)(-1):y:c|E"
    first, second = parse_inbox(content).records
    assert first.text == "a|E b"
    assert second.text == "c"


def test_inbox_fourteen_digits_that_are_no_time_stay_in_the_text() -> None:
    (record,) = parse_inbox("total:1;20240101000000:1(-1)(-1):x:99999999999999|:tail|E").records
    assert record.text == "99999999999999|:tail"
    assert record.sc_stamp is None


def test_inbox_digit_slots_and_lower_case_letters() -> None:
    content = "total:2;20240101000000:1(2)(-1):x:a|E;20240101000000:1(b)(-1):x:a|E"
    assert [r.header.slot for r in parse_inbox(content).records] == ["2", "B"]


def test_inbox_total_with_dot_and_no_records() -> None:
    assert parse_inbox("total:0.").records == ()
    assert parse_inbox("total:0;;").records == ()
    assert parse_inbox("").total == 0  # newqueryrxsms on an empty inbox
    assert parse_ussd("total:0").records == ()


def test_ussd_reply_with_bars_and_empty_reply() -> None:
    content = "total:2;1|3|20240101000000|*100#|1|Menu|1 Balance|2 Data|E;2|0|2024-01-01 00:00:01|*1#|0||E;"
    first, second = parse_ussd(content).records
    assert first.reply == "Menu|1 Balance|2 Data"
    assert (second.sent, second.reply) == (False, None)


def test_stamps_round_trip_and_reject_nonsense() -> None:
    assert format_stamp(parse_stamp("2024-02-29 23:59:58")) == "20240229235958"
    with pytest.raises(SynwayGrammarError, match="not a valid date"):
        parse_stamp("20230229000000")
    with pytest.raises(SynwayGrammarError, match="not YYYYMMDD"):
        parse_stamp("yesterday")


@pytest.mark.parametrize(
    ("parser", "content", "message"),
    [
        (parse_counted_list, "portstate:0,0", "expected 'total' at offset 0"),
        (parse_counted_list, "total:-1;portstate:", "a count of zero or more"),
        (parse_counted_list, "total:2;portstate:0,x", "expected a number"),
        (parse_counted_list, "total:2;portstate:0,1 junk", "expected the end of the content"),
        (parse_total, "total:x", "expected a number"),
        (parse_task_id, "task:1", "expected 'taskid'"),
        (parse_tx_tasks, "[taskid:1;1:2]", "expected ':'"),
        (parse_tx_tasks, "taskid:1", "expected '\\['"),
        (parse_port_flags, "1:0 2:1", "expected the end"),
        (parse_inbox, "total:1;20240101000000:1(A)(-1):x:no terminator", "'|E' after the text"),
        (parse_inbox, "total:1;20241301000000:1(A)(-1):x:y|E", "a valid timestamp"),
        (parse_inbox, "total:1;garbage", "expected a timestamp at offset 8"),
        (parse_inbox, "total:1;20240101000000:1(A(-1):x:y|E", "expected '\\)'"),
        (parse_ussd, "total:1;1|0|20240101000000|99|1|NULL", "'|E' after the reply"),
        (parse_ussd, "total:1;1|0|2024|99|1|NULL|E", "a timestamp"),
        (parse_wireless, "1-2", "expected ':'"),
    ],
)
def test_malformed_content_raises_typed_error_with_offset(parser: object, content: str, message: str) -> None:
    assert callable(parser)
    with pytest.raises(SynwayGrammarError, match=message) as caught:
        parser(content)
    assert isinstance(caught.value, GatewayResponseError)
    if len(content) > 8:
        assert content not in str(caught.value)


@pytest.mark.parametrize("value", [None, 5, ["total:1"], {"total": 1}])
def test_content_that_is_not_text(value: object) -> None:
    with pytest.raises(SynwayGrammarError, match="not text"):
        parse_inbox(value)


def test_error_never_quotes_a_secret_from_the_content() -> None:
    with pytest.raises(SynwayGrammarError) as caught:
        parse_inbox("total:1;20240101000000:1(A)(+4915199999999):+4917012345678:secret code 4711")
    assert "4711" not in str(caught.value)
    assert "+4917012345678" not in str(caught.value)


# --- property tests ------------------------------------------------------------------------------------------

PARSERS = (
    parse_counted_list,
    parse_total,
    parse_wireless,
    parse_task_id,
    parse_tx_tasks,
    parse_port_flags,
    parse_inbox,
    parse_ussd,
)
GRAMMAR_ALPHABET = st.sampled_from(list("0123456789:;.,|()[]-EABtotalskid NUL\n\t+")) | st.characters()


@settings(max_examples=300, deadline=None)
@given(st.text(GRAMMAR_ALPHABET, max_size=80))
def test_any_text_raises_only_the_typed_error(content: str) -> None:
    for parser in PARSERS:
        with contextlib.suppress(SynwayGrammarError):
            parser(content)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["total:2;", "total:1;", "[taskid:", "1:", "20240101000000:", "2024-01-01 00:00:00:", "PortType:"]),
    st.text(GRAMMAR_ALPHABET, max_size=60),
)
def test_plausible_prefixes_raise_only_the_typed_error(prefix: str, rest: str) -> None:
    for parser in PARSERS:
        with contextlib.suppress(SynwayGrammarError):
            parser(prefix + rest)


SENDERS = st.text(st.characters(exclude_characters=":", exclude_categories=["Cs"]), max_size=15).map(str.strip)
TEXTS = st.text(st.characters(exclude_categories=["Cs"]), max_size=60).filter(lambda text: "|E" not in text)
STAMPS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(  # noqa: DTZ001
    lambda moment: moment.replace(microsecond=0)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(STAMPS, st.integers(0, 64), st.sampled_from(["A", "B", "C", "D", "-1"]), SENDERS, TEXTS),
        max_size=5,
    ),
    st.booleans(),
    st.booleans(),
)
def test_inbox_records_round_trip(
    records: list[tuple[datetime, int, str, str, str]], dashed: bool, terminate: bool
) -> None:
    lines = [
        f"{stamp.strftime('%Y-%m-%d %H:%M:%S' if dashed else '%Y%m%d%H%M%S')}:{port}({slot})(-1):{sender}:{text}|E"
        for stamp, port, slot, sender, text in records
    ]
    content = f"total:{len(lines)};" + ";".join(lines) + (";" if terminate else "")
    parsed = parse_inbox(content).records
    assert len(parsed) == len(records)
    for record, (stamp, port, slot, sender, text) in zip(parsed, records, strict=True):
        assert record.header.stamp == stamp
        assert record.header.port == port
        assert record.header.slot == (None if slot == "-1" else slot)
        assert record.sender == sender
        if record.sc_stamp is None:
            assert record.text == text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 64), st.text("0123456789+F", min_size=1, max_size=22)), max_size=8))
def test_port_values_round_trip(records: list[tuple[int, str]]) -> None:
    content = "".join(f"{port}:{value}." for port, value in records)
    assert [(r.port, r.value) for r in parse_wireless(content).ports] == records


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 999),
            st.lists(
                st.tuples(st.integers(-1, 64), st.text("0123456789+", min_size=1, max_size=15), st.integers(0, 5))
            ),
        ),
        max_size=4,
    )
)
def test_send_tasks_round_trip(tasks: list[tuple[int, list[tuple[int, str, int]]]]) -> None:
    blocks = [
        "[" + ";".join([f"taskid:{task_id}:{len(entries)}:9", *(f"{p}:{n}:{s}" for p, n, s in entries)]) + "]"
        for task_id, entries in tasks
    ]
    parsed = parse_tx_tasks(",".join(blocks))
    assert [(t.task_id, [(e.port, e.number, e.status) for e in t.entries]) for t in parsed] == [
        (str(task_id), [(str(p), n, s) for p, n, s in entries]) for task_id, entries in tasks
    ]
