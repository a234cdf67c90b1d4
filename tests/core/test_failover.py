"""`send_sms` with failover, with the client mocked: the paths a simulator cannot easily take.

A gateway that raises each kind of client error, answers strangely, stops being followed mid-wait, or is unloaded
while another one is tried. Synway's fixture gateway is used (four registered ports, results read back), its send
results fed through `fetch_reports` as a real poll would read them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.gsm_gateway.client import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayRequestError,
    GatewayResponseError,
    RecipientResult,
    SendReportEvent,
    SendResult,
    SentMessage,
    SmsRequest,
)
from custom_components.gsm_gateway.const import DOMAIN
from custom_components.gsm_gateway.reports import Reports

from .conftest import GatewayModels, entry_data, mock_client

pytestmark = pytest.mark.parametrize("vendor", ["synway"], indirect=True)

ALICE = "+491700000001"
BOB = "+491700000002"


async def send(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "send_sms", {"message": "Alarm", "failover": True} | data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


def outcomes(response: dict[str, Any], index: int = 0) -> list[tuple[str, str]]:
    return [(attempt["port"], attempt["outcome"]) for attempt in response["recipients"][index]["attempts"]]


type Answer = Callable[[SmsRequest], SendResult]


def answering(gateway: MagicMock, answer: Answer) -> list[SmsRequest]:
    """Let the mocked client answer each send with `answer`; the requests it got are listed."""
    requests: list[SmsRequest] = []

    async def send_sms(request: SmsRequest) -> SendResult:
        requests.append(request)
        return answer(request)

    gateway.send_sms.side_effect = send_sms
    return requests


def accepted(*task_ids: str) -> Answer:
    """Accept each request, giving it the next of `task_ids`."""
    ids = iter(task_ids)

    def answer(request: SmsRequest) -> SendResult:
        (number,) = request.recipients
        task_id = next(ids)
        return SendResult(
            task_ids=(task_id,), recipients=(RecipientResult(recipient=number, accepted=True, task_id=task_id),)
        )

    return answer


def reports_of(sent_task: str) -> Callable[[list[SentMessage]], Any]:
    """What a poll reads back: the result of `sent_task`, once it is awaited; nothing for the others."""

    async def fetch_reports(sent: list[SentMessage]) -> list[SendReportEvent]:
        return [
            SendReportEvent(task_id=message.task_id, recipient=message.recipient, port_label="2A", sent=True)
            for message in sent
            if message.task_id == sent_task
        ]

    return fetch_reports


@pytest.mark.usefixtures("init_integration")
async def test_a_refused_login_ends_that_gateway_and_asks_for_new_credentials(
    hass: HomeAssistant, mock_gateway: MagicMock
) -> None:
    mock_gateway.send_sms.side_effect = GatewayAuthError("TaskHandle: HTTP 401")
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=[ALICE])
    assert raised.value.translation_placeholders == {
        "failed": "1",
        "total": "1",
        "attempts": "1",
        "reason": "refused: TaskHandle: HTTP 401",
    }
    assert mock_gateway.send_sms.await_count == 1  # no other port of a gateway that refuses the login
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.usefixtures("init_integration")
async def test_a_request_beyond_the_gateways_limits_is_refused_on_the_whole_gateway(
    hass: HomeAssistant, mock_gateway: MagicMock
) -> None:
    mock_gateway.send_sms.side_effect = GatewayRequestError("the text is too long for this gateway")
    with pytest.raises(HomeAssistantError):
        await send(hass, recipients=[ALICE, BOB])
    assert mock_gateway.send_sms.await_count in {1, 2}  # each recipient at most once: the gateway is out after that


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (GatewayResponseError("TaskHandle: answer is not JSON"), "TaskHandle: answer is not JSON"),
        (GatewayConnectionError("TaskHandle: cannot talk to host (ServerDisconnectedError)"), "ServerDisconnected"),
    ],
)
async def test_an_answer_that_may_follow_a_send_is_ambiguous(
    hass: HomeAssistant, mock_gateway: MagicMock, error: Exception, reason: str
) -> None:
    mock_gateway.send_sms.side_effect = error
    response = await send(hass, recipients=[ALICE])
    assert outcomes(response) == [("1A", "ambiguous")]
    assert reason in response["recipients"][0]["reason"]
    assert response["outcomes"]["ambiguous"] == 1
    assert mock_gateway.send_sms.await_count == 1


@pytest.mark.usefixtures("init_integration")
async def test_an_answer_about_somebody_else_is_ambiguous(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    answering(mock_gateway, lambda _request: SendResult(task_ids=(), recipients=()))
    response = await send(hass, recipients=[ALICE])
    assert outcomes(response) == [("1A", "ambiguous")]
    assert response["recipients"][0]["reason"] == "unexpected answer"


@pytest.mark.usefixtures("init_integration")
async def test_a_send_without_a_task_id_cannot_be_followed(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    answering(
        mock_gateway,
        lambda request: SendResult(
            task_ids=(), recipients=(RecipientResult(recipient=request.recipients[0], accepted=True),)
        ),
    )
    response = await send(hass, recipients=[ALICE])
    assert outcomes(response) == [("1A", "accepted")]
    assert response["recipients"][0]["reason"] == "the gateway named no task to follow"


@pytest.mark.usefixtures("init_integration")
async def test_a_refusal_echoing_the_number_is_not_repeated_in_the_error(
    hass: HomeAssistant, mock_gateway: MagicMock
) -> None:
    """Firmware texts sometimes echo the number; the action's error says how many, never who."""
    answering(
        mock_gateway,
        lambda request: SendResult(
            task_ids=(),
            recipients=(
                RecipientResult(
                    recipient=request.recipients[0], accepted=False, reason=f"blocked {request.recipients[0][1:]}"
                ),
            ),
        ),
    )
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=[ALICE], max_attempts=2)
    assert raised.value.translation_placeholders["reason"] == "refused: blocked ***"
    assert ALICE[1:] not in str(raised.value)


