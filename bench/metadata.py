"""Score papergym's metadata against the truth of real papers, field by field.

Reads the corpus that bench/metadata_corpus.py builds and prints, for the dev
and the held-out split apart (real papers and TeX Live journal classes apart
too), the share of papers where each field is right: title, first author,
full author list, year (where page 1 prints one), DOI (where printed) and
abstract found. The pypdf info-dict baseline (/Title, /Author) is scored in
the same run, and the time per paper is papergym's whole extraction
(metadata, sections, abstract) of each PDF.

Matching is soft, as in GROBID's end-to-end evaluation: texts are compared
normalised (accents, case, punctuation and spacing dropped) and a title or
abstract opening counts when its Levenshtein ratio is at least 0.8; authors
are compared by surname, in order.

    python bench/metadata_corpus.py && python bench/metadata.py
    python bench/metadata.py --split dev --failures      # what went wrong, dev only
    python bench/metadata.py --set fresh                  # one set of real papers

Real papers come in sets, reported apart (REAL_SETS): PDF-extraction projects'
test files, the papers-we-love reading list, and the "fresh" sets (papers from
more projects' test files, reading lists, lab pages and course folders across the
sciences), each scored once before any rule was written against it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "bench" / "_work" / "metadata_corpus"
FIELDS = ("title", "first_author", "authors", "year", "doi", "abstract")
SOFT_RATIO = 0.8
# Real papers come from two sets: the test files of PDF-extraction projects, and papers-we-love (a reading list of CS papers).
EXTRACTION_SET = "extraction test files"
# "fresh" to "fresh-4": papers from more projects' test files (biomedical, physics, astronomy, social science,
# engineering and CS; fresh-3 has 16 HAL archive papers behind a HAL cover page, fresh-4 11 more and a Chinese
# journal article); "fresh-5": papers committed to reading-list and journal-club repositories (biology, medicine,
# ecology, neuroscience, finance, CS); "fresh-6": papers on lab and personal publication pages (chemistry,
# psychology, medicine, marine biology, physics, materials, economics); "fresh-7": more lab, course and
# proceedings repositories (economics, climate, geophysics, ecology, genomics, AISTATS, reports); "fresh-8":
# replication and reading-group repositories (psychology, statistics, political science, energy, veterinary science,
# security); "fresh-9" to "fresh-19": more reading-group, replication, course, lab and student-project repositories
# across the sciences, from 1828 to 2026 (scans, manuscripts, submission drafts, web pages printed to PDF); "fresh-20":
# old papers as researchers keep them (1936-2021, mostly 1950s-1980s; 9 scans, JSTOR, ResearchGate and HAL covers);
# "fresh-21": lab pages, journal clubs and replication packages, mostly publishers' downloads of 1995-2026 journal
# articles (Elsevier, Wiley, Springer, IEEE, ACM, Nature, PNAS, PLOS, SAGE, T&F, MDPI, Frontiers, JSTOR), 6 scans;
# "fresh-22": 60 papers from chemistry and physics lab pages, biology journal clubs, economics and political science
# course folders, ML reading lists and hydrology course sites (1952-2026: APS, AIP, IOP, ACS, RSC, Cell Press, eLife,
# NEJM, Annual Reviews, AER, JSTOR, Wiley, Elsevier, Springer, Kluwer, AGU and ASCE scans, arXiv); "fresh-23": 60
# papers from high-profile journals (Nature, PNAS, Cell Press), astronomy and mathematics, psychology (Psychological
# Science, Journal of Vision), medicine and epidemiology (JAMA, PLOS Medicine, BMC, AJE scans) and systems and HCI
# (SIGCOMM, CHI, IEEE, CACM scans), 1978-2025; "fresh-24": 60 papers not yet labelled from repositories of the sets
# above (at most two a repository: Nature, Science, PNAS and Physical Review scans, JSTOR covers, working papers,
# arXiv, accepted manuscripts, 1963-2026); "fresh-25": 60 more such papers from other repositories (mostly one a
# repository: IEEE, ACM, Elsevier, Springer, Wiley, SAGE, MDPI, ACS, AIP, Royal Society, PNAS and JSTOR scans, NBER
# and other working papers, arXiv, anonymous submissions, 1927-2026); "fresh-26": 56 papers not yet labelled from
# repositories the sets above have least used (JSTOR scans of Science and economics journals, Econometrica, Cell
# Press, PNAS, ACS, APS, AIP, IOP, AAS, Elsevier, Wiley, Springer, MDPI, IEEE and ACM proceedings, AISTATS, HAL
# covers, arXiv, technical and working papers, 1968-2025); "fresh-27": 46 more of the same kind (1954-2025: scans of
# Science, PNAS, Operations Research and J. Comput. Phys., JSTOR covers, Nature, SAGE, T&F, OUP, Elsevier, IOP, IEEE,
# ACM, ASCE, AIP, PMLR, RSS, technical reports, accepted manuscripts, arXiv, a web page saved as PDF); "fresh-28": 57
# more (1964-2026: AGU, ASCE and JRSS scans, JSTOR, ResearchGate and repository covers, APS, ACS, Elsevier, Springer,
# Wiley, Hindawi, MDPI, Frontiers, Nature Reviews, Royal Society, AEA, SAGE, USENIX, ACM, IEEE, UAI, arXiv, working
# papers, accepted manuscripts, a French conference scan); "fresh-29": 48 more (1972-2025: JSTOR, Chapman & Hall and
# Springer scans, ResearchGate, IOP and T&F covers, ACL, CVPR, SOSP, IHI, PMLR, Nature, PNAS, PRL, PRE, AER, JEP, QJE,
# MNRAS, NAR, BMC, PLOS, SAGE, OUP, Wiley, Elsevier, Hindawi, Annual Reviews, working papers, accepted manuscripts);
# "fresh-30": 54 more (1972-2024: JSTOR and Elsevier scans, a handwritten-over ACL printout, a typewritten working
# paper, eLife, Annual Reviews, MDPI, ACS, Science Advances, PNAS, PLoS, APS, Nature, Lancet, Frontiers, SAGE, AER, AEJ,
# MNRAS, RASTI, VLDB, USENIX, UIST, AAAI, EMNLP, AISTATS, IEEE, technical reports, preprints, manuscripts);
# "fresh-31": 48 not yet labelled from the repositories of the sets above, one a repository, chosen at random (student
# project reports and replication reports beside JSTOR and ResearchGate covers, an author manuscript, an IEEE Xplore
# page printed to PDF, supplements, a News & Views piece, Nature, PNAS, REStud, NSDI, PMLR, Elsevier, Springer, MDPI);
# "fresh-32": 49 more the same way from other repositories (1949-2026: Shannon's reprint, Econometrica, PRL, PNAS,
# IOP and ResearchGate covers, ACM, IEEE, PMLR, WSDM, KDD, book chapters, arXiv preprints, talk notes, student reports,
# a preregistration, a technical memorandum); "fresh-33": 45 more the same way (1973-2026: a JSTOR cover, Science with
# the previous article's end on page 1, a supplement, EPJC, JACM, AER, APA, ACS, ICSE, PLDI, IEEE, Akadémiai Kiadó,
# replication and student reports, a workshop report, drafts without a date); "fresh-34": 46 more the same way (1958-2026:
# a JSTOR cover, Science's 1963 letter, PNAS and Science supplements, MNRAS, Phys. Rev. E, Physica A, J. Neural Eng.,
# Scientific Reports, F1000Research, MDPI, IEEE, ACM, lecture notes, an anonymous workshop submission, student reports);
# "fresh-35": 55 more the same way, one file from each of 120 repositories drawn at random, figures, slides and forms
# left out (1998-2026: JAMA Netw. Open, Science, Sci. Adv., ACS AMI, Bioinformatics briefings, JCP, AER, KDD, Physica A,
# MSB, Sci. Rep., a Swedish report, Vietnamese and Portuguese papers, theses, memos, manuals, student reports);
# "fresh-36": 58 more the same way from another 120 repositories (1977-2025: Nature Biotech., PNAS, Phys. Rev. E,
# Biosens. Bioelectron., Small, Front. Oncol., Vision Res., supplement covers, classic CS papers, a book chapter,
# Italian, French, Vietnamese and Portuguese reports, a thesis, student projects); "fresh-37": 58 more the same way
# (1991-2026: Water Resour. Res., Phys. Rev. Lett., Optics Express, The American Statistician, Nature Astronomy, an
# ATLAS-CMS paper, supplements and appendices, a dissertation overview, a Greek group report, student reports);
# "fresh-38": 44 more the same way (1994-2026: Nature Rev. Neurosci., a Nature comment, MNRAS, PLOS Biol., Cell
# Systems and JAMA supplements, SIGCOMM CCR, Raft, a Springer chapter behind a book cover, lecture scribe notes, memos);
# "fresh-39": 46 more the same way (1961-2026: Lancet Digit. Health, PCCP, Physica A, Science, Am. J. Clin. Nutr., JFP,
# Statistical Science, Ground Water, a Weather Bureau atlas, a Chinese paper, a Scitable page, a JSTOR OCR layer,
# scribe notes, student reports, a workshop template).
# Each was scored once before any rule was written against it.
REAL_SETS = (
    EXTRACTION_SET,
    "papers-we-love",
    "fresh",
    "fresh-2",
    "fresh-3",
    "fresh-4",
    "fresh-5",
    "fresh-6",
    "fresh-7",
    "fresh-8",
    "fresh-9",
    "fresh-10",
    "fresh-11",
    "fresh-12",
    "fresh-13",
    "fresh-14",
    "fresh-15",
    "fresh-16",
    "fresh-17",
    "fresh-18",
    "fresh-19",
    "fresh-20",
    "fresh-21",
    "fresh-22",
    "fresh-23",
    "fresh-24",
    "fresh-25",
    "fresh-26",
    "fresh-27",
    "fresh-28",
    "fresh-29",
    "fresh-30",
    "fresh-31",
    "fresh-32",
    "fresh-33",
    "fresh-34",
    "fresh-35",
    "fresh-36",
    "fresh-37",
    "fresh-38",
    "fresh-39",
)


def normalise(text: str | None) -> str:
    """Text without accents, case, punctuation or repeated spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    letters = "".join(char.lower() if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.split())


