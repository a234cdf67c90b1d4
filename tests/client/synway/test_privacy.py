"""Credentials, phone numbers and SIM identities never reach exception messages, reprs or log lines."""

from __future__ import annotations

import logging

import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayAuthError, GatewayCommandError, GatewayError
from custom_components.gsm_gateway.client.models import SmsRequest
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.synway import SynwayGateway

from .conftest import GatewayFactory, ReplayDevice, ReplayGatewayFactory, SynwayFactory

PASSWORD = "Pw-Planted-7391!"
NUMBER = "+4917099988877"


async def test_secrets_stay_out_of_errors_reprs_and_logs(
    synway_factory: SynwayFactory, gateway_for: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    sim = await synway_factory(password=PASSWORD)
    caplog.set_level(logging.DEBUG)
    gateway = await gateway_for(sim, password=PASSWORD)
    status = await gateway.get_status()
    result = await gateway.send_sms(SmsRequest(recipients=(NUMBER,), text="secret text zq4711xv", ports=(SlotRef(1),)))
    await sim.control("complete_sends", {})
    tasks = await gateway.query_send_results(result.task_ids)
    await sim.control("deliver_sms", {"port": 1, "sender": NUMBER, "text": "secret reply zq4711xv"})
    page = await gateway.fetch_inbox(None)
    await gateway.delete_inbox(page.messages)
    await gateway.send_ussd(SlotRef(1), "*100#")
    await sim.control("complete_sends", {})
    replies = await gateway.fetch_ussd_replies([SlotRef(1)])
    errors: list[GatewayError] = []
    sim.faults.wrong_credentials = True
    with pytest.raises(GatewayAuthError) as auth_error:
        await gateway.get_status()
    errors.append(auth_error.value)

    identities = [NUMBER, PASSWORD, "zq4711xv"]
    for port in sim.state.ports.values():
        identities.append(port.imei)
        for card in port.sims.values():
            assert card is not None
            identities.extend([card.iccid, card.imsi, card.number])
    shown = "\n".join(
        [
            caplog.text,
            repr(gateway),
            repr(status),
            repr(result),
            repr(tasks),
            repr(page),
            *(str(error) for error in errors),
        ]
    )
    assert replies  # the flow really ran
    for secret in identities:
        assert secret not in shown


async def test_device_reasons_are_scrubbed(replay: ReplayDevice, replay_gateway: ReplayGatewayFactory) -> None:
    gateway = await replay_gateway(password=PASSWORD)
    replay.answer(
        "txsms",
        f'{{"result":"error","content":"number {NUMBER} refused, login {PASSWORD} blocked, IMEI 861234567890121"}}'.encode(),
    )
    with pytest.raises(GatewayCommandError) as caught:
        await gateway.send_sms(SmsRequest(recipients=(NUMBER,), text="x"))
    message = str(caught.value)
    assert "refused" in message
    for secret in (NUMBER, PASSWORD, "861234567890121", "17099988877"):
        assert secret not in message
        assert secret not in caught.value.reason


async def test_unreadable_records_do_not_quote_their_content(
    replay: ReplayDevice, replay_gateway: ReplayGatewayFactory
) -> None:
    gateway = await replay_gateway()
    replay.answer(
        "newqueryrxsms",
        f'{{"result":"ok","content":"total:1;20240101000000:1(A)({NUMBER}):{NUMBER}:code 4711 never terminated"}}'.encode(),
    )
    with pytest.raises(GatewayError) as caught:
        await gateway.fetch_inbox(None)
    assert gateway.uses_new_inbox_query is False  # the unreadable answer counted as "not usable"
    assert NUMBER not in str(caught.value)
    assert "4711" not in str(caught.value)


def test_gateway_repr_shows_host_only(replay: ReplayDevice, session: object) -> None:
    from aiohttp import ClientSession

    from .conftest import settings_for

    assert isinstance(session, ClientSession)
    gateway = SynwayGateway(session, settings_for(replay.url, password=PASSWORD))
    assert PASSWORD not in repr(gateway)
    assert PASSWORD not in repr(gateway.settings)
