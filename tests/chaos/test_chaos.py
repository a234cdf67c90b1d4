"""Exactly once under chaos: dropped pushes, faulting requests, reloads, reboots and a Home Assistant restart.

The same run as `scripts/chaos`, with fewer messages and one vendor (Skyline/EJOIN: pushes and polling both
deliver, so it is where repeats could come from). A real Home Assistant runs in-process with storage on disk.
"""

from __future__ import annotations

import pytest

from benchmarks.chaos import ChaosPlan, run_chaos, summary_lines


@pytest.mark.slow
@pytest.mark.usefixtures("socket_enabled")
async def test_every_sms_fires_exactly_once_under_chaos() -> None:
    plan = ChaosPlan(vendor="ejoin", messages=150, step_pause=0.03, sends=8, settle_periods=3, drain_timeout=20)
    result = await run_chaos(plan)
    report = "\n".join(summary_lines(result))
    assert len(result.delivered) == 150, report
    assert result.lost == 0, report
    assert result.duplicates == 0, report
    assert result.strangers == 0, report
    assert len(result.events) == 150, report
    assert len(set(result.message_ids)) == 150, report
    # Every send either went through or raised a Home Assistant error; none hung or failed otherwise.
    assert not result.sends_unexpected, report
    assert result.sends_issued == 8, report
    # Their delivery reports (kept in the gateway's inbox) fired exactly once.
    assert result.reports_known, report
    assert result.report_duplicates == 0, report
    assert result.reports_lost == 0, report
    # The disruptions really happened, and the faults really hit the integration's requests.
    kinds = [what for _, what in result.actions]
    assert kinds.count("config entry reloaded") == 3, report
    assert kinds.count("gateway rebooted") == 2, report
    assert kinds.count("Home Assistant started again") == 1, report
    assert sum(result.faulted.values()) > 0, report
    assert result.pushes_dropped > 0, report
    # Pushes reached Home Assistant too (not only the catch-up polls).
    assert result.pushes - result.pushes_dropped - result.pushes_refused > 0, report
    assert result.pushes_refused == 0, report
