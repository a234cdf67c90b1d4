"""Voice, the other way: "What was the last SMS I got?" and "Check the balance of SIM 3" through Home Assistant's
LLM API (the tools an LLM agent gets), end to end against the simulators.

Everything is seen through Home Assistant: the tools the Assist API offers, their results and errors, entity states
and the registries; the simulators deliver the SMS and answer the USSD codes.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_UNAVAILABLE, EntityCategory
from homeassistant.core import Context, HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, llm
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway import llm as gsm_llm
from custom_components.gsm_gateway.const import CONF_RECIPIENT_NUMBER, CONF_RECIPIENT_PORT, DOMAIN, SUBENTRY_RECIPIENT
from custom_components.gsm_gateway.llm import BALANCE_TOOL_NAME, READ_SMS_TOOL_NAME, TOOL_NAME, same_number
from custom_components.gsm_gateway.services import ussd
from simulator.ejoin import EjoinSimulator
from simulator.synway import SynwaySimulator

from .conftest import update_entity
from .test_inbox import Clock, settle
from .test_services_common import call

ASSISTANT = "conversation"
CONTEXT = llm.LLMContext(platform="test", context=Context(), language="en", assistant=ASSISTANT, device_id=None)
MUM = "+491709999999"
DAD_SAVED = "0170 8888888"  # saved in national form; the network sends +491708888888
STRANGER = "+4915112345678"
SECRET = "Your bank code is 918273"


def add_recipient(hass: HomeAssistant, entry: MockConfigEntry, title: str, number: str) -> None:
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: number, CONF_RECIPIENT_PORT: ""},
            subentry_type=SUBENTRY_RECIPIENT,
            title=title,
            unique_id=number,
        ),
    )


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ussd, "USSD_POLL_INTERVAL", 0.05)


@pytest.fixture
async def assist(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The gateway with two saved recipients, and the parts of Home Assistant that LLM agents use."""
    for component in ("homeassistant", "intent", "llm"):
        assert await async_setup_component(hass, component, {})
    add_recipient(hass, config_entry, "Mum", MUM)
    add_recipient(hass, config_entry, "Dad", "01708888888")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, platform: str, port: int, key: str) -> str:
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.unique_id}_port_{port}_{key}")
    assert found is not None, f"port {port} has no {platform} {key}"
    return found


def messages_of(hass: HomeAssistant, entry: MockConfigEntry, port: int) -> str:
    return entity_id(hass, entry, "event", port, "messages")


def balance_code_of(hass: HomeAssistant, entry: MockConfigEntry, port: int) -> str:
    return entity_id(hass, entry, "text", port, "balance_code")


def state_of(hass: HomeAssistant, entity: str) -> str:
    state = hass.states.get(entity)
    assert state is not None
    return state.state


def expose(hass: HomeAssistant, entity: str, exposed: bool = True) -> None:
    async_expose_entity(hass, ASSISTANT, entity, exposed)


async def tools(hass: HomeAssistant) -> dict[str, llm.Tool]:
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, CONTEXT)
    return {tool.name: tool for tool in api.tools}


async def call_tool(hass: HomeAssistant, name: str, **args: Any) -> llm.ToolResult:
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, CONTEXT)
    return await api.async_call_tool(llm.ToolInput(tool_name=name, tool_args=args))


async def receive(hass: HomeAssistant, sim: EjoinSimulator, *messages: tuple[int, str, str]) -> None:
    """The gateway receives these (port, sender, text) in order; the next inbox catch-up fires them."""
    for port, sender, text in messages:
        sim.deliver_sms(port, None, sender, text)
    await Clock().catch_up_timer(hass)
    await settle(hass)


async def read(hass: HomeAssistant, **args: Any) -> list[dict[str, Any]]:
    result = await call_tool(hass, READ_SMS_TOOL_NAME, **args)
    assert not result.error
    messages = result.data["messages"]
    assert isinstance(messages, list)
    return [message for message in messages if isinstance(message, dict)]


def schema_of(tool: llm.Tool) -> dict[str, Any]:
    """The parameters as an LLM agent sends them to the model."""
    schema: dict[str, Any] = vol.to_openapi(tool.parameters, custom_serializer=llm.selector_serializer)
    return schema


# --- reading received SMS ------------------------------------------------------------------------------------


