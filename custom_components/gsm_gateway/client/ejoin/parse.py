"""Pure parsing of Skyline/EJOIN (`goip_*.html`) answers: result codes, device status, tasks and statistics.

Everything here is I/O-free and liberal: numbers may arrive as strings, strings with stray whitespace, status as
`st` (int) or `"status": "3 OK"`, `max-slot` or `max-slots`. Malformed input raises `GatewayResponseError`;
no KeyError/IndexError/TypeError/ValueError escapes. Messages name fields, never their values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
import functools
import math
import re
from typing import Any

from ..exceptions import GatewayAuthError, GatewayCommandError, GatewayResponseError
from ..models import (
    CallStatistics,
    DeviceInfo,
    GatewayStatus,
    PortStatus,
    SimState,
    SlotStatus,
    SmsStatistics,
    SmsTask,
    TaskResult,
    Vendor,
)
from ..ports import SlotRef, parse_label
from ..redaction import scrub_identifiers

# Result codes that mean "done": most endpoints answer 200, `op=set`, `goip_get_sms` and `crypt_sess.json` 0.
OK_CODES = frozenset({0, 200})
# Code 1 is "Invalid User" in the device's own table; firmware answers a bad login with it over HTTP 200.
LOGIN_FAILED_CODE = 1

STATUS_TEXTS: Mapping[int, str] = {
    0: "No SIM card",
    1: "Idle SIM card",
    2: "Registering",
    3: "Registered",
    4: "Call connected",
    5: "No balance or alarm",
    6: "Registration failed",
    7: "SIM locked by device",
    8: "SIM locked by operator",
    9: "SIM card error",
    11: "Card detected",
    12: "User locked",
    13: "Port inter-calling",
    14: "Inter-calling holding",
    15: "Accessing mobile network",
    16: "Module response timeout",
}

SIM_STATES: Mapping[int, SimState] = {
    0: SimState.NO_SIM,
    1: SimState.IDLE,
    2: SimState.REGISTERING,
    3: SimState.REGISTERED,
    4: SimState.IN_CALL,
    5: SimState.NO_BALANCE,
    6: SimState.REGISTRATION_FAILED,
    7: SimState.LOCKED_BY_DEVICE,
    8: SimState.LOCKED_BY_OPERATOR,
    9: SimState.SIM_ERROR,
    11: SimState.CARD_DETECTED,
    12: SimState.USER_LOCKED,
    13: SimState.INTERCALLING,
    14: SimState.INTERCALL_HOLDING,
    15: SimState.ACCESSING_NETWORK,
    16: SimState.MODULE_TIMEOUT,
}

# Codes that only a slot whose module is using it can have (see docs/protocol-ejoin.md, "Active slot").
IN_USE_CODES = frozenset({2, 3, 4, 5, 6, 13, 14, 15, 16})
LOCKED_CODES = frozenset({7, 12})
CSQ_UNKNOWN = 99

# Row keys read into typed fields; everything else goes to `SlotStatus.extra`.
_TYPED_ROW_KEYS = frozenset(
    {"type", "port", "st", "status", "bal", "opr", "sn", "imei", "imsi", "iccid", "sig", "led", "active"}
)
# ASCII digits, at most 18 (int() of thousands of digits is slow and raises past 4,300). Patterns are matched
# against stripped text and end in a greedy `(.*)`: `\s*(.*?)\s*$` takes quadratic time on long runs of spaces.
_INT_TEXT = re.compile(r"^[+-]?[0-9]{1,18}$")
_CODE_AND_TEXT = re.compile(r"^(-?[0-9]{1,18})(.*)$", re.DOTALL)
_CACHED_STATUS_LENGTH = 64  # longer status texts are split without the cache (it must not keep large strings)
_MAC_SEPARATORS = re.compile(r"[\s:.-]")
_HEX12 = re.compile(r"^[0-9a-fA-F]{12}$")


# --- scalar helpers -----------------------------------------------------------------------------------------


def as_int(value: object) -> int | None:
    """An int from an int, an integral float or a numeric string (whitespace allowed); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _INT_TEXT.match(text := value.strip()):
        return int(text)
    return None


