"""Inputs for fuzzing: arbitrary JSON, mutations of real payloads, and the check every parser must pass.

A parser reads what a device (or someone pretending to be one) sends, so it may only ever raise the library's
own typed errors (`GatewayError` and subclasses, `client/exceptions.py`). `parses_or_refuses` runs one call and
lets anything else escape, so hypothesis reports and shrinks it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
import contextlib
import json
from pathlib import Path
from typing import Any

import aiohttp
from hypothesis import strategies as st

from custom_components.gsm_gateway.client.exceptions import GatewayError
from custom_components.gsm_gateway.client.transport import HttpResponse

FIXTURES = Path(__file__).parents[1] / "fixtures"

# Text that looks like what gateways send: digits, labels, separators, base64, control characters and the rest.
WIRE_TEXT = st.text(
    st.sampled_from([*"0123456789+-.:;,|()[]{}\"' \t\r\n=&ABCDEFabcdef/_", "\x00", "\ufeff", "é", "中"])
    | st.characters(),
    max_size=40,
)
# Strings that look like numbers to one check and not to the next.
# `str.isdigit()` accepts these, `int()` does not (they once crashed two parsers: test_digit_lookalikes.py).
DIGIT_LOOKALIKES = ["²", "--5", "-²"]
TRICKY_NUMBERS = st.sampled_from(
    [
        "١٢",
        "  12  ",
        "1e3",
        "0x1F",
        "∞",
        "NaN",
        "-0",
        "1_000",
        "+5",
        "5.",
        ".5",
        "٣",
        "",
        " ",
        "\x00",
        *DIGIT_LOOKALIKES,
    ]
)
WIRE_TEXT = WIRE_TEXT | TRICKY_NUMBERS
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.sampled_from([0, 1, -1, 99, 255, 2**31, 2**63, 10**30])
    | st.floats(allow_nan=False, allow_infinity=False)
    | WIRE_TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(WIRE_TEXT, children, max_size=5),
    max_leaves=20,
)


def parses_or_refuses[T](call: Callable[[], T]) -> T | None:
    """Run a parser; its typed errors mean "refused". Any other exception propagates: that is a bug."""
    try:
        return call()
    except GatewayError:
        return None


def fixture_json(vendor: str, name: str) -> Any:
    """A recorded payload, parsed (Dinstar's `.txt` fixtures are JSON with stray bytes; the first value is used)."""
    text = (FIXTURES / vendor / name).read_text(encoding="utf-8")
    return json.JSONDecoder(strict=False).raw_decode(text.strip())[0]


def fixture_bytes(vendor: str, name: str) -> bytes:
    """A recorded payload as the device sent it."""
    return (FIXTURES / vendor / name).read_bytes()


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:  # noqa: PLR0911 - one return per kind of value
    """`value` with a few of its parts replaced, removed, duplicated or given other types.

    Structure-aware: most of the payload stays valid, so the parser gets past its first checks and the mutation
    lands in the code that reads the details.
    """
    if depth > 6 or draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            action = draw(st.integers(0, 9))
            if action == 0:
                continue  # key dropped
            if action == 1:
                result[key] = draw(JSON_VALUES)
            elif action <= 3:
                result[key] = draw(mutated(item, depth + 1))
            else:
                result[key] = item
        if draw(st.booleans()):
            result[draw(WIRE_TEXT)] = draw(JSON_VALUES)
        return result
    if isinstance(value, list):
        items = [draw(mutated(item, depth + 1)) if draw(st.booleans()) else item for item in value]
        action = draw(st.integers(0, 5))
        if action == 0 and items:
            items = items[: draw(st.integers(0, len(items) - 1))]
        elif action == 1 and items:
            items.append(items[draw(st.integers(0, len(items) - 1))])
        elif action == 2:
            items.append(draw(JSON_VALUES))
        return items
    if isinstance(value, str):
        return draw(st.sampled_from([value, value[: len(value) // 2], value + draw(WIRE_TEXT), draw(WIRE_TEXT)]))
    if isinstance(value, bool):
        return draw(st.booleans())
    if isinstance(value, int):
        return draw(st.sampled_from([value, -value, value * 1000, str(value), f" {value} ", 0, None]) | TRICKY_NUMBERS)
    return draw(SCALARS)


@st.composite
def damaged_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    """A body cut short, with bytes flipped, or with garbage around it."""
    action = draw(st.integers(0, 3))
    if action == 0:
        return body[: draw(st.integers(0, max(0, len(body) - 1)))]
    if action == 1 and body:
        position = draw(st.integers(0, len(body) - 1))
        return body[:position] + bytes([draw(st.integers(0, 255))]) + body[position + 1 :]
    if action == 2:
        return draw(st.binary(max_size=8)) + body + draw(st.binary(max_size=8))
    return draw(st.binary(max_size=200))


def as_json_bytes(value: Any) -> bytes:
    """JSON as a device would send it (non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", errors="surrogatepass")


def read_with_answer[GatewayT](
    make_gateway: Callable[[Any], GatewayT],
    status: int,
    body: bytes,
    call: Callable[[GatewayT], Awaitable[object]],
    headers: Mapping[str, str] | None = None,
) -> None:
    """Let a client call its device and get `status`/`body` back for every request; only typed errors may escape."""

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            gateway = make_gateway(session)

            async def answer(_method: str, path: str, **_kwargs: Any) -> HttpResponse:
                return HttpResponse(status, dict(headers or {}), body, path.lstrip("/"))

            gateway.transport.request = answer  # type: ignore[attr-defined]
            with contextlib.suppress(GatewayError):
                await call(gateway)

    asyncio.run(scenario())