async def test_read_tool_is_offered_for_exposed_message_entities_only(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    offered = await tools(hass)
    assert not {TOOL_NAME, READ_SMS_TOOL_NAME, BALANCE_TOOL_NAME} & set(offered)  # nothing is exposed by default

    expose(hass, messages_of(hass, assist, 2))
    offered = await tools(hass)
    assert BALANCE_TOOL_NAME not in offered  # reading messages does not let the assistant send USSD codes
    tool = offered[READ_SMS_TOOL_NAME]
    assert tool.annotations.read_only
    assert not tool.annotations.open_world
    assert tool.integration == DOMAIN
    assert "What was the last SMS I got?" in (tool.description or "")
    schema = schema_of(tool)
    assert schema["properties"]["port"]["enum"] == ["Port 2"]
    assert schema["properties"]["count"]["maximum"] == 5

    expose(hass, messages_of(hass, assist, 2), exposed=False)
    assert READ_SMS_TOOL_NAME not in await tools(hass)


async def test_latest_messages_of_exposed_ports_newest_first(
    hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    expose(hass, messages_of(hass, assist, 1))
    expose(hass, messages_of(hass, assist, 2))
    await receive(hass, sim, (1, STRANGER, "one"), (3, STRANGER, SECRET), (2, STRANGER, "two"), (1, STRANGER, "three"))

    messages = await read(hass, count=5)
    assert [(message["text"], message["port"]) for message in messages] == [
        ("three", "Port 1"),
        ("two", "Port 2"),
        ("one", "Port 1"),
    ]
    newest = messages[0]
    assert newest["from"] == STRANGER
    assert newest["saved_recipient"] is False
    assert newest["received"] == "just now"
    received_at = dt_util.parse_datetime(newest["received_at"])
    assert received_at is not None
    assert abs((dt_util.now() - received_at).total_seconds()) < 60
    assert [message["text"] for message in await read(hass, count=5, port="Port 2")] == ["two"]

    # Port 3 is not exposed: its message never reaches the model, and un-exposing a port hides it at once.
    expose(hass, messages_of(hass, assist, 1), exposed=False)
    messages = await read(hass, count=5)
    assert [message["text"] for message in messages] == ["two"]
    assert "918273" not in json.dumps(messages)
    assert "918273" not in caplog.text
    assert "three" not in caplog.text


async def test_saved_recipient_name_replaces_the_number(
    hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator
) -> None:
    expose(hass, messages_of(hass, assist, 1))
    await receive(
        hass,
        sim,
        (1, "+49 170 999 9999", "from mum"),
        (1, "+491708888888", "from dad"),
        (1, STRANGER, "from a stranger"),
        (1, "DHL", "your parcel"),
    )
    messages = await read(hass, count=4)
    assert [(message["from"], message["saved_recipient"]) for message in messages] == [
        ("DHL", False),
        (STRANGER, False),
        ("Dad", True),  # saved as 0170 8888888, sent as +49 170 8888888
        ("Mum", True),
    ]
    assert MUM not in json.dumps(messages)
    assert "8888888" not in json.dumps(messages)


async def test_messages_stay_out_of_logs_and_diagnostics(
    hass: HomeAssistant,
    assist: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.gsm_gateway")
    expose(hass, messages_of(hass, assist, 1))
    await receive(hass, sim, (1, STRANGER, SECRET))
    assert [message["text"] for message in await read(hass)] == [SECRET]
    diagnostics = json.dumps(await get_diagnostics_for_config_entry(hass, hass_client, assist))
    for private in ("918273", STRANGER):
        assert private not in diagnostics
        assert private not in caplog.text


def test_same_number() -> None:
    assert same_number("+49 170 1234567", "00491701234567")
    assert same_number("491701234567", "+491701234567")
    assert same_number("0170 1234567", "+491701234567")
    assert same_number("+491701234567", "01701234567")
    assert not same_number("+491701234567", "+491701234568")
    assert not same_number("01701234567", "+4917012345678")
    assert not same_number("012345", "+4912345")  # too short to tell
    assert not same_number("DHL", "DHL")  # sender names are not numbers
    assert not same_number("", "+491701234567")


async def test_count_is_bounded(hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator) -> None:
    expose(hass, messages_of(hass, assist, 1))
    await receive(hass, sim, *((1, STRANGER, f"message {n}") for n in range(8)))
    assert [message["text"] for message in await read(hass)] == ["message 7"]  # "the last SMS"
    assert [message["text"] for message in await read(hass, count=50)] == [f"message {n}" for n in range(7, 2, -1)]
    assert [message["text"] for message in await read(hass, count=0)] == ["message 7"]
    assert [message["text"] for message in await read(hass, count="", port="")] == ["message 7"]  # blanks ignored


async def test_incomplete_and_older_messages(hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator) -> None:
    """A long message with a part that never came says so; its age is told as people say it."""
    expose(hass, messages_of(hass, assist, 2))
    parts = sim.deliver_sms_parts(2, STRANGER, ["first ", "lost ", "third"], reference=9, skip=frozenset({2}))
    for part in parts:
        part.received -= 180  # the gateway received it three minutes ago
    await Clock().catch_up_timer(hass)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=10))  # the missing part's wait is over
    await settle(hass)
    (message,) = await read(hass)
    assert message["text"] == "first third"
    assert message["incomplete"] is True
    assert message["received"] == "3 minutes ago"


async def test_disabled_message_entities_are_not_read(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    event = messages_of(hass, assist, 1)
    expose(hass, event)
    er.async_get(hass).async_update_entity(event, disabled_by=er.RegistryEntryDisabler.USER)
    await hass.config_entries.async_reload(assist.entry_id)
    await hass.async_block_till_done()
    assert READ_SMS_TOOL_NAME not in await tools(hass)


async def test_nothing_received_yet(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    expose(hass, messages_of(hass, assist, 4))
    result = await call_tool(hass, READ_SMS_TOOL_NAME)
    assert result.data["messages"] == []
    assert "since Home Assistant started" in str(result.data["note"])


async def test_port_hidden_after_the_tool_was_offered(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    expose(hass, messages_of(hass, assist, 1))
    expose(hass, messages_of(hass, assist, 2))
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, CONTEXT)
    expose(hass, messages_of(hass, assist, 2), exposed=False)
    with pytest.raises(ServiceValidationError) as raised:
        await api.async_call_tool(llm.ToolInput(tool_name=READ_SMS_TOOL_NAME, tool_args={"port": "Port 2"}))
    assert raised.value.translation_key == "port_not_exposed"
    assert "Port 2" in str(raised.value)


async def test_ports_are_called_by_their_device_names(
    hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """A port the user renamed ("Work SIM") is offered by that name; the messages say it too."""
    event = messages_of(hass, assist, 3)
    registry_entry = er.async_get(hass).async_get(event)
    assert registry_entry is not None
    device_id = registry_entry.device_id
    assert device_id is not None
    dr.async_get(hass).async_update_child_device(device_id, name_by_user="Work SIM")
    expose(hass, event)
    assert schema_of((await tools(hass))[READ_SMS_TOOL_NAME])["properties"]["port"]["enum"] == ["Work SIM"]
    await receive(hass, sim, (3, STRANGER, "hello work"))
    assert [message["port"] for message in await read(hass, port="Work SIM")] == ["Work SIM"]


async def test_two_gateways_with_the_same_port_names(
    hass: HomeAssistant, assist: MockConfigEntry, simulator_factory: Any
) -> None:
    from .conftest import entry_data, unique_id_of

    other_sim = await simulator_factory("synway", ports=2, slots=1)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Office",
        data=entry_data(other_sim, "synway"),
        unique_id=await unique_id_of(hass, other_sim),
    )
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    expose(hass, messages_of(hass, assist, 1))
    expose(hass, messages_of(hass, other, 1))
    expose(hass, messages_of(hass, other, 2))
    enum = schema_of((await tools(hass))[READ_SMS_TOOL_NAME])["properties"]["port"]["enum"]
    assert enum == ["ejoin gateway Port 1", "Office Port 1", "Port 2"]


# --- checking the balance ------------------------------------------------------------------------------------


async def test_balance_code_entity(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """One per port, in the configuration category, empty until the user types a code, and only USSD codes."""
    code = balance_code_of(hass, assist, 3)
    registry_entry = er.async_get(hass).async_get(code)
    assert registry_entry is not None
    assert registry_entry.entity_category is EntityCategory.CONFIG
    assert registry_entry.translation_key == "balance_code"
    assert state_of(hass, code) == "unknown"
    with pytest.raises(ValueError, match="pattern"):
        await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "balance"}, blocking=True)
    await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "*100#"}, blocking=True)
    assert state_of(hass, code) == "*100#"


