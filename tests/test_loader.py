"""The loader: every planner mistake becomes FILE:LINE:COL lines, all at once."""

from __future__ import annotations

import textwrap

import pytest

from tabletop import model as m
from tabletop.loader import ExerciseError, decode, load_exercise, load_exercise_text, load_text

GOOD = textwrap.dedent(
    """\
    id: drill
    title: Harbour drill
    version: "1.0"
    summary: A short drill.
    marking: EXERCISE — FOR TRAINING ONLY
    setting:
      start: "2027-04-11T06:00:00+09:00"
      timezone: Asia/Seoul
    duration: "+03:00"
    teams:
      - id: us
        name: United States
      - id: rok
        name: Republic of Korea
        brief: Only Seoul knows this.
      - id: control
        name: Control
        kind: control
    objectives:
      - id: OBJ-1
        text: Coordinate search and rescue.
        capability: Mass Search and Rescue Operations
    moves:
      - id: M1
        title: Boats on the water
        situation: Boats are leaving the coast.
        questions:
          all: [Who leads?]
          rok: [Do you tell Beijing?]
        injects:
          - id: A
            at: "+00:10"
            title: Boat capsized
            body: Sixty people in the water.
            source: ROK Coast Guard
            to: [rok, us]
            channel: radio
            objectives: [OBJ-1]
            expected:
              rok: Ask every vessel nearby to help.
            decision:
              prompt: Do you hail the Chinese vessel?
              options:
                - {id: direct, label: Hail it, posture: joint}
                - {id: alone, label: Wait for cutters, posture: national}
          - id: B
            at: "+00:40"
            title: Chinese vessel turns toward the site
            body: It is ten miles away.
            source: Control
            to: all
            channel: intelligence
            condition:
              any:
                - chose: {inject: A, team: rok, option: direct}
                - not: {delivered: A}
    contingencies:
      - id: C1
        title: Weather worsens
        body: Swells rise to three metres.
        source: Korea Meteorological Administration
        to: all
        channel: news
        notes: Pull it in when the ROK team chose alone and the cutters are late.
    """
)


def errors_of(text: str, filename: str = "x.yaml") -> list[str]:
    with pytest.raises(ExerciseError) as caught:
        load_exercise_text(text, filename)
    return [d.format() for d in caught.value.diagnostics]


def replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def test_good_exercise_loads_with_offsets_in_minutes() -> None:
    exercise = load_exercise_text(GOOD, "good.yaml")
    injects = exercise.all_injects()
    assert [i.id for i in injects] == ["A", "B", "C1"]
    assert injects[0].at == 10
    assert injects[1].at == 40
    assert exercise.duration == 180
    assert exercise.recipients(injects[1]) == ["us", "rok"]
    assert exercise.deciders(injects[0]) == ["rok", "us"]
    assert isinstance(injects[1].condition, m.AnyCondition)


@pytest.mark.parametrize(
    ("written", "minutes"),
    [("+00:45", 45), ("+1d 02:00", 1560), (90, 90), ("90", 90), ("+2d", 2880), ("+120:00", 7200)],
)
def test_offsets(written: object, minutes: int) -> None:
    assert m.parse_offset(written) == minutes
    assert m.parse_offset(m.format_offset(minutes)) == minutes


def test_typo_in_field_name_points_at_the_key_and_suggests() -> None:
    text = replace("    title: Boat capsized", "    tilte: Boat capsized")
    assert errors_of(text) == [
        "x.yaml:33:9: unknown field 'tilte'; did you mean 'title'?",
    ]


def test_wrong_team_id_points_at_the_id() -> None:
    text = replace("to: [rok, us]", "to: [rok, usa]")
    assert errors_of(text) == ["x.yaml:36:19: unknown team 'usa'; did you mean 'us'?"]


def test_tab_in_indentation() -> None:
    text = GOOD.replace("title: Harbour drill", "title:\tHarbour drill\n\tversion: x", 1)
    lines = errors_of(text)
    assert len(lines) == 1
    assert lines[0].startswith("x.yaml:3:1: tab character")


def test_duplicate_key_is_an_error_not_last_one_wins() -> None:
    text = replace("source: ROK Coast Guard\n", "source: ROK Coast Guard\n        source: KCG\n")
    assert errors_of(text) == ["x.yaml:36:9: duplicate key 'source': each key may appear once in a mapping"]


def test_merge_keys_are_not_duplicates() -> None:
    text = replace("setting:\n  start", "base: &b\n  timezone: Asia/Seoul\nsetting:\n  <<: *b\n  start")
    text = text.replace("  timezone: Asia/Seoul\nduration", "duration", 1)
    lines = errors_of(text)
    assert lines == ["x.yaml:6:1: unknown field 'base'"]


