"""The taxonomy file: the default one, a library's own copy, and the one-sentence errors of a broken file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from papergym.assets import DEFAULT_TAXONOMY
from papergym.core.dataset.taxonomy import Keyword, TaxonomyError, load_taxonomy, taxonomy_for_library
from papergym.core.errors import PapergymError

WILDSCI = {
    "Physics": ["Condensed matter physics", "Optics and photonics", "Quantum physics", "Astronomy and astrophysics"],
    "Chemistry": ["Physical chemistry", "Synthetic chemistry", "Catalysis"],
    "Materials Science": ["Nanomaterials", "Energy materials"],
    "Biology": ["Molecular and cell biology", "Genetics and genomics", "Neuroscience", "Ecology and evolution", "Microbiology"],
    "Medicine": ["Clinical medicine", "Immunology and infectious disease", "Oncology"],
    "Earth and Environmental Sciences": ["Climate and atmosphere", "Geoscience", "Environmental science"],
    "Engineering": ["Electrical and electronic engineering", "Mechanical and chemical engineering"],
    "Computer Science": ["Machine learning and artificial intelligence", "Algorithms and computing systems"],
    "Mathematics": ["Applied mathematics and statistics", "Pure mathematics"],
}


def test_the_default_taxonomy_has_wildscis_9_disciplines_and_26_subdomains():
    taxonomy = load_taxonomy()
    assert taxonomy.path == DEFAULT_TAXONOMY
    assert {d.name: [s.name for s in d.subdomains] for d in taxonomy.disciplines} == WILDSCI
    assert len(taxonomy.subdomains()) == 26
    assert taxonomy.discipline_of("Catalysis") == "Chemistry"
    assert taxonomy.discipline_of("Astrology") is None
    shares = taxonomy.target_distribution()
    assert sum(shares.values()) == pytest.approx(1.0)
    assert all(share > 0 for share in shares.values())
    assert sum(taxonomy.subdomain_targets().values()) == pytest.approx(1.0)
    assert taxonomy.subdomain_targets()["Catalysis"] == pytest.approx(shares["Chemistry"] / 3)
    for subdomain in taxonomy.subdomains():
        assert 12 <= len(subdomain.keywords) <= 25, subdomain.name
        assert all(keyword == keyword.lower() for keyword in subdomain.keywords), subdomain.name


def test_keywords_are_stems_unless_short_or_marked_whole_word():
    assert Keyword.parse("superconduct") == Keyword("superconduct", False)
    assert Keyword.parse("dna") == Keyword("dna", True)
    assert Keyword.parse("gene$") == Keyword("gene", True)
    assert Keyword.parse("Thin-Film") == Keyword("thin film", False)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(text)
    return path


GOOD = """
[[discipline]]
name = "Biology"
target = 3

[[discipline.subdomain]]
name = "Enzymology"
keywords = ["enzym"]

[[discipline]]
name = "Physics"
target = 1

[[discipline.subdomain]]
name = "Acoustics"
keywords = []
"""


def test_a_small_custom_taxonomy_normalises_its_targets_and_allows_empty_keywords(tmp_path):
    taxonomy = load_taxonomy(write(tmp_path, GOOD))
    assert taxonomy.target_distribution() == {"Biology": 0.75, "Physics": 0.25}
    assert taxonomy.subdomain_names() == ["Enzymology", "Acoustics"]
    assert taxonomy.subdomains()[1].keywords == []


def test_targets_may_all_be_left_out_for_equal_shares(tmp_path):
    taxonomy = load_taxonomy(write(tmp_path, GOOD.replace("target = 3\n", "").replace("target = 1\n", "")))
    assert taxonomy.target_distribution() == {"Biology": 0.5, "Physics": 0.5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace('name = "Enzymology"\nkeywords', 'name = "Enzymology"\nkeywords ='), "(at line 8, column 12)"),
        ("", "defines no disciplines"),
        ('title = "x"\n', "unknown top-level key 'title'"),
        (GOOD.replace('name = "Physics"', 'label = "Physics"'), "2nd discipline has no name"),
        (GOOD.replace('name = "Acoustics"', 'name = ""'), "1st subdomain of discipline 'Physics' has a name that is not"),
        (GOOD.replace('name = "Acoustics"', 'name = "Enzymology"'), "subdomain 'Enzymology' appears twice"),
        (GOOD.replace("target = 1\n", "target = -0.5\n"), "discipline 'Physics' has a target of -0.5"),
        (GOOD.replace("target = 1\n", 'target = "high"\n'), "discipline 'Physics' has a target that is not a number"),
        (GOOD.replace("target = 1\n", "target = true\n"), "not a number"),
        (GOOD.replace("target = 1\n", "target = nan\n"), "finite"),
        (GOOD.replace("target = 1\n", ""), "discipline 'Physics' has no target while others do"),
        (GOOD.replace("target = 3\n", "target = 0\n").replace("target = 1\n", "target = 0\n"), "every discipline has a target of 0"),
        (GOOD.replace('keywords = ["enzym"]', 'keyword = ["enzym"]'), "unknown key 'keyword'"),
        (GOOD.replace('keywords = ["enzym"]', 'keywords = "enzym"'), "not a list"),
        (GOOD.replace('keywords = ["enzym"]', 'keywords = ["enzym", 3]'), "not a string (3)"),
        (GOOD.replace('keywords = ["enzym"]', 'keywords = ["--"]'), "no letters or digits"),
        ('[[discipline]]\nname = "Biology"\n', "discipline 'Biology' has no subdomains"),
        (
            GOOD + '\n[[discipline]]\nname = "Biology"\n[[discipline.subdomain]]\nname = "Other"\n',
            "discipline 'Biology' is defined twice (again at line 19)",
        ),
        ('discipline = "Biology"\n', "array of tables"),
    ],
)
def test_a_broken_taxonomy_is_one_sentence_naming_the_file_and_the_problem(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    message = str(caught.value)
    assert isinstance(caught.value, PapergymError)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_a_duplicate_subdomain_points_at_the_line_of_the_second_one(tmp_path):
    text = GOOD.replace('name = "Acoustics"', 'name = "Enzymology"')
    path = write(tmp_path, text)
    second = [n for n, line in enumerate(text.splitlines(), 1) if 'name = "Enzymology"' in line][1]
    with pytest.raises(TaxonomyError, match=f"again at line {second}"):
        load_taxonomy(path)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(TaxonomyError, match="no such taxonomy file"):
        load_taxonomy(tmp_path / "nope.toml")


def test_a_library_uses_its_own_copy_and_a_named_file_wins_over_both(library, tmp_path):
    assert taxonomy_for_library(library).path == DEFAULT_TAXONOMY
    own = library.folder / "taxonomy.toml"
    shutil.copyfile(DEFAULT_TAXONOMY, own)
    own.write_text(own.read_text().replace('name = "Catalysis"', 'name = "Catalysis and surface science"'))
    assert taxonomy_for_library(library).path == own
    assert taxonomy_for_library(library).discipline_of("Catalysis and surface science") == "Chemistry"
    named = write(tmp_path, GOOD)
    assert taxonomy_for_library(library, named).subdomain_names() == ["Enzymology", "Acoustics"]
