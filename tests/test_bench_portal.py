"""The portal bench area in quick mode: a real `tabletop serve` under load loses no acknowledged submission.

Only counts are asserted (nothing lost, no 5xx, no locked database, every
figure present with its baseline), never a wall-clock figure: this machine's
speed is not what the test is about.
"""

from __future__ import annotations

from bench.__main__ import EXPECTED_AREAS, discover, run_area


def test_the_portal_area_is_listed_and_loses_no_acknowledged_submission() -> None:
    assert "portal" in EXPECTED_AREAS and "portal" in discover()
    figures = {f.name.split(" (")[0]: f for f in run_area("portal", quick=True)}
    assert set(figures) == {
        "portal: acknowledged submissions lost",
        "portal: POST to durable ack, p50",
        "portal: POST to durable ack, p99",
        "portal: page poll, p99",
        "portal: server peak RSS, VmHWM",
        "portal: 'database is locked' + 5xx answers",
    }
    lost = figures["portal: acknowledged submissions lost"]
    assert lost.value == 0 and lost.met is True
    assert lost.extra["acked"] > 0 and lost.extra["decisions"] > 0 and lost.extra["rfis"] > 0
    assert lost.extra["integrity"] == "ok"
    errors = figures["portal: 'database is locked' + 5xx answers"]
    assert errors.value == 0 and errors.extra["tracebacks"] == 0 and errors.extra["console"] == "ok", errors.extra
    for name in ("portal: POST to durable ack, p50", "portal: POST to durable ack, p99", "portal: page poll, p99",
                 "portal: server peak RSS, VmHWM"):
        assert figures[name].value > 0 and figures[name].baseline, name
    assert figures["portal: POST to durable ack, p50"].met is not None
