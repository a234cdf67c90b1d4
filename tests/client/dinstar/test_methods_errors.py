"""GET/POST per endpoint with one fallback on 403/405, and how HTTP and `error_code` failures surface."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.gsm_gateway.client.dinstar import DinstarGateway
from custom_components.gsm_gateway.client.dinstar.connection import Method, query_of
from custom_components.gsm_gateway.client.dinstar.endpoints import (
    GET_PORT_INFO,
    QUERY_INCOMING_SMS,
    QUERY_SMS_RESULT,
    SEND_SMS,
)
from custom_components.gsm_gateway.client.exceptions import (
    GatewayCommandError,
    GatewayResponseError,
    GatewayTimeoutError,
    GatewayUnsupportedError,
)
from custom_components.gsm_gateway.client.models import Capability, SmsRequest
from custom_components.gsm_gateway.client.ports import SlotRef
from simulator.dinstar import DinstarSimulator

from .conftest import CannedServer, GatewayFactory, SimFactory, json_response


def test_spec_methods() -> None:
    assert (SEND_SMS.method, SEND_SMS.fallback) == (Method.POST, False)
    assert GET_PORT_INFO.method is Method.GET
    assert QUERY_SMS_RESULT.method is Method.POST
    assert QUERY_INCOMING_SMS.method is Method.GET
    assert Method.GET.other is Method.POST
    assert Method.POST.other is Method.GET


def test_get_form_of_parameters() -> None:
    assert query_of(None) == {}
    assert query_of(["performance"]) == {"performance": ""}
    assert query_of({"port": [0, 2], "flag": "all", "report": False, "on": True, "skip": None, "n": 3}) == {
        "port": "0,2",
        "flag": "all",
        "report": "false",
        "on": "true",
        "n": "3",
    }


@pytest.mark.parametrize("variant", ["swapped-methods", "method-405"])
async def test_fallback_to_the_other_method_once_and_remember(
    dinstar_sim: SimFactory, make_gateway: GatewayFactory, variant: str
) -> None:
    variants = {"swapped-methods"} if variant == "swapped-methods" else {"swapped-methods", "method-405"}
    sim = await dinstar_sim(variants=variants)
    client = make_gateway(sim.url)
    await client.connect()
    status_requests = [
        (request.method, request.path) for request in sim.requests if request.path == "/api/get_port_info"
    ]
    assert status_requests[-2:] == [("GET", "/api/get_port_info"), ("POST", "/api/get_port_info")]
    assert sim.requests_to("/api/get_port_info")[-1].json() == {"info_type": ["type", "slot", "imei"]}
    before = len(sim.requests)
    await client.get_status()
    assert [(request.method, request.path) for request in sim.requests[before:]] == [("POST", "/api/get_port_info")]
    await sim.control("deliver_sms", {"port": 1, "text": "x"})
    await client.query_sms_results(user_ids=[1, 2], ports=[SlotRef(1)])
    assert sim.requests_to("/api/query_sms_result")[-1].method == "GET"
    assert sim.requests_to("/api/query_sms_result")[-1].query == {"user_id": "1,2", "port": "0"}
    await client.query_delivery_statuses(numbers=["+491511"], time_after=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    fallback = sim.requests_to("/api/query_sms_deliver_status")[-1]
    assert (fallback.method, fallback.query) == ("GET", {"number": "+491511", "time_after": "2026-01-02 03:04:05"})
    page = await client.fetch_inbox(None)
    assert [sms.text for sms in page.messages] == ["x"]
    result = await client.send_sms(SmsRequest(recipients=("+491",), text="x"))  # POST-only endpoint still works
    assert result.all_accepted


async def test_strict_methods_never_need_a_fallback(dinstar_sim: SimFactory, make_gateway: GatewayFactory) -> None:
    sim = await dinstar_sim(variants={"strict-methods"})
    client = make_gateway(sim.url)
    await client.connect()
    await client.get_status()
    await client.get_queue_count()
    await client.fetch_inbox(None)
    await client.query_sms_results()
    await client.query_delivery_statuses()
    await client.send_ussd(SlotRef(1), "*1#")
    await client.query_ussd_replies([SlotRef(1)])
    await client.cancel_sms_tasks(["1"])
    await client.reset_module([1])
    await client.call_records.get()
    await client.sim_toolkit.view(SlotRef(1))
    await client.sim_toolkit.home(SlotRef(1))
    await client.sim_toolkit.frame_id(SlotRef(1))
    assert len({(request.method, request.path) for request in sim.requests}) == len({r.path for r in sim.requests})
    # one request per call, apart from the first call that learned the challenge
    assert len(sim.requests) == 15


async def test_both_methods_forbidden(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_port_info", (403, {}, b"Forbidden"))
    with pytest.raises(GatewayCommandError) as error:
        await make_gateway(canned.url).connect()
    assert [method for method, *_ in canned.requests] == ["GET", "POST"]
    assert error.value.code == 403
    assert "API is not enabled" in error.value.reason


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        ((500, {}, b"Internal Server Error"), GatewayResponseError, "HTTP 500"),
        ((404, {}, b"Not Found"), GatewayUnsupportedError, "does not offer it"),
        ((200, {"Content-Type": "text/html"}, b"<html>busy</html>"), GatewayResponseError, "not JSON"),
        (json_response(b'{"error_code":'), GatewayResponseError, "not JSON"),
        (json_response(b'["info"]'), GatewayResponseError, "not an object"),
        (json_response(b'{"error_code":"ok","sn":"x"}'), GatewayResponseError, "error_code is not a number"),
        (json_response(b'{"error_code":500,"sn":"x"}'), GatewayCommandError, "500 other error"),
        (json_response(b'{"error_code":"413"}'), GatewayCommandError, "too many numbers"),
        (json_response(b'{"error_code":999}'), GatewayCommandError, "999 error"),
        (json_response(b'{"sn":"x","info":"none"}'), GatewayResponseError, "info is not a list"),
        (
            json_response(b'{"sn":"x","info":[{"port":0,"CallForwarding":"x"}]}'),
            GatewayResponseError,
            "call forwarding",
        ),
    ],
)
async def test_failures(
    canned: CannedServer,
    make_gateway: GatewayFactory,
    response: tuple[int, dict[str, str], bytes],
    error: type[Exception],
    message: str,
) -> None:
    canned.answer("/api/get_port_info", response)
    with pytest.raises(error, match=message):
        await make_gateway(canned.url).get_status()


@pytest.mark.parametrize("fault", ["html", "truncate", "bad_json", "500"])
async def test_simulator_faults(gateway: DinstarGateway, sim: DinstarSimulator, fault: str) -> None:
    sim.inject(fault)
    with pytest.raises(GatewayResponseError):
        await gateway.get_status()
    assert len((await gateway.get_status()).ports) == 4  # the next poll works again


async def test_timeout(sim: DinstarSimulator, make_gateway: GatewayFactory) -> None:
    client = make_gateway(sim.url, timeout=0.3)
    await client.connect()
    sim.faults.hang_seconds = 1.0
    sim.inject("timeout")
    with pytest.raises(GatewayTimeoutError):
        await client.get_status()


async def test_not_found_endpoint_in_capabilities(canned: CannedServer, make_gateway: GatewayFactory) -> None:
    canned.answer("/api/get_port_info", json_response('{"sn":"a","info":[{"port":0,"slot":255,"imei":"1"}]}'))
    client = make_gateway(canned.url)
    await client.connect()
    for call in (client.call_records.get(), client.query_ussd_replies([SlotRef(1)]), client.reset_module([1])):
        with pytest.raises(GatewayUnsupportedError):
            await call
    missing = {"cdr", "ussd", "reset_module"}
    assert not missing & {capability.value for capability in client.capabilities}
    assert client.call_records is None
    assert client.call_forwarding is not None
    with pytest.raises(GatewayUnsupportedError):
        await client.call_forwarding.check(SlotRef(1))  # set_port_info answers 404 here too
    assert client.call_forwarding is None
    assert Capability.CALL_FORWARD not in client.capabilities