async def test_balance_code_is_restored_after_a_restart(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    code = balance_code_of(hass, assist, 2)
    assert await hass.config_entries.async_unload(assist.entry_id)
    stored = {"native_value": "*101#", "native_min": 0, "native_max": 32}
    mock_restore_cache_with_extra_data(
        hass,
        [
            (State(code, "*101#"), stored),
            (State(balance_code_of(hass, assist, 1), "bad"), stored | {"native_value": "bad"}),
        ],
    )
    assert await hass.config_entries.async_setup(assist.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, code) == "*101#"
    assert state_of(hass, balance_code_of(hass, assist, 1)) == "unknown"


async def test_balance_tool_is_offered_for_exposed_balance_codes_only(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    expose(hass, messages_of(hass, assist, 3))
    assert BALANCE_TOOL_NAME not in await tools(hass)  # the Messages entity does not share the balance
    expose(hass, balance_code_of(hass, assist, 3))
    tool = (await tools(hass))[BALANCE_TOOL_NAME]
    assert tool.annotations.open_world
    assert not tool.annotations.destructive
    assert "balance of SIM 3" in (tool.description or "")
    assert schema_of(tool)["properties"]["port"]["enum"] == ["Port 3"]
    assert schema_of(tool)["required"] == ["port"]


async def test_balance_code_missing_is_a_clear_error(
    hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator
) -> None:
    expose(hass, balance_code_of(hass, assist, 3))
    with pytest.raises(ServiceValidationError) as raised:
        await call_tool(hass, BALANCE_TOOL_NAME, port="Port 3")
    assert raised.value.translation_key == "balance_code_missing"
    assert "Port 3" in str(raised.value)
    assert "Balance USSD code" in str(raised.value)
    assert sim.ussd_requests == []


async def test_balance_reply_is_returned(hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator) -> None:
    code = balance_code_of(hass, assist, 3)
    await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "*100#"}, blocking=True)
    expose(hass, code)
    result = await call_tool(hass, BALANCE_TOOL_NAME, port="Port 3")
    card = sim.ports[2].slots[0].sim
    assert card is not None
    assert not result.error
    assert result.data == {"port": "Port 3", "reply": f"Your balance is {card.balance:.2f} EUR."}
    assert sim.ussd_requests == [("3A", "*100#")]


