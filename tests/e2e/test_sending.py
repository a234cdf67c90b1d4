"""Sending SMS: the send_sms action and the recipient notify entities."""

from __future__ import annotations

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.const import (
    CONF_DEFAULT_PORT,
    CONF_RECIPIENT_NUMBER,
    CONF_RECIPIENT_PORT,
    DOMAIN,
    SUBENTRY_RECIPIENT,
)
from simulator.ejoin import EjoinSimulator

NUMBERS = [f"+4917000000{n:02d}" for n in range(20)]


async def send(hass: HomeAssistant, **data: object) -> dict[str, object]:
    response = await hass.services.async_call(DOMAIN, "send_sms", data, blocking=True, return_response=True)
    assert isinstance(response, dict)
    return response


async def test_send_to_many_recipients_in_one_request(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    response = await send(hass, recipients=NUMBERS, message="Alarm: the basement is flooding")
    requests = sim.requests_to("/goip_post_sms.html")
    assert len(requests) == 1
    tasks = requests[0].json()["tasks"]
    assert sorted(task["to"] for task in tasks) == sorted(NUMBERS)
    assert {task["sms"] for task in tasks} == {"Alarm: the basement is flooding"}
    assert response["requests"] == 1
    assert [item["recipient"] for item in response["recipients"]] == NUMBERS
    assert all(item["accepted"] for item in response["recipients"])
    assert len(set(response["task_ids"])) == 20


async def test_unicode_long_text_and_port(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    text = "Привет 👋 " * 40
    await send(
        hass,
        config_entry_id=init_integration.entry_id,
        recipients="+491701111111, +49 170 2222222",
        message=text,
        port="2B",
        encoding="ucs2",
    )
    (request,) = sim.requests_to("/goip_post_sms.html")
    tasks = request.json()["tasks"]
    assert [task["to"] for task in tasks] == ["+491701111111", "+491702222222"]
    assert {task["from"] for task in tasks} == {"2B"}
    assert {task["coding"] for task in tasks} == {1}
    assert {task["sms"] for task in tasks} == {text}


async def test_default_port_option(hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator) -> None:
    hass.config_entries.async_update_entry(config_entry, options={CONF_DEFAULT_PORT: "3"})
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await send(hass, recipients=["+491701111111"], message="hi")
    (request,) = sim.requests_to("/goip_post_sms.html")
    assert request.json()["tasks"][0]["from"] == "3"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"recipients": ["not-a-number"], "message": "x"}, "invalid_recipient"),
        ({"recipients": ["+49 170 1", "12", "x"], "message": "x"}, "invalid_recipients"),
        ({"recipients": [], "message": "x"}, "no_recipients"),
        ({"recipients": ["+\uff14\uff19\uff11\uff17\uff10\uff11\uff12\uff13"], "message": "x"}, "invalid_recipient"),
        ({"recipients": ["+491701111111"], "message": ""}, "empty_message"),
        ({"recipients": ["+491701111111"], "message": "x", "port": "9"}, "invalid_port"),
        ({"recipients": ["+491701111111"], "message": "x", "config_entry_id": "nope"}, "gateway_not_loaded"),
        ({"recipients": ["+491701111111"], "message": "x", "device_id": "nope"}, "device_not_found"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, data: dict[str, object], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, **data)
    assert raised.value.translation_key == key
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_bad_numbers_are_named(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Each bad entry is named (and only that much of it), with what a valid number looks like."""
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, recipients=["+491701111111, call me", "x" * 200], message="x")
    message = str(raised.value)
    assert "“call me”" in message
    assert "“" + "x" * 24 + "…”" in message
    assert "x" * 25 not in message
    assert "3 to 20 digits" in message
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, recipients=["12"], message="x")
    assert str(raised.value).startswith("“12” is not a phone number")


async def test_a_refusal_of_every_recipient_says_so(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.set_sim_status(4, None, 6)
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=["+491701111111"], message="x", port="4")
    assert str(raised.value).startswith("ejoin gateway refused the message: 5 SIM Unregistered")


async def test_a_refusal_of_some_recipients_says_the_others_go_out(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simulator.ejoin.server.MAX_QUEUE", 1)  # a full queue refuses the second task
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=["+491701111111", "+491702222222"], message="x")
    assert raised.value.translation_key == "send_rejected_some"
    assert str(raised.value).startswith(
        "ejoin gateway refused 1 of 2 recipients (16 Too Many Task); it accepted the others and is sending to them"
    )


async def test_device_rejection_names_the_reason(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.set_sim_status(4, None, 6)  # port 4's SIM failed to register
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=["+491701111111"], message="x", port="4")
    assert raised.value.translation_key == "send_rejected"
    assert raised.value.translation_placeholders["reason"] == "SIM Unregistered"
    assert "SIM Unregistered" in str(raised.value)


async def test_unreachable_gateway_raises(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    await sim.stop()
    with pytest.raises(HomeAssistantError) as raised:
        await send(hass, recipients=["+491701111111"], message="x")
    assert raised.value.translation_key == "communication_error"


async def test_choose_gateway_when_several(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    other = MockConfigEntry(domain=DOMAIN, data=dict(init_integration.data), unique_id="other")
    other.add_to_hass(hass)
    await hass.config_entries.async_setup(other.entry_id)  # a second gateway (fails: wrong device)
    await hass.async_block_till_done()
    # Only one is loaded, so it is still chosen implicitly.
    await send(hass, recipients=["+491701111111"], message="x")
    assert len(sim.requests_to("/goip_post_sms.html")) == 1


async def test_device_id_selects_gateway(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    from homeassistant.helpers import device_registry as dr

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(init_integration.unique_id)), init_integration.entry_id
    )
    assert device is not None
    await send(hass, device_id=device.id, recipients=["+491701111111"], message="x")
    assert len(sim.requests_to("/goip_post_sms.html")) == 1


async def test_recipient_notify_entity(hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator) -> None:
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: "+491709999999", CONF_RECIPIENT_PORT: "1A"},
            subentry_type=SUBENTRY_RECIPIENT,
            title="Mum",
            unique_id="+491709999999",
        ),
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.mum", "title": "Running late", "message": "Home at 8"},
        blocking=True,
    )
    (request,) = sim.requests_to("/goip_post_sms.html")
    (task,) = request.json()["tasks"]
    assert task["to"] == "+491709999999"
    assert task["from"] == "1A"
    assert task["sms"] == "Running late\nHome at 8"
    assert hass.states.get("notify.mum").state != "unknown"


@pytest.mark.parametrize(
    ("text", "alphabet"),
    [
        pytest.param("x" * 1529 + "€", "GSM 7-bit", id="1531-septets"),  # "€" takes two septets
        pytest.param("ж" * 671, "UCS-2", id="671-ucs2"),
        pytest.param("x" * 100_000, None, id="100000-characters"),
    ],
)
async def test_a_text_beyond_ten_segments_is_refused_before_sending(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, text: str, alphabet: str | None
) -> None:
    """10 segments (1,530 GSM 7-bit characters, 670 UCS-2) is the most one message may take on Skyline/EJOIN."""
    with pytest.raises(ServiceValidationError) as raised:
        await send(hass, recipients=["+491701111111"], message=text)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "invalid_request"
    message = str(raised.value)
    assert message.startswith("ejoin gateway cannot do this:")
    assert "10 SMS segments" in message or "at most 10 are sent" in message
    if alphabet is not None:
        assert alphabet in message
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_a_text_of_ten_segments_goes_out(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    await send(hass, recipients=["+491701111111"], message="x" * 1530)
    (request,) = sim.requests_to("/goip_post_sms.html")
    assert request.json()["tasks"][0]["sms"] == "x" * 1530


async def test_many_recipients_are_split_into_device_sized_requests(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """250 recipients: three requests of at most 100 tasks, and a response that lists every recipient."""
    numbers = [f"+49170{n:07d}" for n in range(250)]
    response = await send(hass, recipients=numbers, message="Water alarm")
    requests = sim.requests_to("/goip_post_sms.html")
    assert [len(request.json()["tasks"]) for request in requests] == [100, 100, 50]
    assert [task["to"] for request in requests for task in request.json()["tasks"]] == numbers
    assert response["requests"] == 3
    assert [item["recipient"] for item in response["recipients"]] == numbers
    assert all(item["accepted"] for item in response["recipients"])
    assert len(set(response["task_ids"])) == 250
