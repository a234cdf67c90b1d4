"""Exceptions raised by the gateway client.

Messages never contain credentials, phone numbers or SIM identifiers: they are raised into Home Assistant
logs and UI. Put only codes, endpoint names and the device's own short reason text in them; a device text goes
through `redaction.safe_reason` first, and `GatewayCommandError` scrubs digit runs from its code and reason itself.
"""

from __future__ import annotations

from .redaction import MAX_REASON_LENGTH, safe_code, scrub_identifiers


class GatewayError(Exception):
    """Base class for every error the client raises."""


class GatewayConnectionError(GatewayError):
    """The gateway could not be reached, or the connection broke."""


class GatewayUnreachableError(GatewayConnectionError):
    """No connection to the gateway could be opened (refused, no route, unknown name): the request never left.

    Unlike a timeout or a connection that broke mid-request, this proves the gateway did not act on the request,
    so a caller may safely send it elsewhere.
    """


class GatewayCertificateError(GatewayConnectionError):
    """The gateway's HTTPS certificate is not trusted (self-signed, expired or issued for another name)."""


class GatewayTimeoutError(GatewayConnectionError):
    """The gateway did not answer in time."""


class GatewayAuthError(GatewayError):
    """The gateway rejected the credentials."""


class GatewayCommandError(GatewayError):
    """The gateway understood the request and refused it.

    `code` and `reason` are the device's own result code and text, e.g. `5` and `"SIM Unregistered"`, with every
    run of five or more digits (a phone number, IMEI, IMSI or ICCID the firmware echoed) replaced by `***`.
    """

    def __init__(self, code: int | str | None, reason: str, *, endpoint: str = "") -> None:
        """Keep the device's code and reason, scrubbed; the message names neither credentials nor numbers."""
        self.code = safe_code(code)
        self.reason = scrub_identifiers(reason)[:MAX_REASON_LENGTH]
        self.endpoint = endpoint
        where = f"{endpoint}: " if endpoint else ""
        super().__init__(f"{where}gateway refused the request ({self.code} {self.reason})".replace("(None ", "("))


class GatewayUnsupportedError(GatewayError):
    """The gateway (vendor, model or firmware) does not offer this feature."""


class GatewayResponseError(GatewayError):
    """The gateway answered with something the client cannot read."""


class GatewayPushError(GatewayResponseError):
    """A pushed body is malformed. The message says what was wrong, never what the body contained."""


class GatewayNotRecognizedError(GatewayError):
    """The host answers HTTP but is not a gateway of any known dialect."""


class GatewayRequestError(GatewayError, ValueError):
    """The request breaks a documented limit and was not sent (too many numbers, text too long, ...)."""