async def test_balance_of_an_unexposed_port_is_refused(
    hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator
) -> None:
    for port in (1, 2):
        code = balance_code_of(hass, assist, port)
        await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "*100#"}, blocking=True)
    expose(hass, balance_code_of(hass, assist, 1))
    with pytest.raises(vol.Invalid):
        await call_tool(hass, BALANCE_TOOL_NAME, port="Port 2")
    assert sim.ussd_requests == []


async def test_balance_without_a_reply(hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator) -> None:
    code = balance_code_of(hass, assist, 1)
    await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "*100#"}, blocking=True)
    expose(hass, code)
    sim.variants.add("ussd_no_resp")
    with pytest.raises(HomeAssistantError) as raised:
        await call_tool(hass, BALANCE_TOOL_NAME, port="Port 1")
    assert raised.value.translation_key == "balance_no_reply"


async def test_balance_while_the_gateway_is_unreachable(
    hass: HomeAssistant, assist: MockConfigEntry, sim: EjoinSimulator
) -> None:
    code = balance_code_of(hass, assist, 1)
    await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "*100#"}, blocking=True)
    expose(hass, code)
    await sim.stop()
    await update_entity(hass, code)
    assert state_of(hass, code) == STATE_UNAVAILABLE
    with pytest.raises(HomeAssistantError) as raised:
        await call_tool(hass, BALANCE_TOOL_NAME, port="Port 1")
    assert raised.value.translation_key == "balance_unavailable"


@pytest.mark.parametrize("vendor", ["synway"])
async def test_balance_reply_that_comes_too_late(
    hass: HomeAssistant, assist: MockConfigEntry, sim: SynwaySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gsm_llm, "BALANCE_TIMEOUT", 0)
    code = balance_code_of(hass, assist, 1)
    await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "*100#"}, blocking=True)
    expose(hass, code)
    with pytest.raises(HomeAssistantError) as raised:
        await call_tool(hass, BALANCE_TOOL_NAME, port="Port 1")
    assert raised.value.translation_key == "balance_timeout"
    assert "Messages" in str(raised.value)


@pytest.mark.parametrize("vendor", ["synway"])
async def test_balance_while_the_port_is_busy(
    hass: HomeAssistant, assist: MockConfigEntry, sim: SynwaySimulator
) -> None:
    code = balance_code_of(hass, assist, 2)
    await hass.services.async_call("text", "set_value", {"entity_id": code, "value": "*100#"}, blocking=True)
    expose(hass, code)
    sim.state.ussd_delay = 0.3
    first = hass.async_create_task(call(hass, "send_ussd", port="2", code="*101#", timeout=10))
    for _ in range(200):
        if sim.state.ussd:
            break
        await asyncio.sleep(0.01)
    with pytest.raises(ServiceValidationError) as raised:
        await call_tool(hass, BALANCE_TOOL_NAME, port="Port 2")
    assert raised.value.translation_key == "ussd_busy"
    assert (await first)["status"] == "replied"
    result = await call_tool(hass, BALANCE_TOOL_NAME, port="Port 2")  # free again
    assert result.data["reply"] == sim.state.default_ussd_reply


async def test_tools_are_only_for_assist(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    expose(hass, messages_of(hass, assist, 1))
    assert gsm_llm.async_get_tools(hass, CONTEXT, "another_api") is None
