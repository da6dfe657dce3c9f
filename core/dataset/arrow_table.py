"""The exported rows as one Arrow table: the dataset's columns, with the prompt column built in bulk.

Columns are built whole (plain lists into Arrow arrays), because an export can
hold hundreds of thousands of questions and a row-by-row build costs minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papergym.core.dataset.prompt import PROMPT_TEMPLATE, user_message

if TYPE_CHECKING:
    import pyarrow
    from papergym.core.dataset.selection import SelectedRows

COLUMNS = (
    "id",
    "paper_id",
    "discipline",
    "subdomain",
    "question",
    "options",
    "answer",
    "rationale",
    "voting_type",
    "votes",
    "kind",
    "unit",
    "tolerance",
    "aliases",
    "prompt",
)


def _string_lists(values: list[list]) -> pyarrow.Array:
    import pyarrow as pa

    try:
        return pa.array(values, pa.list_(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Votes written as numbers (a numeric question's solvers): text, like every other vote.
        return pa.array([[None if vote is None else str(vote) for vote in votes] for votes in values], pa.list_(pa.string()))


def questions_table(rows: SelectedRows) -> pyarrow.Table:
    """One Arrow table of the rows in ``COLUMNS`` order, with the prompt column built from the template."""
    import pyarrow as pa

    columns = rows.columns
    count = len(rows)
    systems = {kind: PROMPT_TEMPLATE["system"].format(answer_form=form) for kind, form in PROMPT_TEMPLATE["answer_form"].items()}
    default_system = PROMPT_TEMPLATE["system"].format(answer_form="<answer>")
    contents: list[str] = []
    for question, kind, options, unit in zip(columns["question"], columns["kind"], columns["options"], columns["unit"]):
        contents.append(systems.get(kind, default_system))
        contents.append(user_message(question, kind, options, unit))
    messages = pa.StructArray.from_arrays(
        [pa.array(["system", "user"] * count, pa.string()), pa.array(contents, pa.string())], names=["role", "content"]
    )
    prompt = pa.ListArray.from_arrays(pa.array(range(0, 2 * count + 1, 2), pa.int32()), messages)
    strings = pa.list_(pa.string())
    arrays = {
        "id": pa.array(columns["id"], pa.string()),
        "paper_id": pa.array(columns["paper_id"], pa.string()),
        "discipline": pa.array(columns["discipline"], pa.string()),
        "subdomain": pa.array(columns["subdomain"], pa.string()),
        "question": pa.array(columns["question"], pa.string()),
        "options": pa.array(columns["options"], strings),
        "answer": pa.array(columns["answer"], pa.string()),
        "rationale": pa.array(columns["rationale"], pa.string()),
        "voting_type": pa.array(columns["voting_type"], pa.string()),
        "votes": _string_lists(columns["votes"]),
        "kind": pa.array(columns["kind"], pa.string()),
        "unit": pa.array(columns["unit"], pa.string()),
        "tolerance": pa.array(columns["tolerance"], pa.float64()),
        "aliases": pa.array(columns["aliases"], strings),
        "prompt": prompt,
    }
    return pa.table([arrays[name] for name in COLUMNS], names=list(COLUMNS))
