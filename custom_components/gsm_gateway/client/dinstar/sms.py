"""Planning an SMS send: limits, encoding, `user_id`s and the split into requests of at most 128 numbers.

Limits from the spec, checked before anything is sent (`GatewayRequestError`): 128 numbers and 1500 bytes
of text per request, numbers of at most 24 bytes (and phone numbers by the rule of `client/checks.py`: an optional
`+` and ASCII digits), USSD codes of at most 60 bytes of `0-9 * # +`. More than 128 recipients are split into
⌈n/128⌉ requests.

`user_id`s (decision, docs/protocol-dinstar.md): each recipient gets its own id so that send results can be
matched. Ids are tenths of a second since 2025-01-01 UTC, and strictly increasing within a process: a new
process starts at the current time, which lies past every id the previous one used unless it sent more than
ten messages a second on average right before the restart. They fit a signed 32-bit integer until 2031, then
wrap around to 0 (the device has long forgotten ids from 2025 by then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import time
from typing import Any

from ..checks import check_phone_number, check_ussd_code
from ..exceptions import GatewayRequestError
from ..models import Encoding
from ..ports import SlotRef
from ..sms_text import is_gsm7
from .models import SmsRecipient
from .ports import wire_ports

MAX_RECIPIENTS = 128
MAX_TEXT_BYTES = 1500
MAX_NUMBER_BYTES = 24
MAX_QUERY_NUMBERS = 32
MAX_USSD_BYTES = 60
MAX_TASK_ID_DIGITS = 10  # the spec's task_id is an Integer

USER_ID_EPOCH = 1_735_689_600  # 2025-01-01T00:00:00Z
USER_ID_LIMIT = 2**31  # the device parses user_id into a C int


def wire_encoding(text: str, encoding: Encoding) -> str:
    """The spec's encoding word: `gsm-7bit` or `unicode`. AUTO picks GSM 7-bit when the text allows it."""
    if encoding is Encoding.GSM7:
        if not is_gsm7(text):
            msg = "the text has characters GSM 7-bit cannot encode; use UCS-2"
            raise GatewayRequestError(msg)
        return "gsm-7bit"
    if encoding is Encoding.UCS2:
        return "unicode"
    return "gsm-7bit" if is_gsm7(text) else "unicode"


class UserIdAllocator:
    """Hands out `user_id`s that are unique within a process and across restarts (see the module doc)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        """`clock` returns seconds since the Unix epoch."""
        self._clock = clock
        self._last = -1

    def allocate(self, count: int) -> list[int]:
        """`count` fresh ids."""
        floor = int((self._clock() - USER_ID_EPOCH) * 10) % USER_ID_LIMIT
        first = floor if floor > self._last or self._last - floor > USER_ID_LIMIT // 2 else self._last + 1
        ids = [(first + offset) % USER_ID_LIMIT for offset in range(count)]
        if ids:
            self._last = ids[-1]
        return ids


@dataclass(frozen=True, slots=True)
class SendBatch:
    """One `send_sms` request and the recipients it carries."""

    body: dict[str, Any] = field(repr=False)
    numbers: tuple[str, ...] = field(repr=False)
    user_ids: tuple[int, ...]


def check_number(number: str) -> str:
    """A recipient as the device wants it: a phone number (`client/checks.py`) of at most 24 bytes."""
    cleaned = number.strip()
    if not cleaned:
        msg = "a recipient number is empty"
        raise GatewayRequestError(msg)
    if len(cleaned.encode()) > MAX_NUMBER_BYTES:
        msg = f"a recipient number is longer than {MAX_NUMBER_BYTES} bytes"
        raise GatewayRequestError(msg)
    return check_phone_number(cleaned, "a recipient number", max_digits=MAX_NUMBER_BYTES)


def plan_send(
    text: str,
    recipients: Sequence[SmsRecipient],
    *,
    ports: Sequence[SlotRef],
    port_count: int | None,
    encoding: Encoding,
    delivery_report: bool,
    user_ids: UserIdAllocator,
) -> list[SendBatch]:
    """Validate a send and split it into requests of at most 128 recipients."""
    if not recipients:
        msg = "no recipients"
        raise GatewayRequestError(msg)
    if len(text.encode()) > MAX_TEXT_BYTES:
        msg = f"the text is longer than {MAX_TEXT_BYTES} bytes"
        raise GatewayRequestError(msg)
    numbers = [check_number(recipient.number) for recipient in recipients]
    wire_port_list = wire_ports(ports, port_count)
    # Every text the recipients will get (after #param# substitution) decides the encoding.
    sample = text + "".join(param for recipient in recipients for param in recipient.params)
    common: dict[str, Any] = {
        "text": text,
        "encoding": wire_encoding(sample, encoding),
        "request_status_report": delivery_report,
    }
    if wire_port_list:
        common["port"] = wire_port_list
    ids = user_ids.allocate(len(recipients))
    batches: list[SendBatch] = []
    for start in range(0, len(recipients), MAX_RECIPIENTS):
        chunk = range(start, min(start + MAX_RECIPIENTS, len(recipients)))
        params: list[dict[str, Any]] = []
        for index in chunk:
            entry: dict[str, Any] = {"number": numbers[index], "user_id": ids[index]}
            if recipients[index].params:
                entry["text_param"] = list(recipients[index].params)
            params.append(entry)
        batches.append(
            SendBatch(
                body={**common, "param": params},
                numbers=tuple(numbers[index] for index in chunk),
                user_ids=tuple(ids[index] for index in chunk),
            )
        )
    return batches


def check_query_numbers(numbers: Sequence[str]) -> list[str]:
    """Numbers for a result or delivery query: at most 32, each at most 24 bytes."""
    if len(numbers) > MAX_QUERY_NUMBERS:
        msg = f"at most {MAX_QUERY_NUMBERS} numbers per query"
        raise GatewayRequestError(msg)
    return [check_number(number) for number in numbers]


def check_task_id(task_id: str) -> int:
    """A task id of a send (`SendResult.task_ids`) as the device's integer: 1-10 ASCII digits."""
    text = task_id.strip()
    if not 1 <= len(text) <= MAX_TASK_ID_DIGITS or not text.isascii() or not text.isdigit():
        msg = f"a task id is 1-{MAX_TASK_ID_DIGITS} digits 0-9"
        raise GatewayRequestError(msg)
    return int(text)


def check_ussd(code: str) -> str:
    """A USSD string: not empty, at most 60 bytes, of `0-9 * # +` only."""
    if not code.strip():
        msg = "the USSD code is empty"
        raise GatewayRequestError(msg)
    if len(code.encode()) > MAX_USSD_BYTES:
        msg = f"the USSD code is longer than {MAX_USSD_BYTES} bytes"
        raise GatewayRequestError(msg)
    return check_ussd_code(code, MAX_USSD_BYTES)
