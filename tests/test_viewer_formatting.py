"""Tests of how the team view words times and reflows the planner's text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tabletop.viewer.formatting import channel_text, in_world_text, offset_text, reflow

WRAPPED = """\
BAENGNYEONG ISLAND, 06:58 KST. Marines at an observation post on the
north-west tip of the island saw seven unlit wooden boats come south
across the line.

Fishermen describe about thirty people in each boat."""


def test_a_hard_wrapped_paragraph_becomes_one_line_and_paragraphs_stay() -> None:
    assert reflow(WRAPPED) == (
        "BAENGNYEONG ISLAND, 06:58 KST. Marines at an observation post on the north-west tip of the island "
        "saw seven unlit wooden boats come south across the line.\n\n"
        "Fishermen describe about thirty people in each boat."
    )


def test_short_lines_lists_and_indented_lines_keep_their_breaks() -> None:
    cable = "FROM: ROK MOFA\nTO: Embassy Beijing\nSUBJECT: crab boats"
    assert reflow(cable) == cable
    items = "The embassy asks for three things, each of them urgent today:\n- a channel\n- a name\n- a time"
    assert reflow(items) == items
    table = "Ships on scene within the hour, by flag and distance:\n  ROK 3015   5 nm\n  PRC crab   3 nm"
    assert reflow(table) == table


def test_times_read_as_the_room_says_them() -> None:
    assert offset_text(80) == "+01:20"
    assert offset_text(None) == ""
    seoul = timezone(timedelta(hours=9), "KST")
    assert in_world_text(datetime(2027, 4, 14, 7, 20, tzinfo=seoul)) == "Wed 14 Apr 2027 07:20 KST"
    assert channel_text("phone_call") == "phone call"
