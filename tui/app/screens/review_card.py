"""The Review screen's card: one question, its key, rationale, source passage and check verdicts as Rich text."""

from __future__ import annotations

from rich.text import Text

PASSAGE_CHARS = 1500
CHECK_STYLES = {"pass": "green", "flag": "yellow", "drop": "red"}


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def quote_span(question: dict, checks: list[dict]) -> tuple[int, int] | None:
    """Where the key's supporting quote lies in the passage: stored with the question, else where grounding found it."""
    for item in question.get("evidence") or []:
        if isinstance(item, dict) and isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
            return item["start"], item["end"]
    for row in checks:
        span = (row.get("detail") or {}).get("quote_span") if row.get("step") == "grounding" else None
        if span:
            return span[0], span[1]
    return None


def reflowed(source: str) -> str:
    """The passage with the PDF's line breaks inside paragraphs as spaces, so the card wraps it once, at its own width.

    One character for one keeps the quote's stored offsets pointing at the same words.
    """
    lines = source.split("\n")
    out = []
    for index, line in enumerate(lines):
        out.append(line)
        if index + 1 < len(lines):
            following = lines[index + 1]
            keep = (
                not line.strip()
                or not following.strip()
                or line.startswith(("Title: ", "Section: "))
                or following.startswith(("Abstract: ", "Section: "))
            )
            out.append("\n" if keep else " ")
    return "".join(out)


def passage_with_quote(source: str, span: tuple[int, int] | None) -> Text:
    """The passage (cut to fit around the quote when long) with the quote highlighted."""
    source = reflowed(source)
    start, end = span if span and 0 <= span[0] < span[1] <= len(source) else (None, None)
    first = 0
    if len(source) > PASSAGE_CHARS and start is not None:
        first = max(0, min(start - PASSAGE_CHARS // 3, len(source) - PASSAGE_CHARS))
    shown = source[first : first + PASSAGE_CHARS]
    text = Text("…" if first else "", style="italic")
    if start is None:
        text.append(shown, style="italic")
    else:
        text.append(shown[: start - first], style="italic")
        text.append(shown[start - first : end - first], style="bold black on yellow")
        text.append(shown[end - first :], style="italic")
    if first + PASSAGE_CHARS < len(source):
        text.append("…", style="italic")
    return text


def card_texts(question: dict, checks: list[dict]) -> dict[str, Text]:
    """The parts of one card as Rich text (text from papers and models is never read as markup)."""
    meta = Text()
    meta.append(f"{question['id'][:12]}  ", style="dim")
    meta.append(f"{question['kind']}  ", style="bold")
    status_style = {"accepted": "bold green", "rejected": "bold red"}.get(question["status"], "bold")
    meta.append(question["status"], style=status_style)
    if question.get("review_reason"):
        meta.append(f" ({question['review_reason']})", style="red")
    meta.append(f"   {question.get('discipline') or 'no discipline'}")
    if question.get("subdomain"):
        meta.append(f" / {question['subdomain']}")
    meta.append("\nvotes: ", style="dim")
    meta.append(question.get("voting_type") or "not voted")
    if question.get("votes"):
        meta.append(f" {', '.join(str(vote) for vote in question['votes'])}")
    meta.append("   judge score: ", style="dim")
    meta.append(_number(question.get("score")))
    meta.append("   rank score: ", style="dim")
    meta.append(_number(question.get("rank_score")))

    options = Text()
    if question["kind"] == "mcq":
        for letter, option in zip("ABCDEFGHIJ", question["options"]):
            is_key = letter == question["answer"]
            options.append(f"{'✓' if is_key else ' '} {letter}. ", style="bold green" if is_key else "dim")
            options.append(f"{option}\n", style="bold green" if is_key else "")
    else:
        options.append("answer: ", style="dim")
        answer = question["answer"] + (f" {question['unit']}" if question.get("unit") else "")
        options.append(answer, style="bold green")
        if question.get("tolerance"):
            options.append(f"  (± {question['tolerance']:g})", style="dim")
        if question.get("aliases"):
            options.append(f"\nalso accepted: {', '.join(question['aliases'])}", style="dim")

    rationale = Text("rationale: ", style="dim")
    rationale.append(question.get("rationale") or "none")
    passage = Text(f"source passage{' (' + question['source_section'] + ')' if question.get('source_section') else ''}:\n", style="dim")
    source = question.get("source_passage")
    if source:
        passage.append_text(passage_with_quote(source, quote_span(question, checks)))
    else:
        passage.append("not stored (imported or written by hand)", style="italic")

    verdicts = Text()
    if not checks:
        verdicts.append("no checks yet (papergym check runs them)", style="dim")
    for row in checks:
        verdicts.append(f"{row['step']}: ", style="dim")
        verdicts.append(row["status"], style=CHECK_STYLES.get(row["status"], ""))
        if row.get("reasons"):
            verdicts.append(f" — {'; '.join(row['reasons'])}")
        verdicts.append("\n")
    verdicts.rstrip()
    return {
        "meta": meta,
        "question": Text(question["question"], style="bold"),
        "options": options,
        "rationale": rationale,
        "passage": passage,
        "checks": verdicts,
    }