def levenshtein_ratio(first: str, second: str) -> float:
    """1 - edit distance / length of the longer text (1.0 for two empty texts)."""
    if not first and not second:
        return 1.0
    if len(first) < len(second):
        first, second = second, first
    previous = list(range(len(second) + 1))
    for row, first_char in enumerate(first, 1):
        current = [row]
        for column, second_char in enumerate(second, 1):
            current.append(min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (first_char != second_char)))
        previous = current
    return 1 - previous[-1] / len(first)


def surname(name: str) -> str:
    """The last word of a normalised name ("J. W. Van Orden" -> "orden")."""
    words = normalise(name).split()
    return words[-1] if words else ""


def title_right(found: str | None, truth: str) -> bool:
    return levenshtein_ratio(normalise(found), normalise(truth)) >= SOFT_RATIO


def abstract_right(found: str | None, truth_start: str) -> bool:
    """Whether the found abstract opens with the truth's first words (soft), within its first lines."""
    wanted = normalise(truth_start)
    have = normalise(found)
    if not have:
        return False
    if wanted in have[: len(wanted) + 200]:
        return True
    return levenshtein_ratio(have[: len(wanted)], wanted) >= SOFT_RATIO


def score(found: dict, truth: dict) -> dict[str, bool | None]:
    """Each field right (True), wrong (False) or not scored (None) for one paper."""
    truth_surnames = [surname(name) for name in truth["authors"]]
    found_surnames = [surname(name) for name in found.get("authors") or []]
    return {
        "title": title_right(found.get("title"), truth["title"]),
        # A paper that names no author has no first author to get right; its empty list is still scored below.
        "first_author": None if not truth_surnames else bool(found_surnames) and found_surnames[0] == truth_surnames[0],
        "authors": found_surnames == truth_surnames,
        "year": None if truth.get("year") is None else found.get("year") == truth["year"],
        "doi": None if not truth.get("doi") else (found.get("doi") or "").lower() == truth["doi"].lower(),
        "abstract": None if not truth.get("abstract_start") else abstract_right(found.get("abstract"), truth["abstract_start"]),
    }


