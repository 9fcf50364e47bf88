"""The command registry: one definition gives the key, footer, help line and palette entry."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from tabletop.app import ConsoleApp
from tabletop.app.commands import COMMANDS, FOCUS_BINDINGS, GROUPS, Mode, bindings, command_for, commands_for
from tabletop.app.formatting import in_world_text, one_line, rate_text
from tabletop.model import Setting


def test_every_command_runs_an_action_the_app_has() -> None:
    builtin = {"command_palette", "quit"}
    for command in COMMANDS:
        assert command.action in builtin or callable(getattr(ConsoleApp, f"action_{command.action}", None)), command


def test_keys_and_actions_are_unique() -> None:
    assert not [k for k, n in Counter(c.key for c in COMMANDS).items() if n > 1]
    assert not [a for a, n in Counter(c.action for c in COMMANDS).items() if n > 1]


def test_every_command_has_a_group_and_help() -> None:
    for command in COMMANDS:
        assert command.group in GROUPS
        assert command.help and command.title


def test_bindings_are_derived_from_the_registry() -> None:
    derived = {(b.key, b.action, b.description, b.show) for b in bindings()}
    expected = {(c.key, c.action, c.title, c.show) for c in COMMANDS if c.action != "command_palette"}
    assert derived == expected
    assert ConsoleApp.BINDINGS == bindings() + FOCUS_BINDINGS, "every other binding is a command's"
    assert {b.key for b in FOCUS_BINDINGS} == {"tab", "shift+tab"} and all(b.priority for b in FOCUS_BINDINGS)


def test_evaluator_mode_offers_no_play_control() -> None:
    offered = {c.action for c in commands_for(Mode.evaluator)}
    assert "observe" in offered and "help" in offered and "quit" in offered
    assert not offered & {c.action for c in COMMANDS if c.play}
    assert command_for("deliver") is not None
    assert command_for("nothing such") is None


@pytest.mark.parametrize(
    ("minute", "expected"),
    [(0, "Fri 11 Apr 2031 06:00 KST"), (80, "Fri 11 Apr 2031 07:20 KST"), (1440 + 30, "Sat 12 Apr 2031 06:30 KST")],
)
def test_in_world_time_is_the_setting_start_plus_the_scenario_minute(minute: int, expected: str) -> None:
    setting = Setting.model_validate({"start": "2031-04-11T06:00:00+09:00", "timezone": "Asia/Seoul"})
    assert in_world_text(setting, minute) == expected


def test_unknown_time_zone_is_refused_rather_than_shown_in_another_zone() -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Nowhere/Atlantis'"):
        Setting.model_validate({"start": "2031-04-11T06:00:00+09:00", "timezone": "Nowhere/Atlantis"})


def test_one_line_cuts_by_cells_not_characters() -> None:
    assert one_line("대한민국 해양경찰청", 7) == "대한민…"
    assert one_line("two\nlines", 0) == "two lines"
    assert rate_text(2.0) == "2x" and rate_text(0.5) == "0.5x"
