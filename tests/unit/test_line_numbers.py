"""Margin line numbers of submitted manuscripts come off; numbers that end ordinary lines stay."""

from papergym.core.ingest.clean import clean_pages
from papergym.core.ingest.line_numbers import strip_line_numbers
from papergym.core.ingest.metadata import from_first_page

NUMBERED_PAGE = [
    "Ramping-up hippocampal ripples and their neocortical coupling support human visual 1",
    "short-term memory 2",
    "Jing Liu1,2#, Xianhui He3,4#, Can Yang3, Nikolai Axmacher5, 3",
    "Shaoming Zhang8,9, Ying Cai3,10* 4",
    "1. Philosophy and Social Science Laboratory of Reading, Guangzhou, China 5",
    "6",
    "Abstract 7",
    "Visual short-term memory holds information for a few seconds. 8",
]


def test_a_run_of_numbers_going_up_by_one_is_taken_off():
    assert strip_line_numbers(NUMBERED_PAGE) == [
        "Ramping-up hippocampal ripples and their neocortical coupling support human visual",
        "short-term memory",
        "Jing Liu1,2#, Xianhui He3,4#, Can Yang3, Nikolai Axmacher5,",
        "Shaoming Zhang8,9, Ying Cai3,10*",
        "1. Philosophy and Social Science Laboratory of Reading, Guangzhou, China",
        "Abstract",
        "Visual short-term memory holds information for a few seconds.",
    ]


def test_numbers_that_end_ordinary_lines_stay():
    lines = ["The sample held 12", "grains of 40", "microns and 7", "more in 2019", "then 3", "Table 2"]
    assert strip_line_numbers(lines) == lines


def test_a_numbered_manuscripts_title_and_authors_come_out_clean():
    metadata = from_first_page("\n".join(NUMBERED_PAGE))
    assert metadata.title == "Ramping-up hippocampal ripples and their neocortical coupling support human visual short-term memory"
    assert metadata.authors[:2] == ["Jing Liu", "Xianhui He"]


def test_body_text_loses_its_line_numbers():
    page = "\n".join(f"line {word} of the methods section {number}" for number, word in enumerate("abcdefgh", start=20))
    assert "section 2" not in clean_pages([page]) and "line a of the methods section\n" in clean_pages([page])