def as_float(value: object) -> float | None:
    """A finite float from a number or numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_text(value: object) -> str | None:
    """Stripped text of a string or number; None for empty, missing or structured values."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    return None


def as_flag(value: object) -> bool | None:
    """1/0 (or "1"/"0", true/false) as a bool; None when absent or unreadable."""
    if value is None:  # the common case (a field the firmware does not write), asked for every status row
        return None
    if isinstance(value, bool):
        return value
    number = as_int(value)
    if number is None:
        return None
    return number != 0


def split_code(value: object) -> tuple[int | None, str]:
    """Split a status such as `"0 OK"`, `"2 Invalid Port"`, `3` or `"3"` into code and the device's text."""
    if isinstance(value, bool):
        return None, ""
    if isinstance(value, int):
        return value, ""
    if isinstance(value, str):
        return _split_code_text(value) if len(value) <= _CACHED_STATUS_LENGTH else _split_code_uncached(value)
    return None, ""


def _split_code_uncached(value: str) -> tuple[int | None, str]:
    text = value.strip()
    if match := _CODE_AND_TEXT.match(text):
        return int(match[1]), match[2].strip()
    return None, text


@functools.lru_cache(maxsize=256)
def _split_code_text(value: str) -> tuple[int | None, str]:
    # A bulk answer repeats the same few statuses ("0 OK") hundreds of times.
    return _split_code_uncached(value)


def normalise_mac(value: object) -> str | None:
    """`00-30-F1-00-6C-55` (or any separator, or none) as `00:30:f1:00:6c:55`; None when not a MAC."""
    text = as_text(value)
    if text is None:
        return None
    digits = _MAC_SEPARATORS.sub("", text)
    if not _HEX12.match(digits):
        return None
    digits = digits.lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def csq_to_dbm(csq: int | None) -> int | None:
    """GSM CSQ 0-31 to dBm (-113 + 2*CSQ, 3GPP TS 27.007); None for 99 (unknown) or out of range."""
    if csq is None or not 0 <= csq <= 31:
        return None
    return -113 + 2 * csq


def mapping(value: object, what: str) -> Mapping[str, Any]:
    """`value` as a JSON object, or a `GatewayResponseError` naming `what`."""
    if type(value) is dict:  # what json.loads gives: skip the (slow) ABC check
        return value
    if not isinstance(value, Mapping):
        raise GatewayResponseError(f"{what} is not a JSON object")
    return value


