"""Matching what `query_sms_result` and `query_sms_deliver_status` return to the messages a caller sent.

Send results carry the `user_id` the client gave each recipient (its `task_id`); delivery statuses carry none,
only the port, the number and the network's reference (`ref_id`), which the send result of the same message also
carries. So a delivery status is matched through its send result. See docs/protocol-dinstar.md, "Reports".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..models import DeliveryReportEvent, SendReportEvent, SentMessage
from .models import DeliveryStatusRecord, SmsSendRecord, SmsSendStatus

SENT = frozenset({SmsSendStatus.SENT_OK, SmsSendStatus.DELIVERED})
# TP-Status 32-63: the network is still trying; a later status says how it ended.
STILL_TRYING = range(32, 64)


def same_number(number: str) -> str:
    """A number as the device may echo it: without a leading `+` or international `00`."""
    number = number.strip()
    return number.removeprefix("+").removeprefix("00")


def results_by_recipient(records: Iterable[SmsSendRecord]) -> dict[tuple[str, str], SmsSendRecord]:
    """Final send results keyed by (`user_id`, number)."""
    return {
        (str(record.user_id), same_number(record.number)): record
        for record in records
        if record.user_id is not None and record.final
    }


def send_report(message: SentMessage, record: SmsSendRecord) -> SendReportEvent:
    """The result of one sent message."""
    sent = record.status in SENT
    return SendReportEvent(
        task_id=message.task_id,
        recipient=message.recipient,
        port_label=record.port_label,
        ref=record.ref,
        sent=sent,
        reason="" if sent else record.status_text,
        sent_at=record.sent_at,
    )


def delivery_reports(
    wanted: Sequence[tuple[SentMessage, SmsSendRecord]], statuses: Iterable[DeliveryStatusRecord]
) -> list[DeliveryReportEvent]:
    """The delivery statuses of sent messages, matched by port, number and `ref_id` (pending ones left out)."""
    index: dict[tuple[str, str, int | None], DeliveryStatusRecord] = {
        (status.port_label, same_number(status.number), status.ref_id): status
        for status in statuses
        if status.ref_id is not None and status.status_code is not None and status.status_code not in STILL_TRYING
    }
    reports = []
    for message, record in wanted:
        status = index.get((record.port_label, same_number(record.number), record.ref_id))
        if status is not None:
            reports.append(delivery_report(status, task_id=message.task_id, recipient=message.recipient))
    return reports


def delivery_report(
    status: DeliveryStatusRecord, *, task_id: str | None = None, recipient: str | None = None
) -> DeliveryReportEvent:
    """One delivery status as the shared report; pushed and polled copies share `report_id` (port, number, ref)."""
    return DeliveryReportEvent(
        port_label=status.port_label,
        ref=status.ref,
        recipient=recipient if recipient is not None else status.number,
        delivered=status.delivered,
        status_code=status.status_code,
        task_id=task_id,
        reported_at=status.sent_at,
        reference=None if status.ref_id is None else str(status.ref_id),
    )
