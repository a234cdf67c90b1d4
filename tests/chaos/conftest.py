"""The chaos runs start a real Home Assistant HTTP server: the simulated gateways push to it."""

from __future__ import annotations

import pytest


@pytest.fixture
def disable_http_server() -> None:
    """Let Home Assistant's HTTP server listen for real (the test plugin keeps it off), so pushes arrive.

    Without it, every push of the reduced chaos run went unanswered and only the catch-up polls delivered.
    """