def sequence(value: object, what: str) -> Sequence[Any]:
    """`value` as a JSON array (missing counts as empty), or a `GatewayResponseError` naming `what`."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return value
    raise GatewayResponseError(f"{what} is not a JSON array")


def texts(value: object, what: str) -> tuple[str, ...]:
    """The items of a JSON array as stripped text (see `as_text`); empty and structured items are left out."""
    items = (as_text(item) for item in sequence(value, what))
    return tuple(item for item in items if item is not None)


# --- result codes -------------------------------------------------------------------------------------------


def result_code(body: Mapping[str, Any]) -> tuple[int | None, str]:
    """The top-level `code` and `reason` (`desc` on `crypt_sess.json`) of an answer."""
    code, text = split_code(body.get("code"))
    reason = as_text(body.get("reason")) or as_text(body.get("desc")) or text
    return code, reason


def check_result(body: Mapping[str, Any], endpoint: str, *, ok_codes: Iterable[int] = OK_CODES) -> None:
    """Raise when the answer's `code` is a refusal; an answer without a code is accepted.

    Code 1 is a refused login (`GatewayAuthError`); other codes become `GatewayCommandError(code, reason)`
    with the device's own text, e.g. 404 "Tasks Not Found".
    """
    if "code" not in body:
        return
    code, reason = result_code(body)
    if code in frozenset(ok_codes):
        return
    if code == LOGIN_FAILED_CODE:
        raise GatewayAuthError(f"{endpoint}: the gateway refused the username or password")
    raise GatewayCommandError(code if code is not None else body.get("code"), reason, endpoint=endpoint)


# --- device status ------------------------------------------------------------------------------------------


def sim_state(code: int | None) -> SimState:
    """Normalised state of a Skyline/EJOIN port status code."""
    if code is None:
        return SimState.UNKNOWN
    return SIM_STATES.get(code, SimState.UNKNOWN)


def _operator(value: object) -> str | None:
    """Operator ID and name; `"0"` (often `"0 "`) is what firmware writes when there is none."""
    text = as_text(value)
    return None if text is None or set(text) <= {"0"} else text


def _row_status(row: Mapping[str, Any]) -> tuple[int | None, str]:
    """Status from `st` (int, or "3 OK") or from `status` ("3 OK"); the device's text, else the table's."""
    raw = row.get("st") if "st" in row else row.get("status")
    code, text = split_code(raw)
    if not text and code is not None:
        text = STATUS_TEXTS.get(code, "")
    return code, text


def parse_slot_row(row: object, *, active: bool | None = None) -> SlotStatus:
    """One status row (a `dev-status` entry or a `port-status` push) as a `SlotStatus`.

    An unknown port notation gives `ref=None` and the stripped raw text as `label`. `active` is the caller's
    decision when the row itself carries no `active` flag.
    """
    fields = mapping(row, "status row")
    raw_label = fields.get("port")
    label_text = as_text(raw_label) or ""
    ref = parse_label(raw_label)
    if ref is not None and ref.slot is None:  # a bare port number is the port's only (first) slot
        ref = ref.with_slot(1)
    code, text = _row_status(fields)
    csq = as_int(fields.get("sig"))
    explicit_active = as_flag(fields.get("active"))
    is_active = explicit_active if explicit_active is not None else active
    return SlotStatus(
        ref=ref,
        label=ref.label if ref is not None else label_text,
        raw_label=label_text,
        state=sim_state(code),
        status_code=code,
        status_text=text,
        active=True if is_active is None else is_active,
        balance=as_float(fields.get("bal")),
        operator=_operator(fields.get("opr")),
        sim_number=as_text(fields.get("sn")),
        imei=as_text(fields.get("imei")),
        imsi=as_text(fields.get("imsi")),
        iccid=as_text(fields.get("iccid")),
        signal=None if csq == CSQ_UNKNOWN else csq,
        signal_dbm=csq_to_dbm(csq),
        locked=None if code is None else code in LOCKED_CODES,
        led=as_flag(fields.get("led")),
        extra={key: value for key, value in fields.items() if key not in _TYPED_ROW_KEYS},
    )


def _choose_active_slot(rows: Sequence[tuple[int, SlotStatus, bool]]) -> int | None:
    """The active slot of one port; see docs/protocol-ejoin.md ("Active slot").

    `rows` are (slot number, slot, whether the device flagged it explicitly with the v2.4 `active` field).
    """
    flagged = [(number, slot) for number, slot, explicit in rows if explicit]
    if flagged:
        return next((number for number, slot in flagged if slot.active), None)
    if len(rows) == 1:
        return rows[0][0]
    return next((number for number, slot, _ in rows if slot.status_code in IN_USE_CODES), None)


def parse_device_info(body: Mapping[str, Any], *, fallback_ports: int = 0) -> DeviceInfo:
    """Device facts of a `dev-status` object (the answer of `goip_get_status.html` has the same shape)."""
    port_count = as_int(body.get("max-ports")) or as_int(body.get("max_ports")) or fallback_ports
    if port_count < 1:
        raise GatewayResponseError("dev-status carries no max-ports and no readable port rows")
    slot_count = (
        as_int(body.get("max-slots"))
        or as_int(body.get("max-slot"))
        or as_int(body.get("max_slots"))
        or as_int(body.get("max_slot"))
        or 1
    )
    return DeviceInfo(
        vendor=Vendor.EJOIN,
        model=as_text(body.get("model")) or as_text(body.get("dev_type")),
        firmware=as_text(body.get("ver")),
        mac=normalise_mac(body.get("mac")),
        ip=as_text(body.get("ip")),
        port_count=port_count,
        slot_count=max(slot_count, 1),
    )


type _Variants = dict[bool | None, SlotStatus]  # one row parsed: as read (None), and as an active or inactive slot


class RowCache:
    """Parsed status rows of the previous answers: a poll reparses only the rows that changed.

    Most polls change one row in a hundred (a signal reading) or none, and parsing is most of a poll's cost: a SIM
    bank answers 2,048 rows. An answer equal to the previous one is recognised by one comparison, a row equal to the
    one at its place in the previous answer by one more (both in C), any other row by its content; only rows never
    seen before are parsed. Unchanged rows and ports keep their objects, which keeps the coordinator's equality check
    of an unchanged poll cheap. The last answer's rows are kept to compare the next with: hand over answers nobody
    changes afterwards (as `json.loads` gives them).
    """

    def __init__(self) -> None:
        """Empty."""
        self._rows: dict[tuple[tuple[str, Any], ...], _Variants] = {}  # by content
        self._ports: dict[int, PortStatus] = {}
        # The answer being parsed: each row's variants by the row's identity (the row is kept with them, so its id
        # cannot be reused meanwhile), and the equal row of the previous answer where there is one.
        self._current: dict[int, tuple[object, _Variants, object]] = {}
        self._answer: tuple[Sequence[object], GatewayStatus] | None = None  # the previous answer's rows, as parsed
        self._placed: list[_Variants | None] = []  # the previous answer's variants, by place

    def recall(self, rows: Sequence[object]) -> GatewayStatus | None:
        """The status parsed last time when `rows` equal that answer's.

        Else None, after finding the rows that kept their place and content: parsing `rows` follows.
        """
        self._current.clear()
        if self._answer is None:
            return None
        previous = self._answer[0]
        if previous == rows:
            return self._answer[1]
        for row, before, variants in zip(rows, previous, self._placed, strict=False):
            if variants is not None and row == before:
                self._current[id(row)] = (row, variants, before)
        return None

    def remember(self, rows: Sequence[object], status: GatewayStatus) -> None:
        """The answer just parsed, for `recall`; rows equal to the previous answer's are kept as those objects."""
        entries = [self._current.get(id(row)) for row in rows]
        self._placed = [None if entry is None else entry[1] for entry in entries]
        self._answer = ([row if entry is None else entry[2] for row, entry in zip(rows, entries, strict=True)], status)
        self._current.clear()

    def port(self, port: int, slots: dict[int, SlotStatus], active_slot: int | None) -> PortStatus:
        """The port's status; the previous object itself when none of its slots changed."""
        previous = self._ports.get(port)
        if (
            previous is not None
            and previous.active_slot == active_slot
            and len(previous.slots) == len(slots)
            and all(previous.slots.get(number) is slot for number, slot in slots.items())
        ):
            return previous
        self._ports[port] = status = PortStatus(port=port, slots=slots, active_slot=active_slot)
        return status

    @staticmethod
    def _key(row: object) -> tuple[tuple[str, Any], ...] | None:
        if not isinstance(row, dict):
            return None
        key = tuple(row.items())
        try:
            hash(key)
        except TypeError:  # a row with nested values: parsed every time
            return None
        return key

    def slot(self, row: object, active: bool | None = None) -> SlotStatus:
        """`parse_slot_row(row)` with `active` set (None: as parsed), reused when the row came before."""
        current = self._current.get(id(row))
        if current is not None and current[0] is row:
            variants = current[1]
        else:
            key = self._key(row)
            if key is None:
                parsed = parse_slot_row(row)
                return parsed if active is None else _with_active(parsed, active)
            stored = self._rows.get(key)
            if stored is None:
                stored = self._rows[key] = {None: parse_slot_row(row)}
            variants = stored
            self._current[id(row)] = (row, variants, row)
        if (found := variants.get(active)) is None:
            found = variants[active] = _with_active(variants[None], bool(active))
        return found

    def keep_only(self, rows: Sequence[object]) -> None:
        """Forget rows that are not in the latest answer (bounds the cache)."""
        if len(self._rows) > 2 * len(rows):
            current = {key for row in rows if (key := self._key(row)) is not None}
            self._rows = {key: value for key, value in self._rows.items() if key in current}


