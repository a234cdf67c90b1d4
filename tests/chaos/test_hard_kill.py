"""Hard kills: a Home Assistant process killed with SIGKILL loses no SMS, and fires none a third time.

The run of `scripts/chaos` (`benchmarks/hard_kill.py`), reduced: one vendor (Skyline/EJOIN: pushes and catch-up
both deliver), one kill mid-burst right after an event fired, one kill in a crash loop, no settle period. Home
Assistant runs as its own process and starts four times: about 25 s.
"""

from __future__ import annotations

import pytest

from benchmarks.hard_kill import HardKillPlan, run_hard_kills, section_of, summary_lines


@pytest.mark.slow
@pytest.mark.usefixtures("socket_enabled")
async def test_a_hard_kill_loses_no_sms() -> None:
    plan = HardKillPlan(
        vendor="ejoin", burst=60, burst_kills=1, receiving=0.3, backlog=40, loop_kills=1, per_restart=5, settle=0
    )
    [result] = await run_hard_kills([plan])
    report = "\n".join(summary_lines(result))
    # Every start was recorded from its first event on, killed or stopped as planned.
    assert not result.problems, report
    assert [life.end for life in result.lives] == ["SIGKILL", "stopped", "SIGKILL", "stopped"], report
    assert all(life.ready and life.already_fired == 0 for life in result.lives), report
    # Nothing lost, nothing fired a third time, nothing unknown; a repeat carries its first firing's message_id.
    total = result.total
    assert total.delivered == 105, report
    assert total.lost == 0, report
    assert total.worst <= 2, report
    assert result.strangers == 0, report
    assert result.refired_other_id == 0, report
    # The integration logged no warning or error, through kills and catch-ups alike.
    assert not result.own_messages, report
    assert result.passed, report
    assert section_of([result]).passed, report
