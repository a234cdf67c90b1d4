"""The `content` mini-language of Synway SMG answers, read by one small recursive-descent grammar.

Every Synway answer is `{"result": ..., "content": "<string>"}`, and the string has its own syntax. This module
is the only place that reads it. Productions (EBNF; whitespace is skipped between tokens, never inside free
text such as an SMS body):

    counted_list = "total" ":" int [";"] key ":" [int {"," int}] ["."] [";"]   total:8;portstate:0,0,0
    total_only   = "total" ":" int ["." | ";"]                                  total:2;
    port_values  = {int ":" value ["."] [";"]}                                  2:8986....3:8986....
    keyed_value  = key ":" value ["."]                                          PortType:WCDMA
    task_id      = "taskid" ":" token                                           taskid:0
    tx_tasks     = [tx_task {"," tx_task}]
    tx_task      = "[" "taskid" ":" token [":" int [":" token]] {";" tx_entry} [";"] "]"
    tx_entry     = token ":" number ":" int                                     1:10086:2
    port_flags   = int ":" int {(";" | ",") int ":" int} [";" | "."]            1:0;2:1;3:1
    inbox        = "total" ":" int [";" {rx_record}]
    rx_record    = stamp ":" int "(" slot ")" "(" simnum ")" ":" sender ":" text "|E" [";"]
    outbox       = "total" ":" int [";" {sx_record}]
    sx_record    = stamp ":" int "(" slot ")" "(" simnum ")" ":" recipient ":" int ":" text [":"] "|E" [";"]
    ussd_list    = "total" ":" int [";" {ussd_record}]
    ussd_record  = int "|" int "|" stamp "|" code "|" int "|" reply "|E" [";"]
    stamp        = YYYYMMDDhhmmss | "YYYY-MM-DD HH:MM:SS"  (the second form comes from `newqueryrxsms`)
    slot         = letters | "-1"       "-1": a single-SIM port
    simnum       = {not ")"} | "-1"     "-1": number unknown

`value` ends at a "." that is followed by the next `int ":"`, a ";" or the end. `text` and `reply` run to the
first "|E" that is followed by an optional ";" and then the end or the start of the next record, so an SMS body
may contain ":", ";", "|" and even "|E". A value of `(-1)` (or `-1`) means unknown and becomes None.

A text that starts with a 14-digit timestamp and "|:" (the spec's second inbox example,
`10086:20150911111112|:This is a test message|E`) carries the service centre's timestamp in front of the body;
it is split off into `sc_stamp`, so users see only the body. Apart from that, texts are kept verbatim.

Anything that does not fit raises `SynwayGrammarError` (a `GatewayResponseError`) naming the production and the
offset, never the content; no other exception leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import re

from ..exceptions import GatewayResponseError

_INT = re.compile(r"-?\d{1,18}(?!\d)")
_KEY = re.compile(r"[A-Za-z][A-Za-z_ ]*?(?=\s*:)")
_TOKEN = re.compile(r"[^:;,\[\]\s]+")
_ENTRY_TOKEN = re.compile(r"[^:;\]]*")
_SENDER = re.compile(r"[^:]*")
_SLOT = re.compile(r"\s*(-1|[A-Za-z]{1,2}|\d{1,2})?\s*")
_SIMNUM = re.compile(r"[^)]*")
_USSD_FIELD = re.compile(r"[^|]*")
_STAMP_TEXT = r"(?:\d{14}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"
_STAMP = re.compile(r"(\d{4})-?(\d{2})-?(\d{2}) ?(\d{2}):?(\d{2}):?(\d{2})")
_STAMP_EXACT = re.compile(r"\d{14}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_SC_PREFIX = re.compile(r"(\d{14})\|:")
# The end of a port value: a "." followed by the next record, a ";" or the end of the content.
_VALUE_END = re.compile(r"\.(?=\s*(?:-?\d{1,18}\s*:|;|\Z))|(?=;)|\Z")
# The "|E" that ends an SMS record: followed by an optional ";" and the end or the next record's header.
_SMS_END = re.compile(r"\|E(?=\s*;?\s*(?:\Z|" + _STAMP_TEXT + r"\s*:\s*-?\d{1,18}\s*\())")
_USSD_END = re.compile(r"\|E(?=\s*;?\s*(?:\Z|-?\d{1,18}\s*\|\s*-?\d{1,18}\s*\|))")
_UNKNOWN = frozenset({"(-1)", "-1", ""})


class SynwayGrammarError(GatewayResponseError):
    """A Synway `content` string does not follow the grammar. The message never quotes the content."""


# --- parsed shapes (wire-level: ports are numbered as the device numbers them) ------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CountedList:
    """`total:8;portstate:0,0,...`: a total and one integer per port, in port order."""

    total: int
    key: str
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PortValue:
    """One `port:value` record of `getwirelessinfo`; `value` is None for `(-1)` or empty."""

    port: int
    value: str | None = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WirelessAnswer:
    """`getwirelessinfo`: either one device-wide `Key:value` or one value per port."""

    shared_key: str | None = None
    shared_value: str | None = None
    ports: tuple[PortValue, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TxEntry:
    """One recipient of a send task: the port that sends (raw token), the number and the status code."""

    port: str
    number: str = field(repr=False)
    status: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TxTask:
    """One `[taskid:...]` block of `querytxsms`."""

    task_id: str
    count: int | None
    user_id: str | None
    entries: tuple[TxEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PortFlag:
    """One `port:flag` pair (`txussd`: 1 sent, 0 not sent)."""

    port: int
    flag: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsHeader:
    """`stamp:port(slot)(simnum)`: shared by inbox and outbox records."""

    stamp: datetime  # naive: the device's local time
    port: int
    slot: str | None  # raw letters (or digits); None for `(-1)`: single-SIM port
    sim_number: str | None = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RxRecord:
    """A received SMS record."""

    header: SmsHeader
    sender: str = field(repr=False)
    text: str = field(repr=False)
    sc_stamp: datetime | None = None  # service-centre timestamp, when the firmware put one before the text


@dataclass(frozen=True, slots=True, kw_only=True)
class UssdRecord:
    """One USSD exchange: `Port|Order|Time|Content|Sending result|Receiving result|E`."""

    port: int
    order: int
    stamp: datetime
    code: str = field(repr=False)
    sent: bool
    reply: str | None = field(repr=False)  # None: `NULL`, no reply yet


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing[RecordT]:
    """`total:N;` followed by records. `total` is the device's count, which may differ from `len(records)`."""

    total: int
    records: tuple[RecordT, ...]


