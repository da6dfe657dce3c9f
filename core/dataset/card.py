"""The dataset card written as an export's README.md, so the folder explains itself on disk and on the Hub."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from papergym.core.dataset.export_files import data_files_pattern
from papergym.core.dataset.prompt import PROMPT_TEMPLATE, PROMPT_VERSION

if TYPE_CHECKING:
    from papergym.core.dataset.export import ExportReport, ExportSettings


def dataset_card(report: ExportReport, settings: ExportSettings, created_at: str) -> str:
    """The README.md of an export: YAML front matter for the Hub, then splits, disciplines, vote types and settings."""
    from papergym import __version__

    written = [name for name, count in report.splits.items() if count]
    config = "\n".join(f"  - split: {name}\n    path: {json.dumps(data_files_pattern(settings.format, name))}" for name in written)
    header = (
        "---\npretty_name: papergym science questions\nlanguage:\n- en\ntask_categories:\n- question-answering\n"
        "tags:\n- papergym\n- science\n- grpo\n- multiple-choice\n"
        f"configs:\n- config_name: default\n  data_files:\n{config}\n---\n"
    )
    split_names = list(report.splits)
    disciplines = sorted({name for counts in report.disciplines.values() for name in counts})
    lines = [
        "# papergym science questions",
        "",
        (
            f"{report.written} questions from {sum(report.papers.values())} papers, exported {created_at} by papergym {__version__} "
            "from a local paper library. Splits never share a paper."
        ),
        "",
        "## Splits",
        "",
        "| split | questions | papers |",
        "|---|---:|---:|",
        *(f"| {name} | {report.splits[name]} | {report.papers[name]} |" for name in split_names),
        "",
        "## Questions per discipline",
        "",
        f"| discipline | {' | '.join(split_names)} | total |",
        f"|---|{'---:|' * (len(split_names) + 1)}",
        *(
            f"| {name} | {' | '.join(str(report.disciplines[split].get(name, 0)) for split in split_names)} | "
            f"{sum(report.disciplines[split].get(name, 0) for split in split_names)} |"
            for name in disciplines
        ),
        "",
        "## Vote types",
        "",
        "WildSci's solver-voting classes (`none`: not voted).",
        "",
        f"| voting type | {' | '.join(split_names)} |",
        f"|---|{'---:|' * len(split_names)}",
        *(
            f"| {vote} | {' | '.join(str(report.vote_types[split].get(vote, 0)) for split in split_names)} |"
            for vote in sorted({vote for counts in report.vote_types.values() for vote in counts})
        ),
    ]
    if report.alignment:
        lines += [
            "",
            f"## Topic alignment (train split, alpha = {settings.align_alpha:g})",
            "",
            "Train questions were dropped (never repeated) so each discipline's share follows the target raised to alpha.",
            "",
            "| discipline | before | share | after | removed |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {name} | {row['before']} | {row['share']:.3f} | {row['after']} | {row['removed']} |"
                for name, row in report.alignment.items()
            ),
        ]
    lines += [
        "",
        "## Columns",
        "",
        (
            "`id`, `paper_id`, `discipline`, `subdomain`, `question`, `options` (list), `answer` (the ground truth: "
            "a letter for multiple choice, else the value), `rationale`, `voting_type`, `votes` (list), `kind` "
            "(mcq, numeric, exact), `unit`, `tolerance`, `aliases` (list), and `prompt`: a chat (system, user) "
            "ready for a GRPO trainer."
        ),
        "",
        f"## Prompt template `{PROMPT_VERSION}`",
        "",
        "```text",
        PROMPT_TEMPLATE["system"],
        "```",
        "",
        "## Settings",
        "",
        "```json",
        json.dumps(settings.as_dict(), indent=2, ensure_ascii=False),
        "```",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_from_disk" if settings.format == "hf" else "from datasets import load_dataset",
        f"dataset = load_from_disk({str(report.out)!r})" if settings.format == "hf" else f"dataset = load_dataset({str(report.out)!r})",
        "```",
        "",
    ]
    return header + "\n".join(lines)
