"""Untrusted file names from Content-Disposition become safe local names."""

from __future__ import annotations

import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.downloads.filenames import (
    MAX_NAME_CHARS,
    MAX_NAME_UTF8_BYTES,
    safe_filename,
    unique_path,
)

FALLBACK = "as-01-logs.zip"
RESERVED_STEMS = {
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
    *(f"{b}{n}" for b in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")),
}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("EKRAN-AS02-logs-20250312T101502Z.zip", "EKRAN-AS02-logs-20250312T101502Z.zip"),
        ('attachment; filename="EKRAN-AS02-logs.zip"', "EKRAN-AS02-logs.zip"),
        ("attachment; filename=plain.zip", "plain.zip"),
        ("attachment; filename=a.zip; filename*=UTF-8''na%C3%AFve%20logs.zip", "naïve logs.zip"),
        ("filename*=UTF-8''%E6%97%A5%E6%9C%AC.zip", "日本.zip"),
        ("UTF-8''caf%C3%A9.zip", "café.zip"),
        ("../../etc/passwd", "passwd.zip"),
        ("..\\..\\Windows\\System32\\evil.zip", "evil.zip"),
        ("C:\\Users\\Public\\evil.zip", "evil.zip"),
        ("C:evil.zip", "evil.zip"),
        ("/absolute/path/logs.zip", "logs.zip"),
        ("CON.zip", "_CON.zip"),
        ("con", "_con.zip"),
        ("aux.tar.zip", "_aux.tar.zip"),
        ("LPT9.zip", "_LPT9.zip"),
        ("COM¹.zip", "_COM¹.zip"),
        ("CONSOLE.zip", "CONSOLE.zip"),
        ('a<b>c:d"e|f?g*h.zip', "a_b_c_d_e_f_g_h.zip"),
        ("logs\x00\x07\x1f.zip", "logs.zip"),
        ("invoice\u202egpj.zip", "invoicegpj.zip"),
        ("logs.zip. . .", "logs.zip"),
        ("   spaced   name.zip  ", "spaced name.zip"),
        (".hidden.zip", "hidden.zip"),
        ("report.exe", "report.exe.zip"),
        ("LOGS.ZIP", "LOGS.ZIP"),
        ('attachment; filename="..\\\\..\\\\x.zip"', "x.zip"),
    ],
)
def test_known_hostile_and_normal_names(raw: str, expected: str) -> None:
    assert safe_filename(raw, FALLBACK) == expected


@pytest.mark.parametrize("raw", [None, "", "..", ".", " . . ", "/", "\\\\", "\x00"])
def test_nothing_usable_gives_the_fallback(raw: str | None) -> None:
    assert safe_filename(raw, FALLBACK) == FALLBACK


def test_a_hostile_fallback_is_cleaned_too() -> None:
    assert safe_filename(None, "../NUL") == "_NUL.zip"
    assert safe_filename(None, "...") == "download.zip"


def test_long_names_are_cut_but_keep_the_extension() -> None:
    name = safe_filename("x" * 500 + ".zip", FALLBACK)
    assert name.endswith(".zip")
    assert len(name) == MAX_NAME_CHARS
    wide = safe_filename("日" * 300 + ".zip", FALLBACK)
    assert wide.endswith(".zip")
    assert len(wide.encode("utf-8")) <= MAX_NAME_UTF8_BYTES


def test_suffix_can_be_disabled() -> None:
    assert safe_filename("notes.txt", "x", suffix=None) == "notes.txt"


def _assert_safe(name: str) -> None:
    assert name
    assert name not in (".", "..")
    assert len(name) <= MAX_NAME_CHARS
    assert len(name.encode("utf-8")) <= MAX_NAME_UTF8_BYTES
    assert not set(name) & set('<>:"/\\|?*')
    assert all(unicodedata.category(ch)[0] != "C" for ch in name)
    assert name == name.strip(" .")
    assert name.lower().endswith(".zip")
    assert name.split(".", 1)[0].upper() not in RESERVED_STEMS


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=400))
def test_any_text_becomes_a_safe_name(raw: str) -> None:
    _assert_safe(safe_filename(raw, FALLBACK))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["..", ".", "CON", "nul", "C:", "\\", "/", "a", "é", " ", "\u202e", "\x00"]
        ),
        max_size=12,
    ).map("".join),
    st.sampled_from(["", ".zip", ".ZIP", ".exe", ".zip.", ". "]),
)
def test_path_like_text_stays_inside_the_folder(body: str, ext: str) -> None:
    name = safe_filename(f'attachment; filename="{body}{ext}"', FALLBACK)
    _assert_safe(name)
    for folder in (PureWindowsPath("C:/Downloads"), PurePosixPath("/home/u/Downloads")):
        joined = folder / name
        assert joined.parent == folder
        assert joined.name == name


def test_unique_path_never_reuses_a_taken_name(tmp_path: Path) -> None:
    first = unique_path(tmp_path, "logs.zip")
    assert first == tmp_path / "logs.zip"
    first.write_bytes(b"existing")
    second = unique_path(tmp_path, "logs.zip")
    assert second == tmp_path / "logs (1).zip"
    second.write_bytes(b"")
    (tmp_path / "logs (2).zip.part").write_bytes(b"")
    assert unique_path(tmp_path, "logs.zip", also_free=[".part"]) == tmp_path / "logs (3).zip"
    assert unique_path(tmp_path, "logs.zip") == tmp_path / "logs (2).zip"
    assert first.read_bytes() == b"existing"


def test_unique_path_without_extension(tmp_path: Path) -> None:
    (tmp_path / "README").write_text("x")
    assert unique_path(tmp_path, "README") == tmp_path / "README (1)"