def test_wrong_type_and_enum() -> None:
    text = replace("channel: radio", "channel: pigeon").replace('duration: "+03:00"', "duration: soon")
    lines = errors_of(text)
    assert lines[0] == ("x.yaml:9:11: duration: 'soon' is not a scenario time; write '+HH:MM', "
                        "'+Nd HH:MM' or a number of minutes")
    assert lines[1].startswith("x.yaml:37:18: channel: Input should be 'news'")


def test_missing_field_points_at_parent_mapping() -> None:
    text = replace("    name: Republic of Korea\n", "")
    assert errors_of(text) == ["x.yaml:13:5: missing required field 'name'"]


def test_python_tags_cannot_construct_objects() -> None:
    text = replace("summary: A short drill.", "summary: !!python/object/apply:os.system [echo hacked]")
    lines = errors_of(text)
    assert len(lines) == 1 and lines[0].startswith("x.yaml:4:10: tag ") and "not allowed" in lines[0]


def test_cross_reference_errors_all_at_once_sorted() -> None:
    text = (
        GOOD.replace("objectives: [OBJ-1]", "objectives: [OBJ-9]")
        .replace("- {id: alone,", "- {id: direct,")
        .replace("option: direct}", "option: retreat}")
        .replace("delivered: A}", "delivered: Z}")
        .replace("  - id: rok\n    name: Republic", "  - id: us\n    name: Republic")
    )
    assert errors_of(text) == [
        "x.yaml:13:9: duplicate team id 'us' (first defined at line 11, column 9)",
        "x.yaml:29:7: unknown team 'rok'; teams are: control, us",
        "x.yaml:36:14: unknown team 'rok'; teams are: control, us",
        "x.yaml:38:22: unknown objective 'OBJ-9'; did you mean 'OBJ-1'?",
        "x.yaml:40:11: unknown team 'rok'; teams are: control, us",
        "x.yaml:45:20: duplicate option id 'direct' (first defined at line 44, column 20)",
        "x.yaml:55:40: unknown team 'rok'; teams are: control, us",
        "x.yaml:55:53: the decision on 'A' offers no option 'retreat' (it offers: direct, direct), "
        "so this can never be satisfied",
        "x.yaml:56:32: unknown inject 'Z'",
    ]


def test_schema_and_reference_errors_reported_together() -> None:
    text = replace("    title: Boat capsized", "    titel: Boat capsized").replace("to: [rok, us]", "to: [rok, usa]")
    lines = errors_of(text)
    assert lines == [
        "x.yaml:33:9: unknown field 'titel'; did you mean 'title'?",
        "x.yaml:36:19: unknown team 'usa'; did you mean 'us'?",
    ]


def test_injects_out_of_order_within_a_move() -> None:
    text = replace('at: "+00:40"', 'at: "+00:05"')
    assert errors_of(text) == [
        "x.yaml:47:13: inject 'B' at +00:05 is out of order: it comes before inject 'A' (+00:10)"
    ]


def test_condition_on_inject_without_decision() -> None:
    text = replace("- chose: {inject: A, team: rok, option: direct}", "- chose: {inject: C1, option: direct}")
    assert errors_of(text) == [
        "x.yaml:55:31: inject 'C1' asks for no decision, so this can never be satisfied"
    ]


def test_condition_with_two_keys_is_rejected() -> None:
    text = replace("- not: {delivered: A}", "- {not: {delivered: A}, delivered: A}")
    lines = errors_of(text)
    assert lines == ["x.yaml:56:15: a condition is a mapping with exactly one of the keys: "
                     "chose, decided, delivered, all, any, not"]


