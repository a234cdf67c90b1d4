"""Failover under chaos: alarms while SIMs and a whole gateway fail; every number sent exactly once.

The failover scenario of `scripts/chaos` with fewer alarms: a real Home Assistant in-process, two simulated
Skyline/EJOIN gateways, and the sends counted per number on the simulators.
"""

from __future__ import annotations

import pytest

from benchmarks.chaos_failover import FailoverPlan, failover_summary_lines, run_failover_chaos


@pytest.mark.slow
@pytest.mark.usefixtures("socket_enabled")
async def test_no_alarm_is_lost_or_sent_twice_while_sims_and_a_gateway_fail() -> None:
    result = await run_failover_chaos(FailoverPlan(alarms=12))
    report = "\n".join(failover_summary_lines(result))
    assert len(result.numbers) == 24, report
    assert result.lost == 0, report
    assert result.double_sent == 0, report
    assert result.untrue == 0, report
    assert not result.raised, report
    assert not result.unexpected, report
    # The failures really happened: a failure report, a refusal and an unreachable gateway, each moved on.
    assert result.attempts["failed"] > 0, report
    assert result.attempts["refused"] > 0, report
    assert result.attempts["unreachable"] > 0, report
    assert result.attempts["sent"] == 24, report
    assert result.passed, report