# --- the scanner ---------------------------------------------------------------------------------------------


class _Scanner:
    """A cursor over one content string; every failure names the production and the offset only."""

    def __init__(self, text: object, production: str) -> None:
        if not isinstance(text, str):
            msg = f"synway {production}: content is {type(text).__name__}, not text"
            raise SynwayGrammarError(msg)
        self.text = text
        self.pos = 0
        self.production = production

    def fail(self, expected: str) -> SynwayGrammarError:
        return SynwayGrammarError(f"synway {self.production}: expected {expected} at offset {self.pos}")

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_ws()
        return self.pos >= len(self.text)

    def peek(self, literal: str) -> bool:
        self.skip_ws()
        return self.text.startswith(literal, self.pos)

    def accept(self, literal: str, *, ignore_case: bool = False) -> bool:
        self.skip_ws()
        chunk = self.text[self.pos : self.pos + len(literal)]
        if chunk == literal or (ignore_case and chunk.lower() == literal.lower()):
            self.pos += len(literal)
            return True
        return False

    def expect(self, literal: str, *, ignore_case: bool = False) -> None:
        if not self.accept(literal, ignore_case=ignore_case):
            raise self.fail(repr(literal))

    def match(self, pattern: re.Pattern[str], expected: str, *, skip_ws: bool = True) -> str:
        if skip_ws:
            self.skip_ws()
        found = pattern.match(self.text, self.pos)
        if found is None:
            raise self.fail(expected)
        self.pos = found.end()
        return found.group(0)

    def integer(self) -> int:
        return int(self.match(_INT, "a number"))

    def until(self, end: re.Pattern[str], expected: str) -> str:
        """Free text from here (whitespace kept) up to `end`, which is consumed."""
        found = end.search(self.text, self.pos)
        if found is None:
            raise self.fail(expected)
        value = self.text[self.pos : found.start()]
        self.pos = found.end()
        return value

    def finish(self) -> None:
        if not self.at_end():
            raise self.fail("the end of the content")


def _unknown_to_none(value: str) -> str | None:
    value = value.strip()
    return None if value in _UNKNOWN else value


