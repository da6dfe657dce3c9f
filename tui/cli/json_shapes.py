"""What each command prints with --json: its layout and every top-level field, with its type and meaning.

docs/cli.md is written from this table, and tests/unit/test_cli_reference.py runs the commands that need no model
and checks that their output has exactly these fields, so the page cannot drift from what scripts receive.
Types: str, int, float, bool, list[...], object; "?" after a type means it can be null.
"""

from __future__ import annotations

from dataclasses import dataclass

ONE = "one object"
LINES = "one object per line"


@dataclass(frozen=True)
class Shape:
    layout: str
    fields: dict[str, tuple[str, str]]


PAPER = {
    "id": ("str", "the paper's id: the SHA-256 of its PDF"),
    "status": ("str", "ok, no_text (a scan without a text layer, or one that reads as noise), failed or duplicate"),
    "reason": ("str?", "why a file failed or has no text, in one sentence"),
    "filename": ("str", "the file's name when it was imported"),
    "source_path": ("str", "where it was imported from"),
    "stored_path": ("str?", "its copy inside the library folder (pdfs/<sha256>.pdf)"),
    "size_bytes": ("int", "the PDF's size"),
    "title": ("str?", "the title"),
    "authors": ("list[str]", "author names in order"),
    "year": ("int?", "publication year"),
    "doi": ("str?", "DOI, lower case"),
    "journal": ("str?", "journal or venue"),
    "pages": ("int?", "page count"),
    "chars": ("int", "characters of clean text"),
    "imported_at": ("str", "ISO 8601 time of import"),
    "duplicate_of": ("str?", "the paper this file is another copy of (same DOI, or same title and first author)"),
    "duplicate_match": ("str?", "what linked it: doi or title"),
    "sources": (
        "object",
        "per metadata field, where it came from: layout, info, xmp, doi-pattern, doi (a year the DOI names), citation (the citation page 1 prints for itself), text, page-2, running-head (names a later page's running head gives), references (a year estimated from the latest year the paper's references cite, where no page prints one), file-date (the year the file was made, within a year of that latest reference), ocr (read off a scanned page by OCR) or user",
    ),
}
PAPER_WITH_ABSTRACT = PAPER | {"abstract": ("str?", "the abstract")}

QUESTION = {
    "id": ("str", "the question's id (a hash of its paper, kind, text, options and answer)"),
    "paper_id": ("str?", "the paper it was written from (ext:… for imported questions)"),
    "job_id": ("str?", "the generation window it came from"),
    "kind": ("str", "mcq, numeric or exact"),
    "question": ("str", "the question text"),
    "options": ("list[str]", "the options, A first (mcq)"),
    "answer": ("str", "the key: a letter, a number, or the exact answer"),
    "aliases": ("list[str]", "other accepted spellings (exact)"),
    "unit": ("str?", "the answer's unit (numeric)"),
    "tolerance": ("float?", "absolute tolerance (numeric)"),
    "rationale": ("str?", "a worked solution"),
    "source_section": ("str?", "the section the window came from"),
    "status": ("str", "draft, passed, flagged, dropped, accepted or rejected"),
    "model": ("str?", "the model that wrote it"),
    "prompt_version": ("str?", "the prompt version it was written with"),
    "created_at": ("str", "ISO 8601 time it was stored"),
    "discipline": ("str?", "its paper's discipline"),
    "subdomain": ("str?", "its paper's subdomain"),
    "source": ("str?", "where an imported question came from"),
    "voting_type": ("str?", "the vote's class: all_aligned … all_divergent, discard"),
    "votes": ("object?", "the vote's counts per answer"),
    "score": ("float?", "the judge's P(yes) - P(no)"),
    "rank_score": ("float?", "the ranker's estimate that you would accept it"),
    "review_reason": ("str?", "your reason for a rejection"),
    "reviewed_at": ("str?", "when you decided"),
    "evidence": ("list[object]", "supporting quotes from the passage, with character offsets"),
}

MODEL = {
    "name": ("str", "the name commands take with --model"),
    "path": ("str", "the GGUF file"),
    "size_bytes": ("int", "its size"),
    "quantization": ("str?", "e.g. Q4_K_M"),
    "context_length": ("int?", "the context the model was trained with"),
    "chat_template": ("bool", "whether the file carries a chat template"),
    "architecture": ("str?", "e.g. gemma3, qwen2, llama"),
    "builtin": ("bool", "the embedded default (gemma3-270m)"),
    "is_default": ("bool", "the model generate and check use without --model"),
}