def test_scheduled_inject_needs_a_time() -> None:
    text = replace('        at: "+00:10"\n', "")
    assert errors_of(text) == ["x.yaml:31:9: inject 'A' has no scenario time: scheduled injects need 'at'"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.yaml:1:1: file is empty: an exercise needs at least id, title, teams and moves"),
        (b"# only a comment\n", "x.yaml:1:1: file is empty: an exercise needs at least id, title, teams and moves"),
        (b"\x00\x01\x02binary", "x.yaml:1:1: binary file, not a YAML exercise"),
        (b"id: x\ntitle: caf\xe9\n", "x.yaml:2:11: not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
        (b"- a\n- b\n", "x.yaml:1:1: an exercise is a mapping of fields (id, title, teams, moves...), not a list"),
        (b"id: 'unclosed\n", "x.yaml:2:1: found unexpected end of stream (while scanning a quoted scalar "
                              "at line 1, column 5)"),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    with pytest.raises(ExerciseError) as caught:
        load_text(decode(data, "x.yaml"), "x.yaml")
    assert [d.format() for d in caught.value.diagnostics] == [message]


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    with pytest.raises(ExerciseError) as caught:
        load_exercise_text("\n".join(lines) + "\n", "x.yaml")
    assert "aliases expand this document" in str(caught.value)


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * 500 + "]" * 500 + "\n"
    with pytest.raises(ExerciseError) as caught:
        load_exercise_text(text, "x.yaml")
    assert "nested more than" in str(caught.value)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(ExerciseError) as caught:
        load_exercise(tmp_path / "nope.yaml")
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}:1:1: no such file"


def _fixture_errors(text: str) -> list[str]:
    with pytest.raises(ExerciseError) as caught:
        load_text(text, "drill.yaml")
    return [d.format() for d in caught.value.diagnostics]


def test_a_tab_does_not_hide_the_problems_after_it() -> None:
    from tests.engine_fixtures import EXERCISE_YAML

    text = (EXERCISE_YAML.replace("\n  location: Yellow Sea", "\n\tlocation: Yellow Sea")
            .replace("\n        to: [rok, us]", "\n\t\tto: [rok, usa]", 1)
)
    rows = text.splitlines()
    tab = rows.index("\tlocation: Yellow Sea") + 1
    team = rows.index("\t\tto: [rok, usa]") + 1
    found = _fixture_errors(text)
    message = "tab character here, in the indentation: YAML indents with spaces, never tabs"
    assert f"drill.yaml:{tab}:1: {message}" in found
    assert f"drill.yaml:{team}:1: {message}" in found
    # the unknown team sits on a tabbed line: its column counts the two tabs as two characters
    assert f"drill.yaml:{team}:13: unknown team 'usa'; did you mean 'us'?" in found, found
    assert found == sorted(found, key=lambda line: int(line.split(":")[1])), found


def test_tabs_that_leave_no_readable_file_are_reported_alone() -> None:
    text = GOOD.replace("title: Harbour drill", "title:\tHarbour drill\n\tversion: x", 1)
    lines = errors_of(text)
    assert len(lines) == 1 and "tab character" in lines[0]


def test_an_inject_moved_later_is_reported_itself() -> None:
    from tests.engine_fixtures import EXERCISE_YAML

    text = EXERCISE_YAML.replace('at: "+00:05"', 'at: "+00:50"')
    line = text.splitlines().index('        at: "+00:50"') + 1
    assert _fixture_errors(text) == [
        f"drill.yaml:{line}:13: inject 'M1-01' at +00:50 is out of order: it comes after inject 'M1-02' (+00:15)"
    ]


def test_an_inject_moved_earlier_is_reported_itself() -> None:
    from tests.engine_fixtures import EXERCISE_YAML

    text = EXERCISE_YAML.replace('at: "+00:30"', 'at: "+00:10"')
    line = text.splitlines().index('        at: "+00:10"') + 1
    assert _fixture_errors(text) == [
        f"drill.yaml:{line}:13: inject 'M1-03' at +00:10 is out of order: it comes before inject 'M1-02' (+00:15)"
    ]


def test_every_tab_in_the_indentation_is_named_at_its_position() -> None:
    from tests.engine_fixtures import EXERCISE_YAML

    text = (EXERCISE_YAML.replace("\n  location: Yellow Sea", "\n\tlocation: Yellow Sea")
            .replace("\n    title: Boats on the water", "\n  \ttitle: Boats on the water"))
    rows = text.splitlines()
    first = rows.index("\tlocation: Yellow Sea") + 1
    second = rows.index("  \ttitle: Boats on the water") + 1
    message = "tab character here, in the indentation: YAML indents with spaces, never tabs"
    assert _fixture_errors(text) == [f"drill.yaml:{first}:1: {message}", f"drill.yaml:{second}:3: {message}"]


def test_a_retired_posture_word_says_which_word_describes_the_option() -> None:
    text = GOOD.replace("posture: joint", "posture: cooperative", 1).replace("posture: national", "posture: escalatory", 1)
    lines = errors_of(text)
    assert len(lines) == 2
    assert lines[0].endswith("posture: 'cooperative' is no longer a posture: a posture says how an option acts, "
                             "not how far it goes; write joint")
    assert "'escalatory' is no longer a posture" in lines[1] and "national, public or joint" in lines[1]