async def test_a_gateway_whose_status_fails_is_skipped(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_gateway: MagicMock
) -> None:
    """The last status poll failed: the gateway is not tried (a request would likely hang until it times out)."""
    mock_gateway.get_status.side_effect = GatewayConnectionError("TaskHandle: cannot talk to host")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=[ALICE])
    assert raised.value.translation_placeholders["attempts"] == "0"
    assert raised.value.translation_placeholders["reason"] == "no registered SIM on any loaded gateway"
    mock_gateway.send_sms.assert_not_awaited()


@pytest.mark.usefixtures("init_integration")
async def test_at_least_once_gives_half_the_time_left_to_the_next_port(
    hass: HomeAssistant, mock_gateway: MagicMock
) -> None:
    """Port 1 accepts and stays silent; after half the deadline port 2 is tried and its result comes in."""
    answering(mock_gateway, accepted("t1", "t2"))
    mock_gateway.fetch_reports.side_effect = reports_of("t2")
    sending = hass.async_create_task(send(hass, recipients=[ALICE], deadline=40, at_least_once=True, max_attempts=2))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if mock_gateway.send_sms.await_count:
            break
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=21))  # half of 40 s: port 2's turn
    for _ in range(50):
        await asyncio.sleep(0.01)
        if mock_gateway.send_sms.await_count == 2:
            break
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=32))  # the next poll reads t2's result
    response = await sending
    assert outcomes(response) == [("1A", "accepted"), ("2A", "sent")]
    assert response["recipients"][0]["attempts"][0]["reason"] == "no send result within 20 s"
    assert response["recipients"][0]["task_id"] == "t2"


async def test_a_reload_while_waiting_ends_the_wait(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_gateway: MagicMock
) -> None:
    answering(mock_gateway, accepted("t1"))
    mock_gateway.fetch_reports.return_value = []
    sending = hass.async_create_task(send(hass, recipients=[ALICE]))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if mock_gateway.send_sms.await_count:
            break
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    response = await sending
    assert outcomes(response) == [("1A", "accepted")]
    assert response["recipients"][0]["reason"] == ("Home Assistant stopped following this gateway (reload or shutdown)")


@pytest.mark.usefixtures("init_integration")
async def test_a_port_device_chooses_the_first_port(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_gateway: MagicMock
) -> None:
    answering(mock_gateway, accepted("t1"))
    mock_gateway.fetch_reports.side_effect = reports_of("t1")
    device = dr.async_get(hass).async_get_child_device_by_identifier(
        (DOMAIN, f"{init_integration.unique_id}_port_3"), init_integration.entry_id
    )
    assert device is not None
    sending = hass.async_create_task(send(hass, recipients=[ALICE], device_id=device.id))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if mock_gateway.send_sms.await_count:
            break
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    response = await sending
    assert [request.ports[0].port for request in [call.args[0] for call in mock_gateway.send_sms.await_args_list]] == [
        3
    ]
    assert response["recipients"][0]["outcome"] == "sent"