def parse_stamp(text: str) -> datetime:
    """`YYYYMMDDhhmmss` or `YYYY-MM-DD HH:MM:SS` as a naive datetime (the device's local time)."""
    match = _STAMP.fullmatch(text.strip()) if _STAMP_EXACT.fullmatch(text.strip()) else None
    if match is None:
        msg = "synway timestamp: not YYYYMMDDhhmmss or YYYY-MM-DD HH:MM:SS"
        raise SynwayGrammarError(msg)
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - device local time
    except ValueError:
        msg = "synway timestamp: not a valid date and time"
        raise SynwayGrammarError(msg) from None


def format_stamp(stamp: datetime) -> str:
    """The request form of a timestamp: `YYYYMMDDhhmmss`."""
    return stamp.strftime("%Y%m%d%H%M%S")


def _stamp(scanner: _Scanner) -> datetime:
    scanner.skip_ws()
    found = _STAMP_EXACT.match(scanner.text, scanner.pos)
    if found is None:
        raise scanner.fail("a timestamp")
    scanner.pos = found.end()
    try:
        return parse_stamp(found.group(0))
    except SynwayGrammarError:
        scanner.pos = found.start()
        raise scanner.fail("a valid timestamp") from None


def _total(scanner: _Scanner) -> int:
    scanner.expect("total", ignore_case=True)
    scanner.expect(":")
    total = scanner.integer()
    if total < 0:
        raise scanner.fail("a count of zero or more")
    return total


# --- productions -----------------------------------------------------------------------------------------------


def parse_counted_list(content: object, production: str = "port list") -> CountedList:
    """`total:8;portstate:0,0,0,0,0,0,0,0` or `total:8;ConnectState:1,1,0.` (trailing "." and ";" tolerated)."""
    scanner = _Scanner(content, production)
    total = _total(scanner)
    scanner.accept(";")
    key = scanner.match(_KEY, "a key")
    scanner.expect(":")
    values: list[int] = []
    if not (scanner.at_end() or scanner.peek(".") or scanner.peek(";")):
        values.append(scanner.integer())
        while scanner.accept(","):
            if scanner.at_end() or scanner.peek(".") or scanner.peek(";"):
                break  # a trailing comma
            values.append(scanner.integer())
    scanner.accept(".")
    scanner.accept(";")
    scanner.finish()
    return CountedList(total=total, key=key.strip(), values=tuple(values))


def parse_total(content: object, production: str = "count") -> int:
    """`total:N` with an optional `;` or `.` (deletesms, deleteussd)."""
    scanner = _Scanner(content, production)
    total = _total(scanner)
    if not scanner.accept(";"):
        scanner.accept(".")
    scanner.finish()
    return total


def parse_wireless(content: object) -> WirelessAnswer:
    """`getwirelessinfo`: `PortType:WCDMA` (device-wide) or `2:8986....3:8986....` (per port)."""
    scanner = _Scanner(content, "wireless info")
    scanner.skip_ws()
    key_match = _KEY.match(scanner.text, scanner.pos)
    if key_match is not None:
        scanner.pos = key_match.end()
        scanner.expect(":")
        value = scanner.text[scanner.pos :].strip()
        value = value.removesuffix(";").removesuffix(".")
        return WirelessAnswer(shared_key=key_match.group(0).strip(), shared_value=_unknown_to_none(value))
    records: list[PortValue] = []
    while not scanner.at_end():
        port = scanner.integer()
        scanner.expect(":")
        value = scanner.until(_VALUE_END, "a value")
        scanner.accept(";")
        records.append(PortValue(port=port, value=_unknown_to_none(value)))
    return WirelessAnswer(ports=tuple(records))


def parse_task_id(content: object) -> str:
    """`taskid:0` (txsms)."""
    scanner = _Scanner(content, "task id")
    scanner.expect("taskid", ignore_case=True)
    scanner.expect(":")
    task_id = scanner.match(_TOKEN, "a task id")
    scanner.accept(";")
    scanner.accept(".")
    scanner.finish()
    return task_id


def _tx_task(scanner: _Scanner) -> TxTask:
    scanner.expect("[")
    scanner.expect("taskid", ignore_case=True)
    scanner.expect(":")
    task_id = scanner.match(_TOKEN, "a task id")
    count: int | None = None
    user_id: str | None = None
    if scanner.accept(":"):
        count = scanner.integer()
        if scanner.accept(":"):
            user_id = scanner.match(_TOKEN, "a user id")
    entries: list[TxEntry] = []
    while scanner.accept(";"):
        if scanner.peek("]"):
            break
        port = scanner.match(_ENTRY_TOKEN, "a port").strip()
        scanner.expect(":")
        number = scanner.match(_ENTRY_TOKEN, "a number").strip()
        scanner.expect(":")
        entries.append(TxEntry(port=port, number=number, status=scanner.integer()))
    scanner.expect("]")
    return TxTask(task_id=task_id, count=count, user_id=user_id, entries=tuple(entries))


