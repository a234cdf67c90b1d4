"""The endpoints of the Dinstar API, each with the method the spec names first (see `connection.Endpoint`).

In one place because the gateway and its feature objects (call forwarding, CDRs, SIM toolkit) share some of
them (`get_port_info`, `set_port_info`); docs/protocol-dinstar.md has the table with the fallback methods.
"""

from __future__ import annotations

from .connection import Endpoint, Method

SEND_SMS = Endpoint("/api/send_sms", Method.POST, fallback=False)  # `param` objects have no GET form
QUERY_SMS_RESULT = Endpoint("/api/query_sms_result", Method.POST)
QUERY_SMS_DELIVER_STATUS = Endpoint("/api/query_sms_deliver_status", Method.POST)
QUEUE_ENDPOINTS = (
    Endpoint("/api/query_sms_in_queue", Method.GET),  # the spec's name
    Endpoint("/api/query_sms_queue", Method.GET),
    Endpoint("/api/query_sms_count", Method.GET),
)
QUERY_INCOMING_SMS = Endpoint("/api/query_incoming_sms", Method.GET)
SEND_USSD = Endpoint("/api/send_ussd", Method.POST)
QUERY_USSD_REPLY = Endpoint("/api/query_ussd_reply", Method.GET)
STOP_SMS = Endpoint("/api/stop_sms", Method.GET)
GET_PORT_INFO = Endpoint("/api/get_port_info", Method.GET)
SET_PORT_INFO = Endpoint("/api/set_port_info", Method.GET)
GET_CDR = Endpoint("/api/get_cdr", Method.POST)
GET_STK_VIEW = Endpoint("/GetSTKView", Method.GET)
STK_GO = Endpoint("/STKGo", Method.POST)
GET_STK_FRAME = Endpoint("/GetSTKCurrFrameIndex", Method.GET)
