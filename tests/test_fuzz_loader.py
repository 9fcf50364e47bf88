"""The loader against broken, hostile and randomly mutated files.

A planner's file may be half-written, saved in the wrong encoding, pasted
from a spreadsheet, or crafted to hurt (alias bombs, object tags, nesting
deep enough to overflow a C stack). Whatever it holds, `tabletop validate`
answers with `FILE:LINE:COL: message` lines and exit 1, in bounded time and
memory, and never with a traceback.

The corpus in tests/corpus/ holds one broken file per kind of mistake, each
with the position and words the planner must see. Hypothesis mutates valid
exercises (characters, lines, values, random YAML) and checks that loading
either succeeds or fails with well-placed diagnostics. Raise the number of
examples with TABLETOP_FUZZ_EXAMPLES (default 40) for a longer hunt.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop import model as m
from tabletop.loader import MAX_BYTES, ExerciseError, decode, load, load_text
from tabletop.resources import exercises_dir
from tests.test_loader import GOOD

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
EXAMPLES = int(os.environ.get("TABLETOP_FUZZ_EXAMPLES", "40"))
MEMORY_LIMIT = 1024**3
"""RLIMIT_AS of the validating subprocess: a hostile file must not need more."""
TIMEOUT = 120
"""Seconds the validating subprocess may take over a whole batch of files."""

DIAGNOSTIC_LINE = re.compile(r"^(?P<file>.+?):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>\S.*)$")
SUMMARY_LINE = re.compile(r"^\d+ of \d+ exercise files? invalid$")

EXPECTED: dict[str, tuple[int, int, str]] = {
    "alias_depth_bomb.yaml": (63, 12, "nested more than 64 levels deep"),
    "backtick_indicator.yaml": (2, 8, "cannot start any token"),
    "bad_binary_tag.yaml": (2, 8, "failed to decode base64"),
    "bad_id_pattern.yaml": (11, 9, "'united states' is not a valid id"),
    "bad_indentation.yaml": (8, 4, "did not find expected key"),
    "bad_indentation_sequence.yaml": (39, 6, "did not find expected key"),
    "bad_int_tag.yaml": (27, 13, "int value 'ten' cannot be read as its tag says"),
    "bad_scenario_time.yaml": (27, 13, "'soon' is not a scenario time"),
    "bad_start_datetime.yaml": (7, 10, "start: 'the day after tomorrow' is not a date and time with its UTC offset"),
    "bad_timestamp_tag.yaml": (7, 10, "timestamp value '2030-13-45' cannot be read"),
    "billion_laughs.yaml": (7, 20, "aliases expand this document to more than"),
    "binary_png.yaml": (1, 1, "binary file, not a YAML exercise"),
    "bom_with_error.yaml": (32, 18, "channel: Input should be 'news'"),
    "colon_in_plain_value.yaml": (28, 29, "mapping values are not allowed"),
    "condition_two_keys.yaml": (46, 20, "exactly one of the keys"),
    "condition_unknown_inject.yaml": (46, 37, "unknown inject 'Z'"),
    "condition_unknown_option.yaml": (46, 59, "offers no option 'sail'"),
    "control_character.yaml": (2, 15, "character U+0007 is not allowed"),
    "crlf_with_error.yaml": (32, 18, "channel: Input should be 'news'"),
    "custom_include_tag.yaml": (4, 10, "tag !include is not allowed"),
    "decision_with_one_option.yaml": (37, 13, "options: List should have at least 2 items"),
    "deep_block_nesting.yaml": (48, 129, "nested more than 64 levels deep"),
    "deep_flow_nesting.yaml": (47, 71, "nested more than 64 levels deep"),
    "deep_unclosed_nesting.yaml": (1, 254, "nested more than 64 levels deep"),
    "duplicate_anchor.yaml": (4, 10, "duplicate anchor"),
    "duplicate_inject_id.yaml": (39, 13, "duplicate inject id 'A' (first defined at line 26, column 13)"),
    "duplicate_inject_key.yaml": (33, 9, "duplicate key 'channel'"),
    "duplicate_team_id.yaml": (13, 9, "duplicate team id 'us'"),
    "duplicate_top_level_key.yaml": (4, 1, "duplicate key 'title'"),
    "empty.yaml": (1, 1, "file is empty"),
    "infinite_scenario_time.yaml": (27, 13, "at: Input should be a finite number"),
    "injects_out_of_order.yaml": (40, 13, "inject 'B' at +00:05 is out of order"),
    "invalid_utf8_late.yaml": (47, 16, "not valid UTF-8 (byte 0xff)"),
    "invalid_utf8_latin1.yaml": (2, 11, "not valid UTF-8 (byte 0xe9)"),
    "invalid_utf8_truncated_sequence.yaml": (2, 22, "not valid UTF-8 (byte 0xe2)"),
    "list_document.yaml": (1, 1, "an exercise is a mapping of fields"),
    "long_key_line.yaml": (2, 70001, "could not find expected ':'"),
    "long_unclosed_string.yaml": (3, 11, "did not find expected key"),
    "merge_key_scalar.yaml": (9, 7, "expected a mapping or list of mappings for merging"),
    "missing_required_fields.yaml": (1, 1, "missing required field 'teams'"),
    "multiple_documents.yaml": (47, 1, "expected a single document"),
    "negative_scenario_time.yaml": (27, 13, "at: Input should be greater than or equal to 0"),
    "non_string_keys.yaml": (3, 4, "Keys should be strings"),
    "nul_byte_late.yaml": (48, 9, "character U+0000 is not allowed"),
    "null_required_value.yaml": (2, 8, "title: Input should be a valid string"),
    "only_comments.yaml": (1, 1, "file is empty"),
    "only_whitespace.yaml": (1, 1, "file is empty"),
    "python_module_tag.yaml": (4, 10, "python/module:subprocess is not allowed"),
    "python_name_tag.yaml": (2, 8, "python/name:os.system is not allowed"),
    "python_object_apply_tag.yaml": (2, 8, "python/object/apply:os.system is not allowed"),
    "random_bytes.yaml": (1, 2, "not valid UTF-8 (byte 0x8a)"),
    "recursive_alias.yaml": (10, 8, "name: Input should be a valid string"),
    "reserved_indicator.yaml": (2, 8, "cannot start any token"),
    "scalar_document.yaml": (1, 1, "an exercise is a mapping of fields"),
    "stray_document_end.yaml": (18, 5, "did not find expected <document start>"),
    "tab_after_key.yaml": (14, 1, "tab character here"),
    "tab_indentation.yaml": (12, 1, "tab character here"),
    "unclosed_block_scalar.yaml": (6, 1, "could not find expected ':'"),
    "unclosed_double_quote.yaml": (7, 11, "did not find expected key"),
    "unclosed_flow_mapping.yaml": (39, 11, "did not find expected ',' or '}'"),
    "unclosed_flow_sequence.yaml": (32, 16, "did not find expected ',' or ']'"),
    "unclosed_single_quote.yaml": (47, 1, "found unexpected end of stream"),
    "undefined_alias.yaml": (2, 8, "found undefined alias"),
    "unhashable_complex_key.yaml": (2, 3, "found unhashable key"),
    "unknown_inject_key.yaml": (29, 9, "unknown field 'bdoy'; did you mean 'body'?"),
    "unknown_objective_reference.yaml": (33, 22, "unknown objective 'OBJ-9'; did you mean 'OBJ-1'?"),
    "unknown_team_reference.yaml": (31, 19, "unknown team 'usa'; did you mean 'us'?"),
    "unknown_top_level_key.yaml": (3, 1, "unknown field 'titel'; did you mean 'title'?"),
    "utf16_with_bom.yaml": (1, 1, "binary file, not a YAML exercise"),
    "wrong_enum_channel.yaml": (32, 18, "channel: Input should be 'news'"),
    "wrong_enum_posture.yaml": (38, 49, "posture: Input should be 'joint'"),
    "wrong_type_list_for_text.yaml": (2, 8, "title: Input should be a valid string"),
    "wrong_type_mapping_for_time.yaml": (27, 13, "at: Input should be a valid integer"),
    "wrong_type_text_for_list.yaml": (10, 8, "teams: Input should be a valid list"),
    "yaml_directive_2.yaml": (1, 1, "incompatible YAML document"),
}
"""Each corpus file: where the first thing a planner must fix is, and what the line says."""

SEED = textwrap.dedent(
    """\
    # A second seed with the YAML features the first one lacks.
    id: anchors-drill
    title: 'Anchors, merges and block text'
    version: "2"
    summary: >
      Folded text that runs
      over several lines.
    marking: EXERCISE - FOR TRAINING ONLY
    setting: {start: "2030-01-01T00:00:00Z", timezone: UTC, location: Harbour}
    duration: 120
    teams:
      - &player {id: a, name: Team A, members: [Minister, Deputy]}
      - <<: *player
        id: b
        name: Team B
      - {id: white, name: White Cell, kind: control}
    objectives:
      - {id: O1, text: Talk to each other., capability: Operational Communications}
    moves:
      - id: M1
        title: Only move
        situation: |
          Literal text
            with indentation kept.
        injects:
          - id: I1
            at: 5
            title: First report
            body: "Quoted \\"body\\" with escapes \\u00e9"
            source: Control
            to: [a, b]
            channel: phone_call
            objectives: [O1]
            decision:
              prompt: Call or wait?
              teams: [a]
              options:
                - {id: call, label: Call now, posture: joint, consequence: Lines open.}
                - {id: wait, label: Wait, posture: deferring}
          - id: I2
            at: "+1d 00:00"
            title: Follow-up
            body: Only if A called.
            source: Control
            to: all
            channel: cable
            condition:
              all:
                - decided: {inject: I1, team: a}
                - not: {chose: {inject: I1, team: a, option: wait}}
    contingencies: []
    """
)

SEEDS = [GOOD, SEED]


def check_outcome(text: str, filename: str = "fuzz.yaml") -> None:
    """Loading `text` either succeeds or fails with diagnostics that point inside it."""
    try:
        loaded = load_text(text, filename)
    except ExerciseError as error:
        assert error.diagnostics, "an ExerciseError must say what is wrong"
        last_line = len(text.splitlines()) + 1
        for diagnostic in error.diagnostics:
            assert diagnostic.file == filename
            assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
            assert diagnostic.line <= last_line, (diagnostic, last_line)
            assert DIAGNOSTIC_LINE.match(diagnostic.format()), repr(diagnostic.format())
            assert "\n" not in diagnostic.format() and "\r" not in diagnostic.format()
    else:
        assert isinstance(loaded.exercise, m.Exercise)


# --- the corpus ---------------------------------------------------------------------------------


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_file()}
    assert on_disk == set(EXPECTED), (
        f"without expectation: {sorted(on_disk - set(EXPECTED))}; missing: {sorted(set(EXPECTED) - on_disk)}"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_points_at_the_mistake(name: str) -> None:
    path = CORPUS / name
    with pytest.raises(ExerciseError) as caught:
        load(path)
    line, column, words = EXPECTED[name]
    found = [(d.line, d.column, d.message) for d in caught.value.diagnostics]
    assert any((d_line, d_col) == (line, column) and words in message for d_line, d_col, message in found), found
    data = path.read_bytes()
    last_line = data.count(b"\n") + data.count(b"\r") + 1
    for diagnostic in caught.value.diagnostics:
        assert diagnostic.file == str(path)
        assert 1 <= diagnostic.line <= last_line and diagnostic.column >= 1
        assert "\n" not in diagnostic.format()


def _limited() -> None:
    """In the child: cap its address space so a memory blow-up fails instead of swapping."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate_in_subprocess(paths: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`tabletop validate PATHS` in a child limited to 1 GiB of address space and TIMEOUT seconds."""
    return subprocess.run(
        [sys.executable, "-m", "tabletop", "validate", *map(str, paths)],
        capture_output=True, text=True, cwd=cwd, timeout=TIMEOUT, preexec_fn=_limited,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def assert_only_diagnostics(result: subprocess.CompletedProcess[str], paths: list[Path]) -> None:
    """Exit 1, no traceback, nothing valid, and every stderr line a diagnostic or the summary."""
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "ok  " not in result.stdout
    lines = result.stderr.splitlines()
    assert lines and SUMMARY_LINE.match(lines[-1]), lines[-3:]
    named: set[str] = set()
    for line in lines[:-1]:
        match = DIAGNOSTIC_LINE.match(line)
        assert match, f"not a FILE:LINE:COL line: {line[:300]!r}"
        named.add(match["file"])
    assert named == {str(p) for p in paths}


def test_cli_on_the_whole_corpus_bounded(tmp_path: Path) -> None:
    """One child validates every corpus file: exit 1, FILE:LINE:COL lines only, no object built."""
    paths = sorted(p for p in CORPUS.iterdir() if p.is_file())
    result = validate_in_subprocess([p.relative_to(REPO) for p in paths], REPO)
    assert_only_diagnostics(result, [p.relative_to(REPO) for p in paths])
    assert not Path("/tmp/tabletop-corpus-pwned").exists()


def test_cli_on_monstrous_files_bounded(tmp_path: Path) -> None:
    """Files too large to keep in the repository, generated here, all refused inside the limits."""
    base = (CORPUS.parent / "corpus" / "unknown_top_level_key.yaml").read_text(encoding="utf-8")
    monsters = {
        "over_the_size_limit.yaml": b"# " + b"x" * (MAX_BYTES + 16) + b"\n",
        "eight_megabyte_unclosed_string.yaml": ('title: "' + "lorem ipsum " * 700_000).encode(),
        "eight_megabyte_title.yaml": base.replace("title: Harbour drill", "title: " + "A" * 8_000_000, 1).encode(),
        "million_item_list.yaml": b"id: x\nitems:\n" + b"- a\n" * 1_100_000,
        "half_million_brackets.yaml": b"id: " + b"[" * 500_000 + b"\n",
        "million_dashes.yaml": b"- " * 1_000_000 + b"x\n",
        "hundred_thousand_anchors.yaml": b"".join(b"k%d: &a%d v\n" % (i, i) for i in range(100_000)),
        "twenty_megabytes_latin1.yaml": ("title: caf\u00e9 " * 1_500_000).encode("latin-1"),
    }
    paths = []
    for name, data in monsters.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    result = validate_in_subprocess(paths, tmp_path)
    assert_only_diagnostics(result, paths)
    messages = result.stderr
    assert "at most 64 MiB" in messages
    assert "nested more than 64 levels deep" in messages
    assert "no exercise is this large" in messages


# --- hypothesis: mutations of valid exercises ----------------------------------------------------

YAML_BITS = st.sampled_from([
    ":", ": ", "- ", "  ", "\t", "\n", "'", '"', "[", "]", "{", "}", ",", "&a ", "*a", "*zz", "? ",
    "|", ">", "#", "%", "@", "`", "<<: ", "<<: *a", "~", "!!int ", "!!float ", "!!timestamp ",
    "!!binary ", "!!set ", "!!python/object/apply:os.system ", "!custom ", "---\n", "...\n",
    "\ufeff", "\x00", "\x07", "\r", "\r\n", "\x85", "\u2028", "\u00e9", "\U0001f600", "\\", "\\u",
])
SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70), st.floats(), st.booleans(), st.none(),
    st.text(max_size=20),
    st.sampled_from(["+00:10", "+1d 02:00", "+99:99", "all", "us", "rok", "OBJ-1", "A", "direct",
                     "2030-01-01", "-1", ".inf", ".nan", "0x1F", "0o17", "1_000", "yes", "null"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
KEY_VALUE = re.compile(r"^(\s*(?:- )?[^\s:#][^:#]*:)( .*)?$")


def flow(value: object, ascii_only: bool) -> str:
    """A value as one line of YAML (JSON is flow YAML)."""
    return json.dumps(value, ensure_ascii=ascii_only)


OPERATIONS = st.one_of(
    st.tuples(st.just("delete_char"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, 10**6),
              st.one_of(YAML_BITS, st.text(max_size=6))),
    st.tuples(st.just("duplicate_chars"), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 12)),
    st.tuples(st.just("delete_line"), st.integers(0, 10**6)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 10**6)),
    st.tuples(st.just("swap_lines"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("indent"), st.integers(0, 10**6), st.integers(-6, 6)),
    st.tuples(st.just("replace_value"), st.integers(0, 10**6), VALUES, st.booleans()),
    st.tuples(st.just("swap_values"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("insert_yaml"), st.integers(0, 10**6), st.integers(0, 12), VALUES),
)


def mutate(text: str, operations: list[tuple]) -> str:
    """Apply each operation to the text's lines; positions wrap around what is there."""
    lines = text.split("\n")
    for op in operations:
        kind, at = op[0], op[1] % len(lines)
        line = lines[at]
        if kind == "delete_char" and line:
            pos = op[2] % len(line)
            lines[at] = line[:pos] + line[pos + 1:]
        elif kind == "insert":
            pos = op[2] % (len(line) + 1)
            lines[at] = line[:pos] + op[3] + line[pos:]
        elif kind == "duplicate_chars" and line:
            pos = op[2] % len(line)
            lines[at] = line[:pos] + line[pos:pos + op[3]] * 2 + line[pos + op[3]:]
        elif kind == "delete_line" and len(lines) > 1:
            del lines[at]
        elif kind == "duplicate_line":
            lines.insert(at, line)
        elif kind == "swap_lines":
            other = op[2] % len(lines)
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "indent":
            lines[at] = " " * max(0, len(line) - len(line.lstrip(" ")) + op[2]) + line.lstrip(" ")
        elif kind == "replace_value":
            match = KEY_VALUE.match(line)
            if match:
                lines[at] = f"{match[1]} {flow(op[2], op[3])}"
        elif kind == "swap_values":
            pairs = [i for i, candidate in enumerate(lines) if KEY_VALUE.match(candidate)]
            if len(pairs) >= 2:
                i, j = pairs[op[1] % len(pairs)], pairs[op[2] % len(pairs)]
                a, b = KEY_VALUE.match(lines[i]), KEY_VALUE.match(lines[j])
                assert a and b
                lines[i], lines[j] = f"{a[1]}{b[2] or ''}", f"{b[1]}{a[2] or ''}"
        elif kind == "insert_yaml":
            block = yaml.safe_dump(op[3], allow_unicode=True, default_flow_style=False)
            lines[at:at] = [" " * op[2] + part for part in block.splitlines()]
    return "\n".join(lines)


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(seed=st.sampled_from(SEEDS), operations=st.lists(OPERATIONS, min_size=1, max_size=6))
def test_mutated_exercise_loads_or_points_inside_the_file(seed: str, operations: list[tuple]) -> None:
    check_outcome(mutate(seed, operations))


@settings(max_examples=max(5, EXAMPLES // 4), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 10), operations=st.lists(OPERATIONS, min_size=1, max_size=4))
def test_mutated_bundled_exercise(index: int, operations: list[tuple]) -> None:
    files = sorted(exercises_dir().glob("*.yaml"))
    path = files[index % len(files)]
    check_outcome(mutate(path.read_text(encoding="utf-8"), operations), path.name)


@FUZZ
@given(value=VALUES)
def test_any_yaml_document_loads_or_points_inside_the_file(value: object) -> None:
    check_outcome(yaml.safe_dump(value, allow_unicode=True))


@FUZZ
@given(text=st.lists(st.one_of(YAML_BITS, st.text(max_size=4)), max_size=60).map("".join))
def test_any_text_loads_or_points_inside_the_file(text: str) -> None:
    check_outcome(text)


@FUZZ
@given(seed=st.sampled_from(SEEDS), cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=4)),
                                                  min_size=1, max_size=4))
def test_mutated_bytes_decode_or_point_inside_the_file(seed: str, cuts: list[tuple[int, bytes]]) -> None:
    """Byte-level damage (broken UTF-8, NULs, truncation) as the CLI reads a file."""
    data = bytearray(seed.encode("utf-8"))
    for position, replacement in cuts:
        at = position % (len(data) + 1)
        data[at:at + len(replacement)] = replacement
    try:
        text = decode(bytes(data), "fuzz.yaml")
    except ExerciseError as error:
        for diagnostic in error.diagnostics:
            assert 1 <= diagnostic.line <= data.count(b"\n") + 1 and diagnostic.column >= 1
            assert DIAGNOSTIC_LINE.match(diagnostic.format())
        return
    check_outcome(text)
