"""Building `goip_post_sms.html` requests: task attributes, MMS attachments, collision-free task ids, and the caps.

MMS limits are the shared ones (`client/mms.py`); the send options (`smsc`, `intvl`, `tmo`) are checked here.

Caps (decisions, docs/protocol-ejoin.md "Sending"; the documents give none but the device's "16 Too Many Task"):

- `MAX_SEGMENTS` = 10: an SMS text may take at most 10 segments (billed SMS): 1,530 GSM 7-bit septets or 670
  UCS-2 units (`client/sms_text.py` counts them); a longer text is refused before anything is sent.
- `MAX_TASKS_PER_REQUEST` = 100 and `MAX_RECIPIENTS_PER_REQUEST` = 100: larger sends are split into several
  `goip_post_sms.html` requests (a task counts its recipients; one task may have at most 100).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
import functools
import time
from typing import Any

from ..checks import check_phone_number
from ..exceptions import GatewayRequestError
from ..mms import check_mms_content
from ..models import Encoding, MmsAttachment
from ..sms_text import GSM7_PER_SEGMENT, SegmentCount, count_segments

TID_MAX = 2**31 - 1  # the device's tid is an Int; assume 32-bit signed
TID_EPOCH = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
TIDS_PER_SECOND = 4
DUPLICATE_SKIP = 4096  # after "13 Duplicated TaskId": jump this far past the duplicate (about 17 min of ids)

MAX_SEGMENTS = 10
MAX_TASKS_PER_REQUEST = 100
MAX_RECIPIENTS_PER_REQUEST = 100

CODING: Mapping[Encoding, int] = {Encoding.AUTO: 0, Encoding.UCS2: 1, Encoding.GSM7: 2}
ENCODING_OF_CODING: Mapping[int, Encoding] = {code: encoding for encoding, code in CODING.items()}


class SmsType(IntEnum):
    """`smstype` of a task."""

    SMS = 0
    MMS = 1  # an MMS to one number
    MMS_MULTI_NUMBER = 2  # an MMS to several numbers, each sent its own (v2.4: "MMS multi-number")


class TaskIdAllocator:
    """Task ids that do not collide across restarts, without persistent state.

    An id is the number of quarter seconds since 2025-01-01 (wrapping to 1 after 2^31-1, about 17 years),
    or the previous id + 1 when more than 4 ids per second are taken. A restarted client starts again from the
    clock, so it can only meet an id of its previous life when that one ran ahead of the clock (a burst of
    more than 4 tasks per second) and the restart came within the burst's run-ahead. `last_used` can be
    persisted and passed back to remove even that case; on "13 Duplicated TaskId" the client jumps 4096 ids past
    the duplicate and retries those tasks once.
    """

    def __init__(self, *, last_used: int = 0, clock: Callable[[], float] = time.time) -> None:
        """Start after `last_used` (0: nothing known) and read the time from `clock`."""
        self._clock = clock
        self.last_used = last_used if 0 <= last_used <= TID_MAX else 0

    def _clock_id(self) -> int:
        ticks = int((self._clock() - TID_EPOCH) * TIDS_PER_SECOND)
        return ticks % TID_MAX + 1

    def skip_past(self, task_id: int) -> None:
        """The device still knows `task_id` (a previous life ran ahead of the clock): continue well past it."""
        self.last_used = max(self.last_used, min(task_id + DUPLICATE_SKIP, TID_MAX))

    def allocate(self, count: int = 1) -> list[int]:
        """`count` fresh ids in increasing order (except across the wrap)."""
        ids: list[int] = []
        for _ in range(count):
            candidate = max(self._clock_id(), self.last_used + 1)
            if candidate > TID_MAX:  # the run-ahead reached the top: start again from the (wrapped) clock
                candidate = self._clock_id()
            self.last_used = candidate
            ids.append(candidate)
        return ids


@dataclass(frozen=True, slots=True, kw_only=True)
class EjoinSmsTask:
    """Every task attribute of `goip_post_sms.html`; None leaves the device's default."""

    recipients: tuple[str, ...] = field(repr=False)
    text: str = field(repr=False)
    ports: str | None = None  # `from`: `1-4,6` or `1A` (see ejoin_cmd.wire_ports); None: the device picks
    charset: str | None = None  # `chs`: "utf8" (default) or "base64" (the client then encodes `text`)
    coding: int | None = None  # 0 not assigned, 1 UCS2, 2 7-bit
    sms_type: SmsType | None = None
    mms_title: str | None = field(default=None, repr=False)  # `smstitle`
    attachments: tuple[MmsAttachment, ...] = ()
    smsc: str | None = field(default=None, repr=False)
    interval_ms: int | None = None  # `intvl`, sent as a string as documented
    timeout: int | None = None  # `tmo`, seconds
    success_report: bool | None = None  # `sdr`
    failure_report: bool | None = None  # `fdr`
    delivery_report: bool | None = None  # `dr`
    report_period: int | None = None  # `sr_prd` of this task
    report_count: int | None = None  # `sr_cnt` of this task