def parse_gateway_status(body: object, *, cache: RowCache | None = None) -> GatewayStatus:
    """A `dev-status` object (pushed, or answered by `goip_get_status.html`) with every port and slot.

    With a `cache` (polls, and pushes through the gateway) rows seen before keep their objects. Without one every
    row is parsed once, as an inactive slot, and only each port's active slot is copied with `active=True`: the cost
    stays linear and small in the number of rows either way.
    """
    fields = mapping(body, "dev-status")
    rows = sequence(fields.get("status"), "dev-status status")
    if cache is not None and (known := cache.recall(rows)) is not None:
        return replace(known, device=parse_device_info(fields, fallback_ports=max(known.ports, default=0)))
    unparsed: list[str] = []
    by_port: dict[int, list[tuple[int, SlotStatus, bool]]] = {}
    source: dict[tuple[int, int], object] = {}
    labels: dict[tuple[int, int], str] = {}  # the raw label that named each slot first
    for row in rows:
        parsed = cache.slot(row) if cache is not None else parse_slot_row(row, active=False)
        if parsed.ref is None:  # kept for display; never a crash
            unparsed.append(parsed.label)
            continue
        key = (parsed.ref.port, parsed.ref.slot or 1)
        if labels.setdefault(key, parsed.raw_label) != parsed.raw_label:
            # Two labels for one slot (e.g. SIM-bank pool forms numbered otherwise than we read them): the second
            # is not merged into the first, it is kept raw.
            unparsed.append(parsed.raw_label)
            continue
        explicit = as_flag(row.get("active")) is not None
        by_port.setdefault(key[0], []).append((key[1], parsed, explicit))
        source[key] = row
    device = parse_device_info(fields, fallback_ports=max(by_port, default=0))
    ports: dict[int, PortStatus] = {}
    for port, slot_rows in sorted(by_port.items()):
        active_slot = _choose_active_slot(slot_rows)
        if cache is None:
            slots = {number: _with_active(parsed, number == active_slot) for number, parsed, _ in slot_rows}
            ports[port] = PortStatus(port=port, slots=dict(sorted(slots.items())), active_slot=active_slot)
            continue
        slots = {number: cache.slot(source[port, number], number == active_slot) for number, _, _ in slot_rows}
        ports[port] = cache.port(port, dict(sorted(slots.items())), active_slot)
    status = GatewayStatus(device=device, ports=ports, unparsed_labels=tuple(unparsed))
    if cache is not None:
        cache.keep_only(rows)
        cache.remember(rows, status)
    return status


