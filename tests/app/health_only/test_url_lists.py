"""Pasted and imported lists of Management Tool URLs."""

from __future__ import annotations

import pytest

from app.health_only.url_lists import MAX_LIST_CHARS, parse_url_list


def test_one_per_line_with_the_usual_rules() -> None:
    parsed = parse_url_list("mt01.corp.local\nhttps://mt02.corp.local/MyMonitoringSystem/\n\n")
    assert parsed.urls == (
        "https://mt01.corp.local/EkranSystem",
        "https://mt02.corp.local/MyMonitoringSystem",
    )


def test_separators_duplicates_and_words_that_are_not_addresses() -> None:
    parsed = parse_url_list("mt01.corp.local, mt02.corp.local;MT01.corp.local\tservers here")
    assert parsed.urls == (
        "https://mt01.corp.local/EkranSystem",
        "https://mt02.corp.local/EkranSystem",
    )
    assert parsed.skipped == ("servers", "here")


def test_a_csv_with_a_url_column_reads_only_that_column() -> None:
    text = (
        'Name,URL,Notes\nAS01,"https://as01.corp.local/EkranSystem",first\nAS02,as02:8443,"b, c"\n'
    )
    parsed = parse_url_list(text)
    assert parsed.urls == ("https://as01.corp.local/EkranSystem", "https://as02:8443/EkranSystem")


def test_unusable_urls_are_listed() -> None:
    parsed = parse_url_list("ftp://mt01.corp.local\nhttp://mt02.corp.local")
    assert parsed.urls == ()
    assert parsed.skipped == ("ftp://mt01.corp.local", "http://mt02.corp.local")


def test_a_huge_text_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        parse_url_list("a" * (MAX_LIST_CHARS + 1))
