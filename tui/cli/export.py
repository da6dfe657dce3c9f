"""Commands that move questions in and out of the library: export, import-questions."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from papergym.core.errors import PapergymError
from papergym.tui.cli.common import clip, echo_json, library_option, open_library

FORMAT_CHOICES = ("hf", "parquet", "jsonl")


def _print_export_summary(report) -> None:
    splits = list(report.splits)
    disciplines = sorted({name for counts in report.disciplines.values() for name in counts})
    width = max([10, *(len(name) for name in disciplines)])
    width = min(width, 40)
    click.echo(f"{'DISCIPLINE':{width}}  " + "  ".join(f"{name.upper():>10}" for name in splits) + f"  {'TOTAL':>8}")
    for name in disciplines:
        counts = [report.disciplines[split].get(name, 0) for split in splits]
        click.echo(f"{clip(name, width):{width}}  " + "  ".join(f"{count:>10}" for count in counts) + f"  {sum(counts):>8}")
    click.echo(f"{'all':{width}}  " + "  ".join(f"{report.splits[split]:>10}" for split in splits) + f"  {report.written:>8}")
    click.echo(f"{'papers':{width}}  " + "  ".join(f"{report.papers[split]:>10}" for split in splits))
    if report.alignment:
        removed = sum(row["removed"] for row in report.alignment.values())
        alpha = report.settings["align_alpha"]
        click.echo(f"\nAligned the train split to the target (alpha {alpha:g}): {removed} questions left out.")
        click.echo(f"{'DISCIPLINE':{width}}  {'BEFORE':>8}  {'SHARE':>6}  {'AFTER':>8}  {'REMOVED':>8}")
        for name, row in report.alignment.items():
            click.echo(f"{clip(name, width):{width}}  {row['before']:>8}  {row['share']:>6.3f}  {row['after']:>8}  {row['removed']:>8}")
    if report.learnable:
        left_out = ", ".join(f"{count} {reason}" for reason, count in report.learnable.items() if reason != "kept" and count)
        band = report.settings["learnable"]
        click.echo(
            f"\nLearnable band {band['low']:g}-{band['high']:g} above chance: kept {report.learnable['kept']}"
            + (f", left out {left_out}." if left_out else ".")
        )
    if report.settings.get("order") == "difficulty":
        click.echo("Each split is written easy to hard (highest measured pass rate first, unmeasured questions last).")
    if report.stale_bytes_removed:
        click.echo(f"\nRemoved {report.stale_bytes_removed / 1e6:.1f} MB that an interrupted export had left beside {report.out.name}.")
    empty = [split for split, count in report.splits.items() if not count]
    if empty:
        click.echo(
            f"\n{' and '.join(empty)} got no questions and {'were' if len(empty) > 1 else 'was'} not written "
            f"(too few papers for {'their shares' if len(empty) > 1 else 'its share'})."
        )
    click.echo(
        f"\nWrote {report.written} of {report.selected} selected questions as {report.format} to {report.out} "
        f"in {report.seconds:.1f} s (README.md describes the dataset)."
    )


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    default="hf",
    show_default=True,
    help="hf: a DatasetDict folder (datasets.load_from_disk); parquet or jsonl: one file per split.",
)
@click.option(
    "--status",
    "statuses",
    default="accepted",
    show_default=True,
    help="Comma-separated question statuses to export (draft, passed, flagged, dropped, accepted, rejected).",
)
@click.option(
    "--vote-types", default=None, help="Only questions with these voting types, e.g. all_aligned,majority_aligned (default: any)."
)
@click.option(
    "--split",
    "split",
    default="train=0.9,validation=0.05,test=0.05",
    show_default=True,
    help="Split names and ratios; a paper's questions always stay in one split.",
)
@click.option(
    "--align-alpha",
    type=float,
    default=None,
    help="Reshape the train split toward the target topic distribution raised to this power (1 matches it, 0 is uniform).",
)
@click.option(
    "--target",
    default=None,
    metavar="FILE|library",
    help="Target discipline weights for --align-alpha: a .json/.toml file, or 'library' (its papers' shares). Default: the taxonomy's.",
)
@click.option(
    "--learnable",
    is_flag=True,
    help="Only questions the model to be trained solves sometimes (measured by `papergym check --steps learnability`).",
)
@click.option(
    "--band",
    default="0.1,0.9",
    show_default=True,
    metavar="LOW,HIGH",
    help="With --learnable: the pass rate above chance, (pass - chance) / (1 - chance), must lie between LOW and HIGH.",
)
@click.option("--learnability-model", default=None, help="Whose pass rates count (default: each question's newest measurement).")
@click.option(
    "--order",
    type=click.Choice(["default", "difficulty"]),
    default="default",
    show_default=True,
    help="difficulty: write each split easy to hard by measured pass rate (a curriculum; unmeasured questions last).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the split and the alignment.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it holds an earlier export.")
@click.option("--json", "as_json", is_flag=True, help="Print the export's report as one JSON object.")
@library_option
@click.pass_context
def export(
    ctx,
    out,
    fmt,
    statuses,
    vote_types,
    split,
    align_alpha,
    target,
    learnable,
    band,
    learnability_model,
    order,
    seed,
    overwrite,
    as_json,
    library_dir,
):
    """Export questions as a training dataset with train/validation/test splits.

    Splits are drawn by paper (no paper in two splits) and stratified by
    discipline. OUT appears only when the export is complete.
    """
    from papergym.core.dataset.export import ExportSettings, export_dataset
    from papergym.core.quality.learnability import LearnableBand

    try:
        settings = ExportSettings(
            out=out,
            format=fmt,
            statuses=tuple(statuses.split(",")),
            vote_types=tuple(vote_types.split(",")) if vote_types else None,
            split=split,
            align_alpha=align_alpha,
            target=target,
            seed=seed,
            overwrite=overwrite,
            learnable=LearnableBand.parse(band) if learnable else None,
            learnability_model=learnability_model,
            order=order,
        )
        library = open_library(ctx, library_dir)
        show = (lambda step, done, total: click.echo(f"{step}…", err=True)) if not as_json and sys.stderr.isatty() else None
        report = export_dataset(library, settings, on_progress=show)
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json(report.as_dict())
    else:
        _print_export_summary(report)


@click.command("import-questions")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--status", default="draft", show_default=True, help="Status the imported questions get (draft lets `papergym check` vet them)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the import's report as one JSON object.")
@library_option
@click.pass_context
def import_questions_command(ctx, path, status, as_json, library_dir):
    """Import questions from a WildSci-style JSON lines or Parquet file.

    Rows need question and answer (a letter, a 0-based index or the option's
    text) and, for multiple choice, options. Importing the same file again
    adds nothing; unusable rows are skipped and counted by reason.
    """
    from papergym.core.dataset.import_questions import import_questions

    try:
        library = open_library(ctx, library_dir)
        report = import_questions(library, path, status=status)
    except PapergymError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(
        f"Imported {report.added} new questions from {report.rows} rows of {path} as {status}"
        f" ({report.already_present} already in the library, {report.skipped} skipped) in {report.seconds:.1f} s."
    )
    if report.reasons:
        click.echo("Skipped rows, by reason:")
        for reason, count in report.reasons.most_common(8):
            click.echo(f"  {count:6} × {reason}")
        click.echo("First skipped rows:" if report.skipped > len(report.examples) else "The skipped rows:")
        for example in report.examples:
            click.echo(f"  {example}")
        if report.skipped > len(report.examples):
            click.echo(f"  … and {report.skipped - len(report.examples)} more; --json lists every skipped line with its reason.")