@dataclass(frozen=True, slots=True, kw_only=True)
class EjoinSendOptions:
    """Top-level attributes of a send request: where and how the device reports and forwards."""

    report_url: str | None = None  # `sr_url`
    report_count: int | None = None  # `sr_cnt`
    report_period: int | None = None  # `sr_prd`
    sms_url: str | None = None  # `sms_url`
    sms_count: int | None = None  # `sms_cnt`: > 1 switches the device to the buffered JSON `recv-sms` form
    sms_period: int | None = None  # `sms_prd`


def check_text(text: str, coding: int | None = None) -> SegmentCount:
    """The segments `text` takes with `coding` (0/None auto, 1 UCS-2, 2 GSM 7-bit); more than `MAX_SEGMENTS` raise."""
    encoding = ENCODING_OF_CODING.get(coding or 0, Encoding.AUTO)
    if len(text) > MAX_SEGMENTS * GSM7_PER_SEGMENT:  # longer than any text of 10 segments: no need to count
        raise GatewayRequestError(
            f"the text is longer than {MAX_SEGMENTS} SMS segments; at most {MAX_SEGMENTS} are sent"
        )
    count = _count(text, encoding)
    if count.segments > MAX_SEGMENTS:
        alphabet = "GSM 7-bit" if count.encoding is Encoding.GSM7 else "UCS-2"
        raise GatewayRequestError(
            f"the text takes {count.segments} SMS segments ({alphabet}); at most {MAX_SEGMENTS} are sent per message"
        )
    return count


@functools.lru_cache(maxsize=32)
def _count(text: str, encoding: Encoding) -> SegmentCount:
    # A send to many recipients is one task per recipient with the same text: counted once.
    return count_segments(text, encoding)


def check_task(task: EjoinSmsTask) -> None:
    """Refuse, before sending, what the device documents as an error, and what breaks the client's caps."""
    if not task.recipients:
        raise GatewayRequestError("a task needs at least one recipient")
    if len(task.recipients) > MAX_RECIPIENTS_PER_REQUEST:
        raise GatewayRequestError(f"a task takes at most {MAX_RECIPIENTS_PER_REQUEST} recipients")
    for number in task.recipients:
        check_phone_number(number, "a recipient")
    if task.smsc is not None:
        check_phone_number(task.smsc, "the SMS centre")
    if task.interval_ms is not None and task.interval_ms < 0:
        raise GatewayRequestError("the interval between messages is 0 ms or more")
    if task.timeout is not None and task.timeout < 1:
        raise GatewayRequestError("the send timeout is 1 second or more")
    if task.sms_type in {SmsType.MMS, SmsType.MMS_MULTI_NUMBER}:
        check_mms_content(task.mms_title, task.attachments)
    elif not task.text:
        raise GatewayRequestError("the SMS text is empty")
    else:
        check_text(task.text, task.coding)


def request_batches(recipient_counts: Sequence[int]) -> list[list[int]]:
    """Indexes of tasks grouped into requests of at most 100 tasks and 100 recipients, in order."""
    batches: list[list[int]] = []
    recipients = 0
    for index, count in enumerate(recipient_counts):
        if not batches or len(batches[-1]) >= MAX_TASKS_PER_REQUEST or recipients + count > MAX_RECIPIENTS_PER_REQUEST:
            batches.append([])
            recipients = 0
        batches[-1].append(index)
        recipients += count
    return batches


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def task_body(task: EjoinSmsTask, tid: int) -> dict[str, Any]:
    """JSON attributes of one task (attributes left None are omitted)."""
    text = task.text
    if task.charset == "base64":
        text = base64.b64encode(text.encode()).decode("ascii")
    body: dict[str, Any] = {"tid": tid}
    if task.ports is not None:
        body["from"] = task.ports
    body["to"] = ",".join(number.strip() for number in task.recipients)
    body["sms"] = text
    optional: tuple[tuple[str, Any], ...] = (
        ("chs", task.charset),
        ("coding", task.coding),
        ("smstype", None if task.sms_type is None else int(task.sms_type)),
        ("smstitle", task.mms_title),
        ("attachments", _attachments(task.attachments) if task.attachments else None),
        ("smsc", task.smsc),
        ("intvl", None if task.interval_ms is None else str(task.interval_ms)),
        ("tmo", task.timeout),
        ("sdr", _flag(task.success_report)),
        ("fdr", _flag(task.failure_report)),
        ("dr", _flag(task.delivery_report)),
        ("sr_prd", task.report_period),
        ("sr_cnt", task.report_count),
    )
    body.update((key, value) for key, value in optional if value is not None)
    return body


def _attachments(attachments: Sequence[MmsAttachment]) -> str:
    return ";".join(
        f"{attachment.kind.lower()}|{base64.b64encode(attachment.data).decode('ascii')}" for attachment in attachments
    )


def send_body(tasks: Sequence[dict[str, Any]], options: EjoinSendOptions | None = None) -> dict[str, Any]:
    """The whole `send-sms` request."""
    body: dict[str, Any] = {"type": "send-sms"}
    if options is not None:
        top: dict[str, Any] = {
            "sr_url": options.report_url,
            "sr_cnt": options.report_count,
            "sr_prd": options.report_period,
            "sms_url": options.sms_url,
            "sms_cnt": options.sms_count,
            "sms_prd": options.sms_period,
        }
        body.update({key: value for key, value in top.items() if value is not None})
    body["task_num"] = len(tasks)
    body["tasks"] = list(tasks)
    return body