async def test_a_gateway_unloaded_meanwhile_is_not_tried(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_create_gateway: MagicMock, models: GatewayModels
) -> None:
    """Gateway B unloads while A is tried: B counts as not reachable, and nothing is sent through it."""
    other = mock_client(replace(models, device=replace(models.device, serial="other-serial", mac="02:00:00:00:00:02")))
    other_models_status = replace(models.status, device=other.device)
    other.get_status.return_value = other_models_status
    mock_create_gateway.side_effect = [mock_gateway, other]
    entry_a = MockConfigEntry(
        domain=DOMAIN, title="A", data=entry_data(models.vendor), unique_id=models.device.unique_id
    )
    entry_b = MockConfigEntry(
        domain=DOMAIN,
        title="B",
        data=entry_data(models.vendor) | {"webhook_id": "d" * 64},
        unique_id=other.device.unique_id,
    )
    for entry in (entry_a, entry_b):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    async def refuse_and_unload_b(request: SmsRequest) -> SendResult:
        await hass.config_entries.async_unload(entry_b.entry_id)
        return SendResult(
            task_ids=(),
            recipients=(RecipientResult(recipient=request.recipients[0], accepted=False, code=7, reason="busy"),),
        )

    mock_gateway.send_sms.side_effect = refuse_and_unload_b
    with pytest.raises(HomeAssistantError):
        await send(hass, recipients=[ALICE], config_entry_id=entry_a.entry_id, max_attempts=10)
    other.send_sms.assert_not_awaited()


@pytest.mark.usefixtures("init_integration")
async def test_a_refused_request_moves_on_to_the_next_port(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    """Synway refuses a request as a whole (`GatewayCommandError`): that port is out, the next one sends."""
    requests: list[SmsRequest] = []

    async def send_sms(request: SmsRequest) -> SendResult:
        requests.append(request)
        if len(requests) == 1:
            raise GatewayCommandError(None, "port unavailable", endpoint="TaskHandle")
        return accepted("t2")(request)

    mock_gateway.send_sms.side_effect = send_sms
    mock_gateway.fetch_reports.side_effect = reports_of("t2")
    sending = hass.async_create_task(send(hass, recipients=[ALICE], port="1A", delivery_report=True))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if len(requests) == 2:
            break
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    response = await sending
    assert outcomes(response) == [("1A", "refused"), ("2A", "sent")]
    assert response["recipients"][0]["attempts"][0]["reason"] == "port unavailable"
    assert [(request.ports[0].label, request.delivery_report) for request in requests] == [("1A", True), ("2", True)]


@pytest.mark.usefixtures("init_integration")
async def test_the_deadline_bounds_every_request_and_every_wait(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    """The gateway never answers: at the deadline the requests in flight are ambiguous (they may have arrived),
    and a recipient still waiting for its turn was never sent: it failed, and the action says so."""
    started = 0

    async def hang(_request: SmsRequest) -> SendResult:
        nonlocal started
        started += 1
        await asyncio.Event().wait()
        raise AssertionError  # never reached

    mock_gateway.send_sms.side_effect = hang
    numbers = [f"+4917000000{index:02d}" for index in range(5)]  # one more than requests go out at once
    sending = hass.async_create_task(send(hass, recipients=numbers, deadline=10))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if started == 4:
            break
    assert started == 4
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    with pytest.raises(HomeAssistantError) as raised:
        await sending
    assert raised.value.translation_placeholders == {
        "failed": "1",
        "total": "5",
        "attempts": "0",
        "reason": "the deadline passed",
    }
    assert started == 4


@pytest.mark.usefixtures("vendor")
async def test_failover_without_any_gateway_asks_for_one(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, recipients=[ALICE])
    assert raised.value.translation_key == "gateway_required"


async def test_a_closed_ledger_answers_every_waiter_with_none(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    """Whoever waits for a result hears when nobody will ever deliver it: at shutdown, and after it."""
    ledger = Reports(hass, "entry", mock_gateway, lambda _report: None)
    waiting = ledger.async_wait_for_result("t1", ALICE)
    forgotten = ledger.async_wait_for_result("t1", ALICE)
    forgotten.cancel()
    ledger.async_shutdown()
    assert waiting.result() is None
    assert ledger.async_wait_for_result("t2", ALICE).result() is None
