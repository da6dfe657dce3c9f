"""Benchmark the quality pipeline's bulk steps and the dataset export at BioAlchemy scale.

Builds a synthetic library of 345,000 questions over 10,000 papers in nine
disciplines (about 2% of them near-duplicates of an earlier question), then
prints:

- near-duplicate search (`papergym.core.quality.dedup.find_duplicates`) over every
  question, in questions/s (target > 5,000 q/s), and how many of the planted
  near-duplicates it found;
- `export_dataset` to parquet and to a Hugging Face DatasetDict (target < 60 s
  each), against a baseline measured in the same run: the same rows from one
  SQL query written with plain `pyarrow.parquet.write_table` (no prompts, no
  split, no card); the ratio is export / baseline;
- the paraphrase pass (`papergym.core.quality.paraphrase.find_paraphrases`) over
  every question, and the whole fast dedup path (MinHash then paraphrases) in
  questions/s (target > 5,000 q/s);
- precision and recall of duplicate detection on a hand-written labelled set of
  paraphrase pairs and hard negatives (`bench/data/paraphrase_pairs.jsonl`, a
  dev part the rules were tuned on and a held-out part), MinHash alone against
  MinHash plus paraphrases;
- the validate + dedup check pass (`papergym check`), once `papergym.core.quality.pipeline`
  has `run_checks`.

    python bench/quality.py                      # 345,000 questions, in a temporary folder
    python bench/quality.py --questions 50000 --keep   # keeps the work under bench/_work/
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from papergym.core.library import Library  # noqa: E402
from papergym.core.questions.statuses import VOTE_TYPES  # noqa: E402

# Roughly the default taxonomy's target shares, so the library looks like a broad science collection.
DISCIPLINES = {
    "Physics": 0.14,
    "Chemistry": 0.12,
    "Materials Science": 0.09,
    "Biology": 0.20,
    "Medicine": 0.15,
    "Earth and Environmental Sciences": 0.09,
    "Engineering": 0.08,
    "Computer Science": 0.08,
    "Mathematics": 0.05,
}
NEAR_DUPLICATE_SHARE = 0.02
QUESTION_WORDS = 25
INSERT = (
    "INSERT INTO questions (id, paper_id, kind, question, options, answer, aliases, unit, tolerance, rationale, "
    "source_section, status, model, prompt_version, created_at, discipline, subdomain, source, voting_type, votes) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def build_library(folder: Path, questions: int, papers: int, seed: int = 0) -> tuple[Library, int]:
    """A library of synthetic papers and accepted questions; returns it and the number of planted near-duplicates."""
    rng = random.Random(seed)
    vocabulary = [
        f"{stem}{n}" for stem in ("phonon", "enzyme", "lattice", "aquifer", "protein", "tensor", "neuron", "catalyst") for n in range(1500)
    ]
    library = Library(folder)
    names = list(DISCIPLINES)
    paper_rows = []
    for number in range(papers):
        discipline = rng.choices(names, weights=list(DISCIPLINES.values()))[0]
        paper_rows.append((f"{number:064x}", "ok", f"p{number}.pdf", f"Paper {number}", discipline, f"{discipline} subdomain {number % 3}"))
    rows = []
    planted = 0
    for number in range(questions):
        paper_id, _, _, _, discipline, subdomain = paper_rows[number * papers // questions]
        if rows and rng.random() < NEAR_DUPLICATE_SHARE:
            # A copy of an earlier question with one word changed and its options reshuffled; it keeps its key,
            # as a real copy does (a copy whose key moved to another option would be a different question).
            original = rows[rng.randrange(len(rows))]
            words = original[3].split()
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
            text = " ".join(words)
            kind, answer, unit, tolerance = original[2], original[5], original[7], original[8]
            options = json.loads(original[4])
            if options:
                key_text = options["ABCD".index(answer)]
                rng.shuffle(options)
                answer = "ABCD"[options.index(key_text)]
            planted += 1
        else:
            text = " ".join(rng.choices(vocabulary, k=QUESTION_WORDS)) + "?"
            options = [" ".join(rng.choices(vocabulary, k=3)) for _ in range(4)]
            kind, answer, unit, tolerance = "mcq", "ABCD"[number % 4], None, None
            if number % 10 == 9:
                kind, options, answer, unit, tolerance = "numeric", [], f"{rng.uniform(0.1, 900):.3g}", "W/m/K", 0.05
        voting_type = rng.choice(VOTE_TYPES)
        rows.append(
            (
                f"{number:032x}",
                paper_id,
                kind,
                text,
                json.dumps(options),
                answer,
                "[]",
                unit,
                tolerance,
                "Because the measured quantity follows from the stated mechanism.",
                "Results",
                "accepted",
                "bench",
                "bench-1",
                "2025-01-01T00:00:00+00:00",
                discipline,
                subdomain,
                "generated",
                voting_type,
                json.dumps([answer, answer, "A"]),
            )
        )
    with library.write() as db:
        db.conn.executemany("INSERT INTO papers (id, status, filename, title, discipline, subdomain) VALUES (?, ?, ?, ?, ?, ?)", paper_rows)
        db.conn.executemany(INSERT, rows)
    return library, planted


def time_dedup(library: Library) -> None:
    from papergym.core.quality.dedup import find_duplicates

    started = time.perf_counter()
    questions = library.query("SELECT id, question, options FROM questions ORDER BY created_at, id")
    read = time.perf_counter() - started
    started = time.perf_counter()
    duplicates = find_duplicates(questions)
    seconds = time.perf_counter() - started
    print(
        f"dedup: {len(questions)} questions in {seconds:.1f} s = {len(questions) / seconds:,.0f} q/s "
        f"(target > 5,000; reading them took {read:.1f} s more); {len(duplicates)} duplicates found"
    )


def time_paraphrase(library: Library) -> None:
    from papergym.core.quality.paraphrase import find_copies_and_paraphrases, find_paraphrases

    questions = library.query("SELECT id, kind, question, options, answer, unit FROM questions ORDER BY created_at, id")
    started = time.perf_counter()
    paraphrases = find_paraphrases(questions)
    seconds = time.perf_counter() - started
    print(
        f"paraphrases alone: {len(questions)} questions in {seconds:.1f} s = {len(questions) / seconds:,.0f} q/s; {len(paraphrases)} found"
    )
    started = time.perf_counter()
    findings = find_copies_and_paraphrases(questions)
    seconds = time.perf_counter() - started
    copies = sum(finding.how == "copy" for finding in findings)
    print(
        f"fast dedup path (MinHash copies that keep their numbers and key, then paraphrases): {len(questions) / seconds:,.0f} q/s "
        f"(target > 5,000); {copies} copies + {len(findings) - copies} paraphrases"
    )


PAIRS = ROOT / "bench" / "data" / "paraphrase_pairs.jsonl"


def paraphrase_precision_recall() -> None:
    """Precision and recall of duplicate detection on labelled pairs: MinHash alone, then MinHash plus paraphrases."""
    from papergym.core.quality.dedup import find_duplicates
    from papergym.core.quality.paraphrase import find_copies_and_paraphrases

    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    for split in ("dev", "held_out"):
        chosen = [pair for pair in pairs if pair["split"] == split]
        for name, detect in (
            ("MinHash alone", lambda a, b: bool(find_duplicates([a, b]))),
            ("MinHash + paraphrases", lambda a, b: bool(find_copies_and_paraphrases([a, b]))),
        ):
            found = [(pair["label"] == "paraphrase", detect(pair["a"], pair["b"])) for pair in chosen]
            true_positive = sum(truth and guess for truth, guess in found)
            predicted = sum(guess for _, guess in found)
            actual = sum(truth for truth, _ in found)
            precision = true_positive / predicted if predicted else float("nan")
            recall = true_positive / actual if actual else float("nan")
            missed = [pair["why"] for pair, (truth, guess) in zip(chosen, found) if truth and not guess]
            wrong = [pair["why"] for pair, (truth, guess) in zip(chosen, found) if guess and not truth]
            print(
                f"paraphrase set, {split} ({actual} paraphrase pairs, {len(chosen) - actual} hard negatives), {name}: "
                f"precision {precision:.2f} ({true_positive}/{predicted}), recall {recall:.2f} ({true_positive}/{actual})"
                + (f"; missed: {', '.join(missed)}" if missed and name != "MinHash alone" else "")
                + (f"; merged wrongly: {', '.join(wrong)}" if wrong else "")
            )


def baseline_parquet(library: Library, out: Path) -> float:
    """The floor: one SQL query, columns as stored, one plain parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    cursor = library.conn.execute(
        "SELECT id, paper_id, discipline, subdomain, question, options, answer, rationale, voting_type, votes, "
        "kind, unit, tolerance, aliases FROM questions WHERE status = 'accepted' ORDER BY id"
    )
    names = [column[0] for column in cursor.description]
    columns = list(zip(*cursor.fetchall()))
    table = pa.table({name: pa.array(values) for name, values in zip(names, columns)})
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out / "all.parquet")
    return time.perf_counter() - started