GENERATE = {
    "model": ("str", "the model or server that wrote the questions"),
    "windows_total": ("int", "windows in the selection"),
    "windows_already_done": ("int", "windows finished by earlier runs"),
    "windows_run": ("int", "windows this run did"),
    "windows_with_questions": ("int", "of those, windows that gave at least one question"),
    "windows_failed": ("int", "windows that gave none"),
    "questions_new": ("int", "questions stored"),
    "questions_duplicate": ("int", "questions already in the library"),
    "failure_reasons": ("object", "why attempts failed, with counts"),
    "prompt_tokens": ("int", "prompt tokens evaluated"),
    "cached_tokens": ("int", "prompt tokens reused from the cache"),
    "completion_tokens": ("int", "tokens generated"),
    "prompt_seconds": ("float", "time spent on prompts"),
    "seconds": ("float", "wall time"),
    "cancelled": ("bool", "stopped by Ctrl-C"),
    "stopped_reason": ("str?", "why the run stopped early (e.g. the server kept failing)"),
    "refine_failures": ("int", "questions whose 10-option refinement failed (kept with 4)"),
    "windows_taken_elsewhere": ("int", "windows another generate run was doing"),
    "windows_of_removed_papers": ("int", "windows whose paper was removed meanwhile (nothing stored)"),
}

RUN = {
    "id": ("str", "the run's id"),
    "status": ("str", "starting, waiting (for the GPU), running, finished, stopped or failed"),
    "waiting_for": ("str?", "while waiting: the job holding the GPU, with its pid and since when"),
    "backend": ("str?", "trl or unsloth"),
    "step": ("int?", "the last logged step"),
    "max_steps": ("int?", "steps asked for"),
    "created_at": ("str", "when it was started"),
    "last_reward": ("float?", "the last logged mean reward"),
}