def parse_tx_tasks(content: object) -> tuple[TxTask, ...]:
    """`[taskid:0:2:3;1:10086:2;2:10087:3],[taskid:1:1;3:10088:2]` (querytxsms)."""
    scanner = _Scanner(content, "send results")
    tasks: list[TxTask] = []
    while not scanner.at_end():
        tasks.append(_tx_task(scanner))
        if not scanner.accept(","):
            scanner.accept(";")
    return tuple(tasks)


def parse_port_flags(content: object) -> tuple[PortFlag, ...]:
    """`1:0;2:1;3:1` (txussd: per port, 1 sent and 0 not sent)."""
    scanner = _Scanner(content, "port results")
    flags: list[PortFlag] = []
    while not scanner.at_end():
        port = scanner.integer()
        scanner.expect(":")
        flags.append(PortFlag(port=port, flag=scanner.integer()))
        if not (scanner.accept(";") or scanner.accept(",")):
            scanner.accept(".")
            scanner.finish()
    return tuple(flags)


def _sms_header(scanner: _Scanner) -> SmsHeader:
    stamp = _stamp(scanner)
    scanner.expect(":")
    port = scanner.integer()
    scanner.expect("(")
    slot = scanner.match(_SLOT, "a slot").strip()
    scanner.expect(")")
    scanner.expect("(")
    sim_number = scanner.match(_SIMNUM, "a SIM number")
    scanner.expect(")")
    scanner.expect(":")
    return SmsHeader(
        stamp=stamp,
        port=port,
        slot=None if slot in _UNKNOWN else slot.upper(),
        sim_number=_unknown_to_none(sim_number),
    )


def _rx_record(scanner: _Scanner) -> RxRecord:
    header = _sms_header(scanner)
    sender = scanner.match(_SENDER, "a sender", skip_ws=False)
    scanner.expect(":")
    text = scanner.until(_SMS_END, "'|E' after the text")
    sc_stamp: datetime | None = None
    if (prefix := _SC_PREFIX.match(text)) is not None:
        try:
            sc_stamp = parse_stamp(prefix.group(1))
        except SynwayGrammarError:
            sc_stamp = None  # fourteen digits that are not a time: part of the text after all
        else:
            text = text[prefix.end() :]
    return RxRecord(header=header, sender=sender.strip(), text=text, sc_stamp=sc_stamp)


def _ussd_record(scanner: _Scanner) -> UssdRecord:
    port = scanner.integer()
    scanner.expect("|")
    order = scanner.integer()
    scanner.expect("|")
    stamp = _stamp(scanner)
    scanner.expect("|")
    code = scanner.match(_USSD_FIELD, "a USSD code", skip_ws=False)
    scanner.expect("|")
    sent = scanner.integer()
    scanner.expect("|")
    reply = scanner.until(_USSD_END, "'|E' after the reply").strip()
    return UssdRecord(
        port=port,
        order=order,
        stamp=stamp,
        code=code.strip(),
        sent=sent == 1,
        reply=None if reply.upper() in {"NULL", ""} else reply,
    )


def _listing[RecordT](
    content: object, production: str, record: Callable[[_Scanner], RecordT], *, total_optional: bool = False
) -> Listing[RecordT]:
    scanner = _Scanner(content, production)
    records: list[RecordT] = []
    if total_optional and not scanner.peek("total"):
        total = None  # records without the `total:N;` head (or an empty answer)
    else:
        total = _total(scanner)
        if not scanner.accept(";"):
            scanner.accept(".")
            scanner.finish()
    while not scanner.at_end():
        if scanner.accept(";"):
            continue  # an empty record: `total:0;;`
        records.append(record(scanner))
        scanner.accept(";")
    return Listing(total=len(records) if total is None else total, records=tuple(records))


def parse_inbox(content: object) -> Listing[RxRecord]:
    """`queryrxsms` / `newqueryrxsms`: `total:2;20150911111111:1(A)(152...):10086: Hello world!|E;...`.

    `newqueryrxsms` may leave out the `total:N;` head and just list records; that form is accepted too.
    """
    return _listing(content, "inbox", _rx_record, total_optional=True)


def parse_ussd(content: object) -> Listing[UssdRecord]:
    """`rxussd`: `total:1;2|0|20160721132505|99|1| NULL|E`."""
    return _listing(content, "USSD records", _ussd_record)