def time_export(library: Library, workdir: Path) -> None:
    from papergym.core.dataset.export import ExportSettings, export_dataset

    baseline = baseline_parquet(library, workdir / "baseline")
    print(f"baseline: one SQL query + pyarrow.parquet.write_table: {baseline:.1f} s")
    for fmt in ("parquet", "hf"):
        out = workdir / f"export-{fmt}"
        started = time.perf_counter()
        report = export_dataset(library, ExportSettings(out=out, format=fmt, overwrite=True))
        seconds = time.perf_counter() - started
        splits = ", ".join(f"{name} {count}" for name, count in report.splits.items())
        print(
            f"export {fmt}: {report.written} questions ({splits}) in {seconds:.1f} s (target < 60 s); "
            f"ratio export/baseline {seconds / baseline:.2f}"
        )
    out = workdir / "export-aligned"
    started = time.perf_counter()
    report = export_dataset(library, ExportSettings(out=out, format="parquet", align_alpha=0.5, target="library", overwrite=True))
    seconds = time.perf_counter() - started
    removed = sum(row["removed"] for row in report.alignment.values())
    print(f"export parquet, aligned (alpha 0.5, library target): {seconds:.1f} s, {removed} train questions left out")


def time_check_pass(library: Library) -> None:
    """Times `papergym check`'s validate and dedup steps, once the quality module offers run_checks."""
    try:
        from papergym.core.quality.pipeline import CheckSettings, run_checks
    except ImportError:
        print("check pass (validate + dedup): skipped, papergym.core.quality.pipeline has no run_checks yet")
        return
    count = library.query("SELECT count(*) AS n FROM questions")[0]["n"]
    started = time.perf_counter()
    run_checks(library, CheckSettings(steps=("validate", "dedup")))
    seconds = time.perf_counter() - started
    print(f"check pass (validate + dedup): {count} questions in {seconds:.1f} s = {count / seconds:,.0f} q/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=345_000)
    parser.add_argument("--papers", type=int, default=None, help="default: one per 34.5 questions (10,000 for 345,000)")
    parser.add_argument("--keep", action="store_true", help="keep the library and exports under bench/_work/")
    args = parser.parse_args()
    papers = args.papers or max(1, round(args.questions / 34.5))

    if args.keep:
        workdir = ROOT / "bench" / "_work" / f"quality-{args.questions}"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="papergym-bench-quality-"))
    paraphrase_precision_recall()
    try:
        started = time.perf_counter()
        library, planted = build_library(workdir / "lib", args.questions, papers)
        print(
            f"synthetic library: {args.questions} questions over {papers} papers "
            f"({planted} planted near-duplicates) built in {time.perf_counter() - started:.1f} s"
        )
        time_dedup(library)
        time_paraphrase(library)
        time_export(library, workdir)
        time_check_pass(library)
        library.close()
        if args.keep:
            print(f"kept: {workdir}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
