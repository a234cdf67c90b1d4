"""Synway code tables and how they map to the shared models.

The status of a Synway port comes from two lists: the port (call) state of `getportinfo` and the base-station
connection state of `getportconnectstate`. Whether a SIM is present comes from `getwirelessinfo` ICCID. The
mapping (see docs/protocol-synway.md):

| connection state        | port state                  | SIM (ICCID) | SimState            |
|-------------------------|-----------------------------|-------------|---------------------|
| 1 connected / 5 roaming | 1-7, 9, 10 (a call)         | any         | in_call             |
| 1 connected / 5 roaming | other                       | any         | registered          |
| 2 connecting            | any                         | any         | registering         |
| 3 rejected              | any                         | any         | registration_failed |
| 0 unconnected           | any                         | none        | no_sim              |
| 0 unconnected           | 11 unavailable              | present     | power_off           |
| 0 unconnected           | other                       | present     | registration_failed |
| 4 unknown, or any other | any                         | any         | unknown             |
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from ..models import SimState

PORT_STATES: Mapping[int, str] = {
    0: "Idle",
    1: "Off-hook",
    2: "Ringing",
    3: "Talking",
    4: "Dialing",
    5: "Dialing",
    6: "Dialing",
    7: "Pending",
    9: "Ringback",
    10: "Interior",
    11: "Unavailable",
}
PORT_BUSY_STATES = frozenset({1, 2, 3, 4, 5, 6, 7, 9, 10})
PORT_UNAVAILABLE = 11


class ConnectState(IntEnum):
    """Base-station connection state of a port (`getportconnectstate`)."""

    UNCONNECTED = 0
    CONNECTED = 1
    CONNECTING = 2
    REJECTED = 3
    UNKNOWN = 4
    ROAMING = 5


CONNECT_STATES: Mapping[int, str] = {
    ConnectState.UNCONNECTED: "Unconnected",
    ConnectState.CONNECTED: "Connected",
    ConnectState.CONNECTING: "Connecting",
    ConnectState.REJECTED: "Rejected",
    ConnectState.UNKNOWN: "Unknown",
    ConnectState.ROAMING: "Roaming",
}


class SendStatus(IntEnum):
    """Per-recipient status of a send task (`querytxsms`)."""

    NONE = 0
    WAIT = 1
    SENDING = 2
    SENT = 3
    FAILED = 4
    TIMEOUT = 5


SEND_STATUSES: Mapping[int, str] = {
    SendStatus.NONE: "None",
    SendStatus.WAIT: "Wait",
    SendStatus.SENDING: "Sending",
    SendStatus.SENT: "Successful",
    SendStatus.FAILED: "Failed",
    SendStatus.TIMEOUT: "Timeout",
}
FINAL_SEND_STATUSES = frozenset({SendStatus.SENT, SendStatus.FAILED, SendStatus.TIMEOUT})


def port_state_text(code: int | None) -> str:
    """The spec's name of a port state, or `code N` for one it does not list."""
    if code is None:
        return "not reported"
    return PORT_STATES.get(code, f"code {code}")


def connect_state_text(code: int | None) -> str:
    """The spec's name of a connection state, or `code N` for one it does not list."""
    if code is None:
        return "not reported"
    return CONNECT_STATES.get(code, f"code {code}")


def send_status_text(code: int) -> str:
    """The spec's name of a send status, or `code N`."""
    return SEND_STATUSES.get(code, f"code {code}")


def sim_state(port_state: int | None, connect_state: int | None, *, has_sim: bool) -> SimState:
    """Normalise a port's two codes (and whether a SIM was seen) into one `SimState`."""
    if connect_state in {ConnectState.CONNECTED, ConnectState.ROAMING}:
        return SimState.IN_CALL if port_state in PORT_BUSY_STATES else SimState.REGISTERED
    if connect_state == ConnectState.CONNECTING:
        return SimState.REGISTERING
    if connect_state == ConnectState.REJECTED:
        return SimState.REGISTRATION_FAILED
    if connect_state == ConnectState.UNCONNECTED:
        if not has_sim:
            return SimState.NO_SIM
        return SimState.POWER_OFF if port_state == PORT_UNAVAILABLE else SimState.REGISTRATION_FAILED
    return SimState.UNKNOWN