def papergym_fields(path: Path) -> dict:
    """What papergym's import reads from one PDF."""
    from papergym.core.ingest.extract import ExtractError, extract_pdf

    try:
        paper = extract_pdf(str(path))
    except ExtractError as error:
        return {"error": str(error)}
    return {
        "title": paper.title,
        "authors": paper.authors,
        "year": paper.year,
        "doi": paper.doi,
        "abstract": paper.abstract,
        "sources": getattr(paper, "sources", {}),
    }


def info_baseline_fields(path: Path) -> dict:
    """The PDF's own info dictionary, taken as it is: /Title and /Author split at commas, "and" and ";"."""
    import re

    import pypdf

    try:
        info = pypdf.PdfReader(str(path), strict=False).metadata or {}
        title = info.get("/Title")
        author = info.get("/Author")
    except Exception:
        return {}
    names = [name.strip() for name in re.split(r",|;|\band\b|&", str(author or "")) if name.strip()]
    return {"title": str(title) if title else None, "authors": names}


def _share(results: list[dict[str, bool | None]], field: str) -> str:
    scored = [result[field] for result in results if result[field] is not None]
    if not scored:
        return "    -    "
    return f"{100 * sum(scored) / len(scored):5.1f}% ({sum(scored)}/{len(scored)})".ljust(9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", choices=("dev", "held-out", "all"), default="all")
    parser.add_argument("--failures", action="store_true", help="print each wrong field (never use with held-out papers while tuning)")
    parser.add_argument("--json", type=Path, help="also write every paper's fields and scores here")
    parser.add_argument("--set", choices=REAL_SETS, help="only the real papers of one set")
    arguments = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    corpus_file = arguments.corpus / "corpus.json"
    if not corpus_file.exists():
        sys.exit(f"no corpus at {arguments.corpus}; run python bench/metadata_corpus.py first")
    papers = json.loads(corpus_file.read_text())
    if arguments.split != "all":
        papers = [paper for paper in papers if paper["split"] == arguments.split]
    if arguments.set:
        papers = [paper for paper in papers if paper["kind"] == "real" and paper.get("set", EXTRACTION_SET) == arguments.set]

    rows = []
    papergym_seconds = 0.0
    for paper in papers:
        path = arguments.corpus / paper["file"]
        started = time.perf_counter()
        found = papergym_fields(path)
        papergym_seconds += time.perf_counter() - started
        baseline = info_baseline_fields(path)
        rows.append({"paper": paper, "found": found, "papergym": score(found, paper), "baseline": score(baseline, paper)})

    print(f"{len(papers)} papers; papergym {1000 * papergym_seconds / max(len(papers), 1):.0f} ms per paper (whole extraction)")
    header = "".ljust(28) + "".join(field.ljust(19) for field in FIELDS)
    groups = [(f"real papers, {name}", kind_set) for name, kind_set in ((paper_set, ("real", paper_set)) for paper_set in REAL_SETS)]
    groups += [("real papers, all", ("real", None)), ("tex papers", ("tex", None))]
    for label_prefix, (kind, paper_set) in groups:
        for split in ("dev", "held-out"):
            chosen = [
                row
                for row in rows
                if row["paper"]["kind"] == kind
                and row["paper"]["split"] == split
                and (paper_set is None or row["paper"].get("set", EXTRACTION_SET) == paper_set)
            ]
            if not chosen:
                continue
            print(f"\n{label_prefix}, {split} ({len(chosen)})")
            print(header)
            for who in ("papergym", "baseline"):
                label = "papergym" if who == "papergym" else "pypdf info dict"
                print(label.ljust(28) + "".join(_share([row[who] for row in chosen], field).ljust(19) for field in FIELDS))

    if arguments.failures:
        print("\nFailures (papergym):")
        for row in rows:
            wrong = [field for field, right in row["papergym"].items() if right is False]
            if not wrong:
                continue
            paper, found = row["paper"], row["found"]
            print(f"- {paper['id']} [{paper['split']}]: {', '.join(wrong)}")
            for field in wrong:
                key = {"first_author": "authors", "abstract": "abstract_start"}.get(field, field)
                have = found.get("abstract", "")[:90] if field == "abstract" else found.get(key)
                print(f"    {field}: found {have!r}\n    {' ' * len(field)}  truth {paper.get(key)!r}")
    if arguments.json:
        arguments.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
