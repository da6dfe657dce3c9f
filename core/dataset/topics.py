"""Which discipline and subdomain each paper belongs to, and how the library's topics compare to the target.

A model, when one is given, picks the subdomain from the taxonomy's list (a
JSON enum, so a grammar-constrained backend can only answer with a real name).
Without a model, or when its answer is unusable, keywords decide; a paper with
too little keyword evidence stays unclassified rather than getting a guess.
Questions inherit their paper's label, except those imported from another
dataset, which keep their own.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from papergym.core.dataset.taxonomy import Taxonomy, normalize_text
from papergym.core.library import Library
from papergym.core.llm.backend import Backend, BackendError, Message
from papergym.core.questions.kinds import InvalidReply, parse_json_object

# Field weights of keyword hits: a title names the topic more surely than a passing mention in the body.
TITLE_WEIGHT = 3.0
ABSTRACT_WEIGHT = 2.0
BODY_WEIGHT = 1.0
BODY_CHARS = 20_000
# The best subdomain needs this much weighted evidence (one title hit, one abstract hit, or two body hits).
MIN_KEYWORD_EVIDENCE = 2.0
# What the model sees of a paper.
PROMPT_ABSTRACT_CHARS = 2_000
PROMPT_EXCERPT_CHARS = 1_500
LLM_MAX_TOKENS = 40
# After this many backend failures in a row, a run stops asking the model (a server that is down).
MAX_BACKEND_FAILURES_IN_A_ROW = 3
USABLE_STATUSES = ("passed", "flagged", "accepted")
# Sections that say little about the topic and much about other papers.
_SKIPPED_HEADINGS = (
    "reference",
    "bibliograph",
    "acknowledg",
    "funding",
    "author contribution",
    "competing interest",
    "conflict of interest",
    "conflicts of interest",
    "data availability",
)


@dataclass
class PaperText:
    """The parts of a paper that classification reads."""

    title: str = ""
    abstract: str = ""
    body: str = ""


@dataclass
class TopicLabel:
    """A paper's topic: discipline None means unclassified.

    confidence is the best subdomain's share of all keyword scores for a keyword
    label, 0 for an unclassified paper, and None for a model's label (it is not measured).
    """

    discipline: str | None
    subdomain: str | None
    source: str  # llm | keyword | manual
    confidence: float | None = None
    fallback_reason: str | None = None  # why the model's answer was not used, when it was asked


# -- keywords ----------------------------------------------------------------------


def _as_paper_text(text: PaperText | str) -> PaperText:
    return text if isinstance(text, PaperText) else PaperText(body=text)


def _keyword_evidence(text: PaperText, taxonomy: Taxonomy) -> dict[str, tuple[float, float]]:
    """Per subdomain with any hit: (score, weighted hit count)."""
    fields = []
    for raw, weight in ((text.title, TITLE_WEIGHT), (text.abstract, ABSTRACT_WEIGHT), (text.body[:BODY_CHARS], BODY_WEIGHT)):
        normalized = normalize_text(raw or "")
        if normalized:
            # Padding with spaces turns "starts a word" into a plain substring test.
            fields.append((f" {normalized} ", weight, math.sqrt(normalized.count(" ") + 1)))
    evidence = {}
    for subdomain in taxonomy.subdomains():
        score = hits = 0.0
        for padded, weight, length_norm in fields:
            for keyword in subdomain.matchers:
                count = padded.count(f" {keyword.text} " if keyword.whole_word else f" {keyword.text}")
                if count:
                    # Diminishing returns: many different keywords say more than one word repeated.
                    score += weight * (1.0 + math.log(count)) / length_norm
                    hits += weight * count
        if score > 0:
            evidence[subdomain.name] = (score, hits)
    return evidence


def _ranked(evidence: dict[str, tuple[float, float]], taxonomy: Taxonomy) -> list[tuple[str, float]]:
    order = {name: position for position, name in enumerate(taxonomy.subdomain_names())}
    return sorted(((name, score) for name, (score, _) in evidence.items()), key=lambda item: (-item[1], order[item[0]]))


def keyword_scores(text: PaperText | str, taxonomy: Taxonomy) -> list[tuple[str, float]]:
    """Subdomains whose keywords occur in the text, best first (ties in taxonomy order); a plain string counts as body text."""
    return _ranked(_keyword_evidence(_as_paper_text(text), taxonomy), taxonomy)


def keyword_label(text: PaperText | str, taxonomy: Taxonomy) -> TopicLabel:
    """The keyword classifier on its own: the best-scoring subdomain, or unclassified on too little evidence."""
    evidence = _keyword_evidence(_as_paper_text(text), taxonomy)
    ranked = _ranked(evidence, taxonomy)
    if not ranked or evidence[ranked[0][0]][1] < MIN_KEYWORD_EVIDENCE:
        return TopicLabel(None, None, "keyword", 0.0)
    best, best_score = ranked[0]
    confidence = best_score / sum(score for _, score in ranked)
    return TopicLabel(taxonomy.discipline_of(best), best, "keyword", round(confidence, 3))


# -- the model ---------------------------------------------------------------------

# Made-up examples for base models; only those whose subdomain the taxonomy has are shown.
_EXAMPLES = (
    (
        "Kerr frequency combs in silicon nitride microresonators pumped at 1550 nm",
        "We demonstrate soliton microcombs with 100 GHz line spacing in high-Q silicon nitride ring resonators and "
        "characterise their threshold power and spectral bandwidth.",
        "Optics and photonics",
    ),
    (
        "Pathological complete response after neoadjuvant chemotherapy in triple-negative breast cancer",
        "In a retrospective cohort of 412 women, complete response was associated with longer event-free survival "
        "independent of tumour stage.",
        "Oncology",
    ),
    (
        "Pollinator visitation networks along an urbanisation gradient",
        "Across 36 sites, bee species richness declined with impervious surface cover, while network nestedness remained stable.",
        "Ecology and evolution",
    ),
)


def subdomain_schema(taxonomy: Taxonomy) -> dict:
    return {
        "type": "object",
        "properties": {"subdomain": {"type": "string", "enum": taxonomy.subdomain_names()}},
        "required": ["subdomain"],
        "additionalProperties": False,
    }


def _topic_list(taxonomy: Taxonomy) -> str:
    return "\n".join(
        f"{discipline.name}: {'; '.join(subdomain.name for subdomain in discipline.subdomains)}" for discipline in taxonomy.disciplines
    )


def _paper_block(title: str, abstract: str, excerpt: str) -> str:
    lines = [f"Title: {' '.join(title.split()) or '(untitled)'}"]
    if abstract:
        lines.append(f"Abstract: {' '.join(abstract.split())}")
    if excerpt:
        lines.append(f"Excerpt: {' '.join(excerpt.split())}")
    return "\n".join(lines)


def _instructions(taxonomy: Taxonomy) -> str:
    return (
        "Each scientific paper is assigned the one subdomain that best fits its main contribution, "
        "chosen from this list (discipline: subdomains):\n" + _topic_list(taxonomy)
    )


def completion_prompt(taxonomy: Taxonomy, title: str, abstract: str, excerpt: str) -> str:
    """A few-shot prompt for a base model: the list, worked examples, then the paper."""
    parts = [_instructions(taxonomy), ""]
    names = set(taxonomy.subdomain_names())
    for example_title, example_abstract, example_subdomain in _EXAMPLES:
        if example_subdomain in names:
            parts += [_paper_block(example_title, example_abstract, ""), f'JSON: {{"subdomain": "{example_subdomain}"}}', "###"]
    parts += [_paper_block(title, abstract, excerpt), "JSON: "]
    return "\n".join(parts)


def chat_messages(taxonomy: Taxonomy, title: str, abstract: str, excerpt: str) -> list[Message]:
    """The same request for an instruct model."""
    system = (
        _instructions(taxonomy) + '\n\nReply with the JSON object {"subdomain": "<name>"} only, using a subdomain name exactly as listed.'
    )
    return [Message("system", system), Message("user", _paper_block(title, abstract, excerpt))]


def _fitted_request(backend: Backend, taxonomy: Taxonomy, paper: PaperText) -> str | list[Message]:
    """The prompt, with the excerpt and then the abstract shortened until it fits the model's context."""
    abstract = (paper.abstract or "")[:PROMPT_ABSTRACT_CHARS]
    excerpt = (paper.body or "")[:PROMPT_EXCERPT_CHARS]
    budget = backend.context_length - LLM_MAX_TOKENS - 16
    request: str | list[Message]
    while True:
        if backend.supports_chat:
            request = chat_messages(taxonomy, paper.title or "", abstract, excerpt)
            tokens = sum(backend.count_tokens(message.content) + 8 for message in request)
        else:
            request = completion_prompt(taxonomy, paper.title or "", abstract, excerpt)
            tokens = backend.count_tokens(request)
        if tokens <= budget:
            return request
        if excerpt:
            excerpt = excerpt[: len(excerpt) // 2] if len(excerpt) > 200 else ""
        elif abstract:
            abstract = abstract[: len(abstract) // 2] if len(abstract) > 200 else ""
        else:
            raise InvalidReply(f"the topic list alone does not fit the model's context of {backend.context_length} tokens")


def _ask_model(backend: Backend, taxonomy: Taxonomy, paper: PaperText) -> str:
    """The subdomain the model picks; raises BackendError or InvalidReply."""
    request = _fitted_request(backend, taxonomy, paper)
    schema = subdomain_schema(taxonomy)
    if isinstance(request, list):
        completion = backend.chat(request, max_tokens=LLM_MAX_TOKENS, temperature=0, json_schema=schema)
    else:
        completion = backend.complete(request, max_tokens=LLM_MAX_TOKENS, temperature=0, stop=["###"], json_schema=schema)
    if completion.finish_reason == "length":
        raise InvalidReply(f"the reply did not finish within {LLM_MAX_TOKENS} tokens")
    reply = parse_json_object(completion.text)
    answer = reply.get("subdomain")
    if not isinstance(answer, str):
        raise InvalidReply("the reply has no 'subdomain' string")
    by_normalized = {normalize_text(name): name for name in taxonomy.subdomain_names()}
    if normalize_text(answer) not in by_normalized:
        raise InvalidReply(f"{answer[:60]!r} is not a subdomain of the taxonomy")
    return by_normalized[normalize_text(answer)]


def _classify(paper: PaperText, taxonomy: Taxonomy, backend: Backend | None) -> tuple[TopicLabel, bool]:
    """The label, and whether the backend itself failed (as opposed to answering badly)."""
    if backend is None:
        return keyword_label(paper, taxonomy), False
    try:
        subdomain = _ask_model(backend, taxonomy, paper)
    except BackendError as error:
        label = keyword_label(paper, taxonomy)
        label.fallback_reason = f"the model failed: {error}"
        return label, True
    except InvalidReply as error:
        label = keyword_label(paper, taxonomy)
        label.fallback_reason = str(error)
        return label, False
    return TopicLabel(taxonomy.discipline_of(subdomain), subdomain, "llm", None), False


def classify_paper(paper: PaperText | str, taxonomy: Taxonomy, backend: Backend | None = None) -> TopicLabel:
    """A paper's topic: the model's pick when a backend is given and answers well, else keywords."""
    return _classify(_as_paper_text(paper), taxonomy, backend)[0]


# -- the library -------------------------------------------------------------------


def paper_text(library: Library, paper_id: str) -> PaperText:
    """A paper's title, abstract and body (without references and acknowledgements)."""
    rows = library.query("SELECT title, abstract FROM papers WHERE id = ?", [paper_id])
    if not rows:
        return PaperText()
    body_parts, length = [], 0
    for section in library.sections(paper_id):
        heading = (section["heading"] or "").casefold()
        if section["kind"] == "abstract" or heading.startswith(_SKIPPED_HEADINGS):
            continue
        body_parts.append(section["text"] or "")
        length += len(body_parts[-1])
        if length >= BODY_CHARS:
            break
    return PaperText(rows[0]["title"] or "", rows[0]["abstract"] or "", "\n\n".join(body_parts))


def label_paper(library: Library, paper_id: str, label: TopicLabel) -> int:
    """Store a paper's label and give it to the paper's own questions; returns how many questions changed."""
    with library.write() as db:
        db.execute(
            "UPDATE papers SET discipline = ?, subdomain = ?, topic_source = ? WHERE id = ?",
            [label.discipline, label.subdomain, label.source, paper_id],
        )
        cursor = db.execute(
            "UPDATE questions SET discipline = ?, subdomain = ? WHERE paper_id = ? AND (source IS NULL OR source != 'imported')",
            [label.discipline, label.subdomain, paper_id],
        )
        return cursor.rowcount


def paper_disciplines(library: Library) -> dict[str, str]:
    """Each labelled paper's discipline, by paper id (papers not yet classified are left out)."""
    return {row["id"]: row["discipline"] for row in library.query("SELECT id, discipline FROM papers WHERE discipline IS NOT NULL")}


def _inherit_labels(library: Library) -> int:
    """Label questions written after their paper was classified; returns how many."""
    with library.write() as db:
        cursor = db.execute(
            """
            UPDATE questions
            SET discipline = (SELECT discipline FROM papers WHERE papers.id = questions.paper_id),
                subdomain = (SELECT subdomain FROM papers WHERE papers.id = questions.paper_id)
            WHERE discipline IS NULL AND (source IS NULL OR source != 'imported')
              AND paper_id IN (SELECT id FROM papers WHERE discipline IS NOT NULL)
            """
        )
        return cursor.rowcount


@dataclass
class ClassifyReport:
    """What a classification run did."""

    papers_total: int = 0  # papers this run set out to classify
    papers_done: int = 0
    by_source: Counter = field(default_factory=Counter)  # llm | keyword | unclassified
    fallback_reasons: Counter = field(default_factory=Counter)  # why the model's answer was not used
    model_dropped: str | None = None  # why the run stopped asking the model
    questions_labelled: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    labels: dict[str, TopicLabel] = field(default_factory=dict)  # paper id -> label

    def as_dict(self) -> dict:
        return {
            "papers_total": self.papers_total,
            "papers_done": self.papers_done,
            "by_source": dict(self.by_source),
            "fallback_reasons": dict(self.fallback_reasons),
            "model_dropped": self.model_dropped,
            "questions_labelled": self.questions_labelled,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 3),
            "labels": {paper_id: asdict(label) for paper_id, label in self.labels.items()},
        }


def papers_to_classify(library: Library, *, paper_ids: list[str] | None = None, force: bool = False) -> list[str]:
    """Readable papers without a label (every one with force); a label set by hand is never replaced."""
    clauses = ["status = 'ok'", "(topic_source IS NULL OR topic_source != 'manual')"]
    params: list = []
    if not force:
        clauses.append("discipline IS NULL")
    if paper_ids is not None:
        resolved = list(dict.fromkeys(library.resolve_id(identifier) for identifier in paper_ids))
        if not resolved:
            return []
        clauses.append(f"id IN ({','.join('?' * len(resolved))})")
        params += resolved
    rows = library.query(f"SELECT id FROM papers WHERE {' AND '.join(clauses)} ORDER BY imported_at, id", params)
    return [row["id"] for row in rows]


def classify_library(
    library: Library,
    taxonomy: Taxonomy,
    backend: Backend | None = None,
    *,
    paper_ids: list[str] | None = None,
    force: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ClassifyReport:
    """Label the papers that need it, one committed transaction each, so a stopped run resumes where it was."""
    started = time.monotonic()
    report = ClassifyReport()
    report.questions_labelled += _inherit_labels(library)
    todo = papers_to_classify(library, paper_ids=paper_ids, force=force)
    report.papers_total = len(todo)
    failures_in_a_row = 0
    for paper_id in todo:
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        label, backend_failed = _classify(paper_text(library, paper_id), taxonomy, backend)
        failures_in_a_row = failures_in_a_row + 1 if backend_failed else 0
        if backend is not None and failures_in_a_row >= MAX_BACKEND_FAILURES_IN_A_ROW:
            report.model_dropped = f"the model failed {failures_in_a_row} times in a row ({label.fallback_reason})"
            backend = None
        if label.fallback_reason:
            report.fallback_reasons[label.fallback_reason] += 1
        report.questions_labelled += label_paper(library, paper_id, label)
        report.labels[paper_id] = label
        report.by_source["unclassified" if label.discipline is None else label.source] += 1
        report.papers_done += 1
        if on_progress is not None:
            on_progress(report.papers_done, report.papers_total)
    report.seconds = time.monotonic() - started
    return report


# -- counts ------------------------------------------------------------------------

UNCLASSIFIED = "Unclassified"
NOT_IN_TAXONOMY = "Not in this taxonomy"


@dataclass
class TopicRow:
    """One line of the topic table."""

    name: str
    level: str  # discipline | subdomain | unclassified | other
    discipline: str | None  # for a subdomain row, its discipline
    papers: int = 0
    accepted_questions: int = 0
    usable_questions: int = 0  # passed, flagged or accepted
    target_share: float | None = None
    paper_share: float = 0.0
    accepted_share: float = 0.0
    usable_share: float = 0.0


@dataclass
class TopicTable:
    """Papers and questions per discipline and subdomain, next to the target distribution."""

    rows: list[TopicRow]
    papers: int
    accepted_questions: int
    usable_questions: int
    taxonomy_path: str | None

    def row(self, name: str, level: str | None = None) -> TopicRow:
        """The first row with this name (and level, when given)."""
        return next(row for row in self.rows if row.name == name and level in (None, row.level))

    def as_dict(self) -> dict:
        return {
            "papers": self.papers,
            "accepted_questions": self.accepted_questions,
            "usable_questions": self.usable_questions,
            "taxonomy": self.taxonomy_path,
            "rows": [asdict(row) for row in self.rows],
        }


def topic_counts(library: Library, taxonomy: Taxonomy) -> TopicTable:
    """Count readable papers and usable questions under each label of the taxonomy."""
    discipline_targets = taxonomy.target_distribution()
    subdomain_targets = taxonomy.subdomain_targets()
    discipline_rows: dict[str, TopicRow] = {}
    subdomain_rows: dict[str, TopicRow] = {}
    table_rows: list[TopicRow] = []
    for discipline in taxonomy.disciplines:
        row = TopicRow(discipline.name, "discipline", discipline.name, target_share=discipline_targets[discipline.name])
        discipline_rows[discipline.name] = row
        table_rows.append(row)
        for subdomain in discipline.subdomains:
            row = TopicRow(subdomain.name, "subdomain", discipline.name, target_share=subdomain_targets[subdomain.name])
            subdomain_rows[subdomain.name] = row
            table_rows.append(row)
    other = TopicRow(NOT_IN_TAXONOMY, "other", None)
    unclassified = TopicRow(UNCLASSIFIED, "unclassified", None)

    def targets(discipline: str | None, subdomain: str | None) -> list[TopicRow]:
        """The rows a stored label counts toward (a label the taxonomy lacks goes to 'not in this taxonomy')."""
        if subdomain in subdomain_rows:
            return [discipline_rows[taxonomy.discipline_of(subdomain)], subdomain_rows[subdomain]]
        if discipline in discipline_rows:
            return [discipline_rows[discipline]]
        return [unclassified] if discipline is None else [other]

    for group in library.query(
        "SELECT discipline, subdomain, count(*) AS papers FROM papers WHERE status = 'ok' GROUP BY discipline, subdomain"
    ):
        for row in targets(group["discipline"], group["subdomain"]):
            row.papers += group["papers"]
    statuses = ",".join("?" * len(USABLE_STATUSES))
    # A question not yet given its paper's label still counts under the paper's label.
    for group in library.query(
        f"""
        SELECT coalesce(q.discipline, p.discipline) AS discipline,
               CASE WHEN q.discipline IS NULL THEN p.subdomain ELSE q.subdomain END AS subdomain,
               sum(q.status = 'accepted') AS accepted, sum(q.status IN ({statuses})) AS usable
        FROM questions q
        LEFT JOIN papers p ON p.id = q.paper_id AND (q.source IS NULL OR q.source != 'imported')
        GROUP BY 1, 2
        """,
        list(USABLE_STATUSES),
    ):
        for row in targets(group["discipline"], group["subdomain"]):
            row.accepted_questions += group["accepted"] or 0
            row.usable_questions += group["usable"] or 0
    table_rows += ([other] if other.papers or other.usable_questions or other.accepted_questions else []) + [unclassified]
    totals = [row for row in table_rows if row.level != "subdomain"]
    papers = sum(row.papers for row in totals)
    accepted = sum(row.accepted_questions for row in totals)
    usable = sum(row.usable_questions for row in totals)
    for row in table_rows:
        row.paper_share = row.papers / papers if papers else 0.0
        row.accepted_share = row.accepted_questions / accepted if accepted else 0.0
        row.usable_share = row.usable_questions / usable if usable else 0.0
    return TopicTable(table_rows, papers, accepted, usable, str(taxonomy.path) if taxonomy.path else None)
