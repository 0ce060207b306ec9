"""display_text and escape_json_output: server-chosen text never reaches a terminal raw."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.text_safety import BIDI_CONTROLS, ELLIPSIS, display_text, escape_json_output, is_unsafe

HOSTILE_NAME = "ctl\x1b[31mRED\x1b[0m\r\nFAKE line\x07"

# Every code point, surrogates included (a JSON reply can carry a lone "\udc80").
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300)
limits = st.none() | st.integers(min_value=1, max_value=400)


def test_the_reported_name_prints_as_its_escaped_spelling() -> None:
    assert display_text(HOSTILE_NAME) == "ctl\\x1b[31mRED\\x1b[0m\\r\\nFAKE line\\x07"


def test_c1_del_separators_and_surrogates_are_escaped() -> None:
    assert display_text("a\x9b2Jb\x7fc\u2028d\udc80") == "a\\x9b2Jb\\x7fc\\u2028d\\udc80"


def test_a_right_to_left_override_is_neutralised() -> None:
    assert display_text("as\u202eexe.txt") == "as\\u202eexe.txt"
    assert {display_text(ch) for ch in BIDI_CONTROLS} == {
        f"\\u{ord(ch):04x}" for ch in BIDI_CONTROLS
    }


def test_long_text_is_cut_with_an_ellipsis_and_none_keeps_it_whole() -> None:
    long = "x" * 10_000
    assert display_text(long, 20) == "x" * 19 + ELLIPSIS
    assert display_text(long, None) == long


def test_a_cut_never_splits_an_escape() -> None:
    assert display_text("ab\x1bcd", 4) == "ab" + ELLIPSIS
    assert display_text("ab\x1bcd", 7) == "ab\\x1b" + ELLIPSIS


def test_ordinary_names_of_any_script_are_unchanged() -> None:
    for name in ("EKRAN-AS02", "сервер-3", "サーバー", "خادم", "🙂 srv", "e\u0301"):
        assert display_text(name) == name


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        display_text("x", 0)


@given(any_text, limits)
def test_no_unsafe_character_survives_and_the_cap_holds(text: str, limit: int | None) -> None:
    shown = display_text(text, limit)
    assert not any(is_unsafe(ch) for ch in shown)
    if limit is not None:
        assert len(shown) <= limit
    shown.encode("utf-8")  # printable on a UTF-8 terminal: no lone surrogate left


@given(any_text)
def test_uncut_output_is_the_text_with_only_unsafe_characters_spelled_out(text: str) -> None:
    shown = display_text(text, None)
    expected = "".join(
        (f"\\x{ord(ch):02x}" if ord(ch) <= 0xFF else f"\\u{ord(ch):04x}")
        if is_unsafe(ch) and ch not in "\t\n\r"
        else {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(ch, ch)
        for ch in text
    )
    assert shown == expected


@given(any_text, st.integers(min_value=1, max_value=400))
def test_a_cut_result_is_a_prefix_of_the_whole_one(text: str, limit: int) -> None:
    whole = display_text(text, None)
    shown = display_text(text, limit)
    if shown == whole:
        assert len(whole) <= limit
    else:
        assert shown.endswith(ELLIPSIS)
        assert whole.startswith(shown[:-1])


@given(any_text)
def test_json_output_keeps_the_full_value_and_has_no_raw_control(text: str) -> None:
    document = escape_json_output(json.dumps({"name": text}, ensure_ascii=False, indent=2))
    assert json.loads(document) == {"name": text}
    assert not any(is_unsafe(ch) for ch in document if ch not in "\n")
    document.encode("utf-8")
