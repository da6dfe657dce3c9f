"""Classifying papers by topic (model first, keywords as the fallback) and counting the library per topic."""

from __future__ import annotations

import json
import re
import threading

import pytest
from papergym.core.dataset.taxonomy import load_taxonomy
from papergym.core.dataset.topics import (
    MAX_BACKEND_FAILURES_IN_A_ROW,
    PaperText,
    TopicLabel,
    classify_library,
    classify_paper,
    keyword_label,
    keyword_scores,
    label_paper,
    topic_counts,
)
from papergym.core.library import PaperRecord, SectionRecord
from papergym.core.llm.backend import BackendError, Completion, FakeBackend

from tests.conftest import DEMO_PAPERS

TAXONOMY = load_taxonomy()

# expected.json names each demo paper's field in plain words; these are the taxonomy's disciplines.
DEMO_DISCIPLINES = {
    "physics": "Physics",
    "earth science": "Earth and Environmental Sciences",
    "medicine": "Medicine",
    "computer science": "Computer Science",
    "biology": "Biology",
    "chemistry": "Chemistry",
}


class RecordingBackend(FakeBackend):
    """A fake model that also remembers the options of each request."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options: list[dict] = []

    def complete(self, prompt, **options):
        self.options.append(options)
        return super().complete(prompt, **options)

    def chat(self, messages, **options):
        self.options.append(options)
        return super().chat(messages, **options)


def _latex_to_text(latex: str) -> str:
    text = re.sub(r"\\(?:textit|textbf|emph|mathrm)\{([^}]*)\}", r"\1", latex)
    text = re.sub(r"\\[a-zA-Z]+", " ", text)
    return " ".join(re.sub(r"[{}$~^_]", " ", text).split())


# The demo sources set their abstracts in three ways.
_ABSTRACT_PATTERNS = (
    r"\\begin\{abstract\}(.*?)\\end\{abstract\}",
    r"\\textbf\{Abstract\}\\par(.*?)\\end\{minipage\}",
    r"\\newcommand\{\\@abstracttext\}\{%(.*?)\}\s*\\makeatother",
)


def demo_papers() -> list[tuple[str, PaperText, str]]:
    """(file name, title and abstract, expected discipline) of each demo paper, from its LaTeX source."""
    expected = json.loads((DEMO_PAPERS / "expected.json").read_text())
    papers = []
    for name, facts in sorted(expected.items()):
        source = (DEMO_PAPERS / "src" / name.replace(".pdf", ".tex")).read_text()
        abstract = next(match.group(1) for pattern in _ABSTRACT_PATTERNS if (match := re.search(pattern, source, re.S)))
        papers.append((name, PaperText(facts["title"], _latex_to_text(abstract)), DEMO_DISCIPLINES[facts["discipline"]]))
    return papers


THIN_FILM = PaperText(
    title="Phonon scattering and thermal conductivity of thin films",
    abstract="We measure the thermal conductivity of amorphous dielectric thin films.",
    body="Thermoreflectance measurements on the films...",
)


# -- keywords -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "paper", "discipline"), demo_papers(), ids=lambda value: value if isinstance(value, str) else "")
def test_keywords_put_each_demo_paper_in_its_discipline(name, paper, discipline):
    label = keyword_label(paper, TAXONOMY)
    assert label.discipline == discipline, name
    assert label.source == "keyword" and 0 < label.confidence <= 1
    assert TAXONOMY.discipline_of(label.subdomain) == discipline


@pytest.mark.parametrize(("name", "paper", "discipline"), demo_papers(), ids=lambda value: value if isinstance(value, str) else "")
def test_the_title_alone_is_enough_for_each_demo_paper(name, paper, discipline):
    assert keyword_label(PaperText(title=paper.title), TAXONOMY).discipline == discipline


def test_a_title_hit_weighs_more_than_the_same_word_in_the_body():
    in_title = dict(keyword_scores(PaperText(title="Galaxy surveys", body="We report new data on stars"), TAXONOMY))
    in_body = dict(keyword_scores(PaperText(title="New data on stars", body="Galaxy surveys"), TAXONOMY))
    assert in_title["Astronomy and astrophysics"] > in_body["Astronomy and astrophysics"]


def test_scores_are_deterministic_and_ranked_best_first():
    first = keyword_scores(THIN_FILM, TAXONOMY)
    assert first == keyword_scores(THIN_FILM, TAXONOMY)
    assert first[0][0] == "Condensed matter physics"
    assert [score for _, score in first] == sorted((score for _, score in first), reverse=True)


def test_keywords_match_word_starts_and_whole_words_only():
    scores = dict(keyword_scores("superconducting qubits", TAXONOMY))
    assert "Condensed matter physics" in scores and "Quantum physics" in scores
    # "gene$" must not match general or generation; "rna" must not match internal.
    assert "Genetics and genomics" not in dict(keyword_scores("a general internal generation of results", TAXONOMY))
    assert "Genetics and genomics" in dict(keyword_scores("the gene and its RNA", TAXONOMY))
    # Hyphens are spaces: "thin-film" matches the keyword "thin film".
    assert "Condensed matter physics" in dict(keyword_scores("thin-film", TAXONOMY))


def test_a_paper_with_too_little_evidence_stays_unclassified_instead_of_getting_a_guess():
    assert keyword_label(PaperText(title="Notes on a meeting", body="We met on Tuesday."), TAXONOMY) == TopicLabel(
        None, None, "keyword", 0.0
    )
    # One passing mention in the body is not enough either.
    assert keyword_label(PaperText(title="Notes", body="the galaxy"), TAXONOMY).discipline is None
    assert keyword_label(PaperText(title="A galaxy"), TAXONOMY).discipline == "Physics"


# -- the model ----------------------------------------------------------------------


def test_the_models_pick_is_used_and_the_request_is_constrained_to_the_taxonomy():
    backend = RecordingBackend(['{"subdomain": "Catalysis"}'])
    label = classify_paper(THIN_FILM, TAXONOMY, backend)
    assert label == TopicLabel("Chemistry", "Catalysis", "llm", None)
    options = backend.options[0]
    assert options["temperature"] == 0 and options["max_tokens"] == 40
    assert options["json_schema"]["properties"]["subdomain"]["enum"] == TAXONOMY.subdomain_names()
    prompt = backend.prompts[0]
    assert THIN_FILM.title in prompt and "Thermoreflectance" in prompt
    assert prompt.rstrip().endswith("JSON:")  # a completion prompt for a base model
    assert "Clinical medicine" in prompt and "Pure mathematics" in prompt


def test_an_instruct_model_is_asked_with_chat_messages():
    backend = RecordingBackend(['{"subdomain": "Quantum physics"}'], supports_chat=True)
    assert classify_paper(THIN_FILM, TAXONOMY, backend).subdomain == "Quantum physics"
    assert backend.prompts[0].startswith("system: ") and "\nuser: Title: " + THIN_FILM.title in backend.prompts[0]


def test_a_reply_that_differs_only_in_case_and_spacing_is_accepted():
    label = classify_paper(THIN_FILM, TAXONOMY, FakeBackend(['{"subdomain": "  condensed MATTER   physics"}']))
    assert (label.subdomain, label.source) == ("Condensed matter physics", "llm")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Condensed matter physics", "no JSON object"),
        ('{"subdomain": "Astrology"}', "'Astrology' is not a subdomain"),
        ('{"topic": "Catalysis"}', "no 'subdomain' string"),
        ('{"subdomain": ["Catalysis"]}', "no 'subdomain' string"),
        ('{"subdomain": "Cata', "not valid JSON"),
        (Completion('{"subdomain": "Catalysis"', finish_reason="length"), "did not finish"),
        (BackendError("the server at http://localhost:8080 refused the connection"), "the model failed: the server"),
    ],
)
def test_an_unusable_answer_falls_back_to_keywords_and_says_why(reply, reason):
    label = classify_paper(THIN_FILM, TAXONOMY, FakeBackend([reply]))
    assert (label.discipline, label.subdomain, label.source) == ("Physics", "Condensed matter physics", "keyword")
    assert reason in label.fallback_reason


def test_a_failed_model_and_no_keywords_leaves_the_paper_unclassified():
    label = classify_paper(PaperText(title="Minutes of the annual meeting"), TAXONOMY, FakeBackend([BackendError("down")]))
    assert label.discipline is None and label.subdomain is None


def test_a_long_paper_is_shortened_to_fit_a_small_context():
    paper = PaperText(title="Galaxies", abstract="stars " * 2000, body="dust " * 5000)
    backend = RecordingBackend(['{"subdomain": "Astronomy and astrophysics"}'], context_length=1024)
    assert classify_paper(paper, TAXONOMY, backend).source == "llm"
    assert backend.count_tokens(backend.prompts[0]) <= 1024 - 40
    tiny = FakeBackend(['{"subdomain": "Astronomy and astrophysics"}'], context_length=64)
    label = classify_paper(paper, TAXONOMY, tiny)
    assert label.source == "keyword" and "does not fit" in label.fallback_reason
    assert tiny.prompts == []  # never sent


# -- the library --------------------------------------------------------------------


def add_paper(library, paper_id: str, title: str, abstract: str = "", body: str = "", status: str = "ok") -> str:
    sections = [SectionRecord("abstract", "Abstract", abstract)] if abstract else []
    sections += [SectionRecord("results", "Results", body), SectionRecord("other", "References", "Galaxy Journal 12 (2001)")]
    library.add_paper(
        PaperRecord(
            id=paper_id,
            status=status,
            filename=f"{paper_id}.pdf",
            source_path=f"/x/{paper_id}.pdf",
            size_bytes=1,
            title=title,
            abstract=abstract,
            sections=sections,
        ),
        stored_path=None,
    )
    return paper_id


def add_question(
    library,
    question_id: str,
    paper_id: str | None,
    status: str = "draft",
    source: str | None = None,
    discipline: str | None = None,
    subdomain: str | None = None,
) -> None:
    with library.write() as db:
        db["questions"].insert(
            {
                "id": question_id,
                "paper_id": paper_id,
                "kind": "mcq",
                "question": "What is it?",
                "status": status,
                "source": source,
                "discipline": discipline,
                "subdomain": subdomain,
            }
        )


@pytest.fixture
def stocked(library):
    """Three readable papers, one failed file, and questions of several statuses and sources."""
    add_paper(library, "a" * 64, "Phonon transport in amorphous thin films", "Thermal conductivity of dielectric films.")
    add_paper(
        library,
        "b" * 64,
        "A randomised controlled trial of early mobilisation after hip fracture surgery",
        "Patients in hospital after surgery.",
    )
    add_paper(library, "c" * 64, "Minutes of the annual meeting", "", "We met and talked.")
    add_paper(library, "d" * 64, "Broken", status="failed")
    add_question(library, "q1", "a" * 64, "accepted")
    add_question(library, "q2", "a" * 64, "passed")
    add_question(library, "q3", "b" * 64, "accepted")
    add_question(library, "q4", "b" * 64, "rejected")
    add_question(library, "q5", "a" * 64, "accepted", source="imported", discipline="Biology", subdomain="Neuroscience")
    return library


def labels(library) -> dict[str, tuple]:
    return {
        row["id"][0]: (row["discipline"], row["subdomain"], row["topic_source"])
        for row in library.query("SELECT id, discipline, subdomain, topic_source FROM papers")
    }


def question_labels(library) -> dict[str, tuple]:
    return {row["id"]: (row["discipline"], row["subdomain"]) for row in library.query("SELECT id, discipline, subdomain FROM questions")}


def test_classifying_a_library_labels_readable_papers_and_their_questions(stocked):
    progress = []
    report = classify_library(stocked, TAXONOMY, on_progress=lambda done, total: progress.append((done, total)))
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert report.papers_total == report.papers_done == 3
    assert report.by_source == {"keyword": 2, "unclassified": 1}
    assert labels(stocked) == {
        "a": ("Physics", "Condensed matter physics", "keyword"),
        "b": ("Medicine", "Clinical medicine", "keyword"),
        "c": (None, None, "keyword"),
        "d": (None, None, None),  # a file that failed to import is not classified
    }
    assert question_labels(stocked) == {
        "q1": ("Physics", "Condensed matter physics"),
        "q2": ("Physics", "Condensed matter physics"),
        "q3": ("Medicine", "Clinical medicine"),
        "q4": ("Medicine", "Clinical medicine"),
        "q5": ("Biology", "Neuroscience"),  # imported: keeps its own label
    }
    assert report.questions_labelled == 4


def test_a_second_run_only_retries_the_unclassified_and_force_redoes_all_but_manual_labels(stocked):
    classify_library(stocked, TAXONOMY)
    again = classify_library(stocked, TAXONOMY, FakeBackend(['{"subdomain": "Catalysis"}']))
    assert again.papers_total == 1  # only the unclassified paper
    assert labels(stocked)["c"] == ("Chemistry", "Catalysis", "llm")
    label_paper(stocked, "a" * 64, TopicLabel("Physics", "Optics and photonics", "manual"))
    forced = classify_library(stocked, TAXONOMY, force=True)
    assert forced.papers_total == 2
    assert labels(stocked)["a"] == ("Physics", "Optics and photonics", "manual")
    assert labels(stocked)["c"] == (None, None, "keyword")
    assert question_labels(stocked)["q1"] == ("Physics", "Optics and photonics")


def test_classification_can_be_limited_to_some_papers_by_id_prefix(stocked):
    report = classify_library(stocked, TAXONOMY, paper_ids=["bbbb"])
    assert report.papers_total == 1 and labels(stocked)["b"][0] == "Medicine" and labels(stocked)["a"][0] is None


def test_a_cancelled_run_keeps_what_it_finished_and_the_next_run_resumes(stocked):
    cancel = threading.Event()
    first = classify_library(stocked, TAXONOMY, on_progress=lambda done, total: cancel.set(), cancel=cancel)
    assert first.cancelled and first.papers_done == 1
    assert sum(label[0] is not None for label in labels(stocked).values()) == 1
    second = classify_library(stocked, TAXONOMY)
    assert second.papers_total == 2 and not second.cancelled
    assert labels(stocked)["b"][0] == "Medicine" and labels(stocked)["a"][0] == "Physics"


def test_a_model_that_keeps_failing_is_dropped_for_the_rest_of_the_run(library):
    for number in range(6):
        add_paper(library, f"{number}" * 64, f"Galaxy survey number {number}")
    backend = FakeBackend([BackendError("connection refused")] * 10)
    report = classify_library(library, TAXONOMY, backend)
    assert len(backend.prompts) == MAX_BACKEND_FAILURES_IN_A_ROW
    assert "connection refused" in report.model_dropped
    assert report.by_source == {"keyword": 6}
    assert report.fallback_reasons["the model failed: connection refused"] == MAX_BACKEND_FAILURES_IN_A_ROW


def test_questions_written_after_their_paper_was_classified_get_its_label(stocked):
    classify_library(stocked, TAXONOMY)
    add_question(stocked, "q6", "a" * 64, "accepted")
    assert topic_counts(stocked, TAXONOMY).row("Physics").accepted_questions == 2  # counted before it is stored
    report = classify_library(stocked, TAXONOMY)
    assert report.questions_labelled == 1
    assert question_labels(stocked)["q6"] == ("Physics", "Condensed matter physics")


def test_the_topic_table_counts_papers_and_questions_against_the_target(stocked):
    before = topic_counts(stocked, TAXONOMY)
    assert before.papers == 3 and before.row("Unclassified").papers == 3
    classify_library(stocked, TAXONOMY)
    table = topic_counts(stocked, TAXONOMY)
    assert (table.papers, table.accepted_questions, table.usable_questions) == (3, 3, 4)
    physics, condensed = table.row("Physics", "discipline"), table.row("Condensed matter physics")
    assert (physics.papers, physics.accepted_questions, physics.usable_questions) == (1, 1, 2)
    assert (condensed.papers, condensed.accepted_questions, condensed.level, condensed.discipline) == (1, 1, "subdomain", "Physics")
    assert physics.paper_share == pytest.approx(1 / 3) and physics.accepted_share == pytest.approx(1 / 3)
    assert physics.target_share == pytest.approx(TAXONOMY.target_distribution()["Physics"])
    assert condensed.target_share == pytest.approx(physics.target_share / 4)
    medicine = table.row("Medicine")
    assert (medicine.papers, medicine.accepted_questions, medicine.usable_questions) == (1, 1, 1)  # rejected q4 is not usable
    neuroscience = table.row("Neuroscience")
    assert (neuroscience.papers, neuroscience.accepted_questions) == (0, 1)  # the imported question
    unclassified = table.row("Unclassified")
    assert (unclassified.papers, unclassified.target_share) == (1, None)
    assert [row.name for row in table.rows][:2] == ["Physics", "Condensed matter physics"]
    assert table.rows[-1].name == "Unclassified"
    assert json.loads(json.dumps(table.as_dict()))["rows"][0]["name"] == "Physics"


def test_an_imported_question_without_a_label_stays_unclassified_even_under_a_labelled_paper(stocked):
    classify_library(stocked, TAXONOMY)
    add_question(stocked, "q7", "a" * 64, "accepted", source="imported")
    classify_library(stocked, TAXONOMY)
    assert question_labels(stocked)["q7"] == (None, None)
    table = topic_counts(stocked, TAXONOMY)
    assert table.row("Unclassified").accepted_questions == 1 and table.row("Physics").accepted_questions == 1


def test_labels_the_taxonomy_no_longer_has_are_counted_apart(stocked, tmp_path):
    classify_library(stocked, TAXONOMY)
    label_paper(stocked, "b" * 64, TopicLabel("Veterinary science", "Equine medicine", "manual"))
    table = topic_counts(stocked, TAXONOMY)
    other = table.row("Not in this taxonomy")
    assert (other.papers, other.accepted_questions) == (1, 1)
    assert table.row("Medicine").papers == 0
    assert sum(row.papers for row in table.rows if row.level != "subdomain") == table.papers == 3