JSON_SHAPES: dict[str, Shape] = {
    "import": Shape(
        LINES,
        {
            "path": ("str", "the file"),
            "status": ("str", "imported, duplicate (already in the library), linked (another copy of a paper), skipped or failed"),
            "paper_id": ("str?", "the paper's id"),
            "pages": ("int?", "pages read"),
            "reason": ("str?", "why it was skipped or failed, in one sentence"),
            "title": ("str?", "the title found"),
            "has_text": ("bool?", "false for a scan without a text layer, or a text layer that reads as noise"),
            "seconds": ("float", "time spent on the file"),
            "peak_rss_mb": ("float?", "the reader process's peak memory"),
            "duplicate_of": ("str?", "the paper this file is another copy of"),
        },
    ),
    "papers": Shape(LINES, PAPER),
    "show": Shape(ONE, PAPER_WITH_ABSTRACT | {"sections": ("list[object]", "ordinal, kind, heading and chars of each section")}),
    "edit": Shape(ONE, PAPER_WITH_ABSTRACT),
    "search": Shape(
        LINES,
        {
            "paper_id": ("str", "the paper's id"),
            "title": ("str?", "its title"),
            "year": ("int?", "its year"),
            "score": ("float", "bm25 relevance (more negative is better)"),
            "snippet": ("str", "the matching text, matches in **bold**"),
        },
    ),
    "questions": Shape(LINES, QUESTION),
    "question": Shape(
        ONE,
        QUESTION
        | {
            "source_passage": ("str?", "the window's text the question was written from"),
            "checks": ("list[object]", "each quality step's verdict: step, verdict, reasons, scores"),
        },
    ),
    "import-questions": Shape(
        ONE,
        {
            "path": ("str", "the file read"),
            "rows": ("int", "rows read"),
            "added": ("int", "questions stored"),
            "already_present": ("int", "questions already in the library"),
            "skipped": ("int", "rows left out"),
            "reasons": ("object", "why rows were left out, with counts"),
            "examples": ("list[object]", "a few left-out rows with their reasons"),
            "skipped_rows": ("list[object]", "every left-out row: line number and reason"),
            "seconds": ("float", "wall time"),
        },
    ),
    "models": Shape(LINES, MODEL),
    "models list": Shape(LINES, MODEL),
    "models add": Shape(ONE, MODEL),
    "models pull": Shape(ONE, MODEL),
    "models show": Shape(
        ONE,
        {
            "name": ("str", "the registered name"),
            "path": ("str", "the GGUF file"),
            "builtin": ("bool", "the embedded default"),
            "default": ("bool", "the default model"),
            "size_bytes": ("int", "file size"),
            "model": ("str?", "the name the file gives itself"),
            "architecture": ("str?", "e.g. gemma3"),
            "parameters": ("str?", "parameter count, e.g. 268M"),
            "quantization": ("str?", "e.g. Q4_K_M"),
            "context_length": ("int?", "trained context"),
            "vocab_size": ("int?", "tokens in the vocabulary"),
            "chat_template": ("str?", "the chat template, if any"),
            "gguf_version": ("int", "GGUF format version"),
            "tensors": ("int", "tensor count"),
            "header_bytes": ("int", "bytes of header read"),
        },
    ),
    "generate": Shape(ONE, GENERATE),
    "check": Shape(
        ONE,
        {
            "steps": ("list[object]", "per step: step, ran, skipped, failed, passed, flagged, dropped, reasons, seconds, extra"),
            "statuses": ("object", "questions per status after the run"),
            "seconds": ("float", "wall time"),
            "cancelled": ("bool", "stopped by Ctrl-C"),
            "stopped_reason": ("str?", "why the run stopped early"),
        },
    ),
    "export": Shape(
        ONE,
        {
            "out": ("str", "the dataset folder or file written"),
            "format": ("str", "hf, parquet or jsonl"),
            "selected": ("int", "questions that matched the selection"),
            "written": ("int", "rows written over all splits (fewer when alignment dropped some)"),
            "splits": ("object", "rows per split"),
            "papers": ("object", "distinct papers per split"),
            "disciplines": ("object", "per split, rows per discipline"),
            "vote_types": ("object", "per split, rows per vote class"),
            "alignment": ("object?", "per discipline of the train split: before, target share, after, removed"),
            "files": ("list[str]", "the files written"),
            "settings": ("object", "the export's settings"),
            "seconds": ("float", "wall time"),
            "learnable": ("object?", "with --learnable: kept, too easy, too hard, not measured"),
            "stale_bytes_removed": ("int", "bytes that exports killed mid-write had left beside OUT, cleaned up"),
        },
    ),
    "topics": Shape(
        ONE,
        {
            "papers": ("int", "papers in the library"),
            "accepted_questions": ("int", "accepted questions"),
            "usable_questions": ("int", "questions an export would take by default"),
            "taxonomy": ("str", "the taxonomy file in use"),
            "rows": ("list[object]", "per discipline and subdomain: counts, the target share and the shares reached"),
        },
    ),
    "topics classify": Shape(
        ONE,
        {
            "papers_total": ("int", "papers to label"),
            "papers_done": ("int", "papers labelled"),
            "by_source": ("object", "labels per source: model or keyword"),
            "fallback_reasons": ("object", "why the model's answer was not used, with counts"),
            "model_dropped": ("str?", "why the model was given up on"),
            "questions_labelled": ("int", "questions that took their paper's label"),
            "cancelled": ("bool", "stopped by Ctrl-C"),
            "seconds": ("float", "wall time"),
            "labels": ("object", "per paper id: discipline, subdomain and source"),
        },
    ),
    "train": Shape(
        ONE,
        {
            "run_id": ("str", "the run's id"),
            "output_dir": ("str", "the run's folder (a detached run)"),
            "log": ("str", "its log file (a detached run)"),
            "pid": ("int?", "the worker process (a detached run)"),
            "argv": ("list[str]", "the worker's command line (a detached run)"),
            "questions": ("int", "questions it trains on"),
            "source": ("str", "where they come from"),
            "notice": ("str?", "something to know about the data"),
            "skipped": ("object", "questions left out, with reasons"),
        },
    ),
    "runs": Shape(LINES, RUN),
    "runs show": Shape(
        ONE,
        {
            "id": ("str", "the run's id"),
            "status": ("str", "starting, waiting (for the GPU), running, finished, stopped or failed"),
            "waiting_for": ("str?", "while waiting: the job holding the GPU, with its pid and since when"),
            "config": ("object", "the run's settings"),
            "metrics": ("object", "per metric: first, last, best and points"),
            "samples": ("list[object]", "the latest sample completions with their rewards"),
            "log": ("str", "the run's log file"),
        },
    ),
    "runs stop": Shape(
        ONE,
        {
            "run_id": ("str", "the run"),
            "signal": ("str?", "the signal sent"),
            "pid": ("int?", "the worker that received it"),
        },
    ),
    "eval": Shape(
        ONE,
        {
            "eval": ("object", "the eval: model, adapter, engine, dataset, questions, correct, accuracy, per discipline, speed"),
            "base_eval": ("object?", "the base model's eval on the same questions, when an adapter was measured"),
            "comparison": ("object?", "before/after rows: overall, extractable, mean length, per discipline"),
        },
    ),
    "convert": Shape(
        ONE,
        {
            "out": ("str", "the file or folder written"),
            "run_id": ("str?", "the run whose adapter was converted"),
            "adapter": ("str", "the adapter folder read"),
            "to": ("str", "gguf-lora or merged"),
        },
    ),
    "demo": Shape(
        ONE,
        {
            "library": ("str", "the demo's library folder"),
            "seconds": ("float", "wall time"),
            "stopped": ("str?", "the stage that stopped the demo"),
            "stages": ("list[object]", "each stage with its figures"),
        },
    ),
    "doctor": Shape(
        ONE,
        {
            "cpu": ("object", "model, cores, usable cores, AMX and whether the AMX guard is on"),
            "cuda": ("object", "whether a GPU is visible, torch's CUDA, each device's compute capability and free memory"),
            "llama_cpp": ("object", "version, GPU offload, and what to do about it"),
            "packages": ("object", "installed versions of the training and inference stack"),
            "stack_conflicts": ("list[str]", "versions that do not fit together"),
            "library": ("object", "the library's path and schema version"),
            "gpu_queue": ("object", "who holds and who waits for the GPU"),
            "backend": ("object", "what --backend auto picks, and why"),
            "ocr": ("object", "whether scans' first pages are read by OCR here (tesserocr's version), or why not"),
        },
    ),
    "queue": Shape(
        ONE,
        {
            "folder": ("str", "the machine-wide folder of the GPU lease"),
            "jobs": ("list[object]", "who holds the GPU and who waits: role, place, job, pid, user, library, since when"),
        },
    ),
}