def _with_active(slot: SlotStatus, active: bool) -> SlotStatus:
    # Unchanged rows keep their (cached) object, which keeps equality checks of unchanged polls cheap.
    return slot if slot.active == active else replace(slot, active=active)


# --- tasks --------------------------------------------------------------------------------------------------


def parse_task_results(items: object, what: str) -> list[TaskResult]:
    """`[{"tid": 2, "status": "0 OK"}, ...]` (send, pause, resume and remove answers)."""
    results: list[TaskResult] = []
    for item in sequence(items, what):
        entry = mapping(item, f"{what} entry")
        tid = as_int(entry.get("tid"))
        if tid is None:
            raise GatewayResponseError(f"{what} entry has no task id")
        code, text = split_code(entry.get("status"))
        # The device's text becomes a per-recipient reason and error placeholder: scrubbed like every device text.
        results.append(TaskResult(task_id=str(tid), code=code, text=scrub_identifiers(text)))
    return results


def parse_task_page(body: Mapping[str, Any]) -> tuple[list[SmsTask], int | None]:
    """One page of `goip_get_tasks.html`: the tasks and `total_num` (None when missing)."""
    tasks: list[SmsTask] = []
    for item in sequence(body.get("tasks"), "tasks"):
        entry = mapping(item, "task")
        tid = as_int(entry.get("tid"))
        if tid is None:
            raise GatewayResponseError("task entry has no task id")
        recipients = as_text(entry.get("to")) or ""
        tasks.append(
            SmsTask(
                task_id=str(tid),
                paused=as_int(entry.get("state")) == 1,
                ports=as_text(entry.get("from")) or "",
                recipients=tuple(number.strip() for number in recipients.split(",") if number.strip()),
                text=entry.get("sms") if isinstance(entry.get("sms"), str) else None,
                encoding=as_int(entry.get("coding")),
            )
        )
    return tasks, as_int(body.get("total_num"))


# --- statistics ---------------------------------------------------------------------------------------------


def _stat_ref(entry: Mapping[str, Any]) -> SlotRef | None:
    """Port (int, or a label such as "1A" on some firmware) and slot of a statistics row."""
    ref = parse_label(as_int(entry.get("port")) or entry.get("port"))
    if ref is None:
        return None
    slot = ref.slot or as_int(entry.get("slot"))
    try:
        return SlotRef(ref.port, slot if slot is not None and slot >= 1 else None)
    except ValueError:
        return None


def _stat_entries(body: Mapping[str, Any]) -> list[tuple[SlotRef, Mapping[str, Any]]]:
    entries: list[tuple[SlotRef, Mapping[str, Any]]] = []
    for item in sequence(body.get("stats"), "stats"):
        entry = mapping(item, "stats entry")
        ref = _stat_ref(entry)
        if ref is not None:  # a row without a readable port cannot be attributed; it is skipped
            entries.append((ref, entry))
    return entries


def parse_sms_statistics(body: Mapping[str, Any]) -> list[SmsStatistics]:
    """`goip_get_sms_stat.html` rows."""
    return [
        SmsStatistics(
            ref=ref,
            received=as_int(entry.get("received")) or 0,
            sent=as_int(entry.get("sent")) or 0,
            sent_ok=as_int(entry.get("sent_ok")) or 0,
            sent_failed=as_int(entry.get("sent_failed")) or 0,
            consecutive_failed=as_int(entry.get("con_failed")) or 0,
            unsent=as_int(entry.get("unsent")) or 0,
            sending=as_int(entry.get("sending")) or 0,
        )
        for ref, entry in _stat_entries(body)
    ]


def parse_call_statistics(body: Mapping[str, Any]) -> list[CallStatistics]:
    """`goip_get_call_stat.html` rows (`pdd`, `acd` in seconds, `asr` in percent, `tcd` in minutes)."""
    return [
        CallStatistics(
            ref=ref,
            calls=as_int(entry.get("calls")) or 0,
            alerted=as_int(entry.get("alerted")) or 0,
            connected=as_int(entry.get("connected")) or 0,
            failed=as_int(entry.get("con_failed")) or 0,
            no_carrier=as_text(entry.get("nc")),
            pdd=as_float(entry.get("pdd")),
            acd=as_float(entry.get("acd")),
            asr=as_float(entry.get("asr")),
            total_minutes=as_int(entry.get("tcd")),
            actual_seconds=as_int(entry.get("act_tcd")),
        )
        for ref, entry in _stat_entries(body)
    ]
