"""Rebuild the real-paper corpus that bench/metadata.py scores metadata against.

Two parts, written under one folder (default bench/_work/metadata_corpus):

- real: scientific PDFs that PDF-extraction projects keep as test files
  (GROBID, CERMINE, science-parse, papermage, ...), and the papers of the
  papers-we-love reading list (CS papers from the 1930s to now: scans,
  old TeX fonts, cover sheets, USENIX and ACM layouts), whose truth was read
  off images of their first pages. They are third-party
  files, so they are never committed: this script copies them out of the
  snapshots that the `fetch` tool leaves under /work/.mirror (or any folder
  of bare git mirrors named owner+name). Their truth, read from the papers'
  own first pages, is bench/metadata_truth.json.
- tex: real journal classes from TeX Live (revtex, elsarticle, IEEEtran,
  acmart, llncs, aastex, mnras, achemso, amsart, cas-dc) compiled with
  pdflatex around front matter this script writes, so their truth is exact.

Every paper gets a split, "dev" or "held-out", from a fixed hash of its id
(about 30% held out), so the split never moves when papers are added.

    python bench/metadata_corpus.py                       # both parts
    python bench/metadata_corpus.py --mirrors DIR --out DIR --no-tex
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRUTH_PATH = ROOT / "bench" / "metadata_truth.json"
DEFAULT_OUT = ROOT / "bench" / "_work" / "metadata_corpus"
DEFAULT_MIRRORS = Path("/work/.mirror")
HELD_OUT_PERCENT = 30


def split_of(paper_id: str) -> str:
    """ "held-out" for about 30% of ids, by a hash that never changes, else "dev"."""
    bucket = int(hashlib.sha256(paper_id.encode()).hexdigest()[:8], 16) % 100
    return "held-out" if bucket < HELD_OUT_PERCENT else "dev"


def _mirror_git_dir(mirrors: Path, repo: str) -> Path | None:
    """The bare git directory of a fetched repository, or None when it was not fetched."""
    folder = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (folder / ".git", folder):
        if (candidate / "HEAD").exists():
            return candidate
    return None


def build_real(mirrors: Path, out: Path) -> list[dict]:
    """Copy the real papers named in the truth file out of their mirrors."""
    rows = json.loads(TRUTH_PATH.read_text())
    papers = []
    missing_repos: set[str] = set()
    for row in rows:
        git_dir = _mirror_git_dir(mirrors, row["repo"])
        if git_dir is None:
            missing_repos.add(row["repo"])
            continue
        paper_id = f"{row['repo']}:{row['path']}"
        file_name = hashlib.sha256(paper_id.encode()).hexdigest()[:16] + ".pdf"
        target = out / "real" / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        # A file a project has since deleted is read from the commit the truth names.
        revision = row.get("commit", "HEAD")
        blob = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{revision}:{row['path']}"], capture_output=True)
        if blob.returncode != 0 or not blob.stdout.startswith(b"%PDF"):
            print(f"skipped {paper_id}: not in the mirror at {revision}", file=sys.stderr)
            continue
        target.write_bytes(blob.stdout)
        papers.append({**row, "id": paper_id, "kind": "real", "file": str(target.relative_to(out)), "split": split_of(paper_id)})
    for repo in sorted(missing_repos):
        print(f"not fetched: {repo} (fetch it, then run this again)", file=sys.stderr)
    return papers


# --- TeX Live journal classes ------------------------------------------------

PEOPLE = [
    ("Mira", "Castellanos"),
    ("Tobias", "Lindqvist"),
    ("Hana", "Okafor"),
    ("Jonas", "Everett-Kimura"),
    ("Ana Luísa", "Prado"),
    ("Fergus", "McAllister"),
    ("Ingrid", "Solberg"),
    ("Rafael", "Ibarra"),
    ("Chidi", "Nwosu"),
    ("Wen-Li", "Zhou"),
    ("Pieter", "van der Merwe"),
    ("Sofía", "Gutiérrez"),
    ("Kwame", "Mensah"),
    ("Yuki", "Tanabe"),
    ("Olga", "Petrova"),
    ("Liam", "O'Donnell"),
]
TITLES = [
    "Cross-plane thermal conductivity of amorphous alumina films from 10 to 200 nm",
    "Hiding effects in bimodal sand and gravel mixtures",
    "A lattice Boltzmann study of droplet coalescence on patterned surfaces",
    "Kinetics of nitrophenol reduction over silver nanoparticles supported on ceria",
    "Sparse recovery of gene regulatory networks from single-cell time series",
    "Magnetotransport in twisted bilayer graphene near the magic angle",
    "Early detection of sepsis with multi-output Gaussian processes",
    "Photometric redshifts of faint galaxies with gradient-boosted trees",
    "Strain-tunable excitons in monolayer tungsten diselenide",
    "Scheduling moldable jobs on heterogeneous clusters with energy budgets",
    "Metabolomic signatures of heat stress in durum wheat",
    "Robust estimation of diffusion coefficients from short trajectories",
]
ABSTRACT = (
    "We report measurements and a model of the quantity named in the title. "
    "Samples were prepared under controlled conditions and characterised by two independent methods. "
    "The results agree with the model within the experimental uncertainty and point to the mechanism that limits it."
)
BODY = r"""
\section{Introduction}
The question addressed here has a long history \cite{ref1}. Earlier studies reported values that differ by a factor of two, and the reason for the spread has not been settled.
In this work we combine a careful measurement with a simple model.
\section{Methods}
Samples were prepared as described before. Each measurement was repeated five times and the standard deviation is reported as the uncertainty.
\subsection{Model}
The model has two parameters, fitted by least squares to the data.
\section{Results}
The measured values increase with thickness and saturate above 100 nm. Table~1 lists them.
\section{Discussion}
The saturation agrees with a boundary-scattering picture in which the mean free path is limited by the film thickness.
\section{Conclusions}
A simple model explains the data.
\begin{thebibliography}{9}
\bibitem{ref1} A. Author and B. Author, J. Demo. Phys. \textbf{12}, 41 (2019).
\end{thebibliography}
"""


def _people(variant: int, count: int) -> list[tuple[str, str]]:
    return [PEOPLE[(variant * 5 + index * 3) % len(PEOPLE)] for index in range(count)]


def _tex_revtex(title: str, people, variant: int) -> str:
    journal = ["prb", "prl", "pre"][variant % 3]
    authors = "\n".join(
        f"\\author{{{given} {surname}}}\n\\affiliation{{Department of Physics, University of Eastvale {index}, Eastvale}}"
        for index, (given, surname) in enumerate(people)
    )
    return rf"""\documentclass[aps,{journal},twocolumn,superscriptaddress]{{revtex4-2}}
\begin{{document}}
\title{{{title}}}
{authors}
\date{{\today}}
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\maketitle
{BODY}
\end{{document}}"""


def _tex_elsarticle(title: str, people, variant: int) -> str:
    authors = "\n".join(f"\\author[a{index % 2}]{{{given} {surname}}}" for index, (given, surname) in enumerate(people))
    option = ["preprint,12pt", "review", "5p,twocolumn"][variant % 3]
    return rf"""\documentclass[{option}]{{elsarticle}}
\journal{{Journal of Demonstrative Materials}}
\begin{{document}}
\begin{{frontmatter}}
\title{{{title}}}
{authors}
\affiliation[a0]{{organization={{School of Chemistry, Kestrel Bay University}},city={{Kestrel Bay}},country={{Ostria}}}}
\affiliation[a1]{{organization={{Centre for Catalysis Research, Marwick Polytechnic}},city={{Marwick}},country={{Ostria}}}}
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\begin{{keyword}}thin films \sep heat transport\end{{keyword}}
\end{{frontmatter}}
{BODY}
\end{{document}}"""


def _tex_ieeetran(title: str, people, variant: int) -> str:
    if variant % 2:
        authors = " \\and ".join(
            f"\\IEEEauthorblockN{{{given} {surname}}}\\IEEEauthorblockA{{Dept. of Engineering\\\\Norrhaven Institute of Technology}}"
            for given, surname in people
        )
        return rf"""\documentclass[conference]{{IEEEtran}}
\begin{{document}}
\title{{{title}}}
\author{{{authors}}}
\maketitle
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\begin{{IEEEkeywords}}scheduling, energy\end{{IEEEkeywords}}
{BODY}
\end{{document}}"""
    names = ", ".join(f"{given} {surname}" for given, surname in people[:-1]) + f", and {people[-1][0]} {people[-1][1]}"
    return rf"""\documentclass[journal]{{IEEEtran}}
\begin{{document}}
\title{{{title}}}
\author{{{names}%
\thanks{{Manuscript received March 3, 2022; revised May 1, 2022.}}}}
\markboth{{IEEE Transactions on Demonstrative Engineering, Vol. 14, No. 2, 2022}}{{Shell}}
\maketitle
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\begin{{IEEEkeywords}}scheduling, energy\end{{IEEEkeywords}}
{BODY}
\end{{document}}"""


def _tex_acmart(title: str, people, variant: int) -> str:
    style = ["sigconf", "acmsmall", "sigplan"][variant % 3]
    authors = "\n".join(
        f"\\author{{{given} {surname}}}\n\\affiliation{{\\institution{{Greymoor University}}\\city{{Greymoor}}\\country{{Estmere}}}}\\email{{{surname.lower().replace(' ', '')}@example.org}}"
        for given, surname in people
    )
    return rf"""\PassOptionsToPackage{{expansion=false}}{{microtype}}
\documentclass[{style}]{{acmart}}
\setcopyright{{acmlicensed}}
\acmYear{{2023}}\acmDOI{{10.1145/3580305.{3599000 + variant}}}
\acmConference[KDD '23]{{Demonstration Conference}}{{August 6--10, 2023}}{{Long Beach, CA, USA}}
\begin{{document}}
\title{{{title}}}
{authors}
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\keywords{{scheduling, energy}}
\maketitle
{BODY}
\end{{document}}"""


def _tex_llncs(title: str, people, variant: int) -> str:
    names = " \\and ".join(f"{given} {surname}\\inst{{{index % 2 + 1}}}" for index, (given, surname) in enumerate(people))
    return rf"""\documentclass{{llncs}}
\begin{{document}}
\title{{{title}}}
\author{{{names}}}
\institute{{Lakemont University, Lakemont \and Institute of Demonstration, Marwick}}
\maketitle
\begin{{abstract}}{ABSTRACT}\keywords{{scheduling \and energy}}\end{{abstract}}
{BODY}
\end{{document}}"""


def _tex_aastex(title: str, people, variant: int) -> str:
    authors = "\n".join(f"\\author{{{given} {surname}}}\n\\affiliation{{Observatory of Eastvale, Eastvale}}" for given, surname in people)
    return rf"""\documentclass[twocolumn]{{aastex631}}
\begin{{document}}
\title{{{title}}}
{authors}
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\keywords{{galaxies: photometry}}
{BODY}
\end{{document}}"""


def _tex_mnras(title: str, people, variant: int) -> str:
    names = ", ".join(f"{given} {surname}$^{{{index % 2 + 1}}}$" for index, (given, surname) in enumerate(people))
    return rf"""\documentclass[fleqn]{{mnras}}
\title[Short title]{{{title}}}
\author[{people[0][0][0]}. {people[0][1]} et al.]{{{names}\\
$^{{1}}$Observatory of Eastvale, Eastvale\\
$^{{2}}$Institute of Demonstration, Marwick}}
\date{{Accepted 2021 May 3. Received 2021 April 1}}
\pubyear{{2021}}
\begin{{document}}
\label{{firstpage}}
\pagerange{{\pageref{{firstpage}}--\pageref{{lastpage}}}}
\maketitle
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\begin{{keywords}}galaxies: photometry\end{{keywords}}
{BODY}
\label{{lastpage}}
\end{{document}}"""


def _tex_achemso(title: str, people, variant: int) -> str:
    authors = "\n".join(
        f"\\author{{{given} {surname}}}\n\\affiliation{{School of Chemistry, Kestrel Bay University}}" for given, surname in people
    )
    return rf"""\documentclass[journal=jacsat,manuscript=article]{{achemso}}
{authors}
\email{{{people[0][1].lower()}@example.org}}
\title{{{title}}}
\begin{{document}}
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
{BODY}
\end{{document}}"""


def _tex_amsart(title: str, people, variant: int) -> str:
    authors = "\n".join(
        f"\\author{{{given} {surname}}}\n\\address{{Department of Mathematics, Lakemont University}}" for given, surname in people
    )
    return rf"""\documentclass{{amsart}}
\begin{{document}}
\title{{{title}}}
{authors}
\date{{March 3, 2020}}
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\maketitle
{BODY}
\end{{document}}"""


def _tex_cas(title: str, people, variant: int) -> str:
    authors = "\n".join(f"\\author[{index % 2 + 1}]{{{given} {surname}}}" for index, (given, surname) in enumerate(people))
    return rf"""\documentclass[a4paper,fleqn]{{cas-dc}}
\begin{{document}}
\shorttitle{{Short}}
\shortauthors{{{people[0][1]} et al.}}
\title[mode=title]{{{title}}}
{authors}
\affiliation[1]{{organization={{School of Chemistry, Kestrel Bay University}},country={{Ostria}}}}
\affiliation[2]{{organization={{Marwick Polytechnic}},country={{Ostria}}}}
\begin{{abstract}}{ABSTRACT}\end{{abstract}}
\begin{{keywords}}thin films \sep heat\end{{keywords}}
\maketitle
{BODY}
\end{{document}}"""


TEMPLATES = {
    "revtex": (_tex_revtex, "revtex4-2.cls"),
    "elsarticle": (_tex_elsarticle, "elsarticle.cls"),
    "ieeetran": (_tex_ieeetran, "IEEEtran.cls"),
    "acmart": (_tex_acmart, "acmart.cls"),
    "llncs": (_tex_llncs, "llncs.cls"),
    "aastex": (_tex_aastex, "aastex631.cls"),
    "mnras": (_tex_mnras, "mnras.cls"),
    "achemso": (_tex_achemso, "achemso.cls"),
    "amsart": (_tex_amsart, "amsart.cls"),
    "cas": (_tex_cas, "cas-dc.cls"),
}
VARIANTS_PER_TEMPLATE = 3
# Years that the templates print on page 1; the others print none.
_PRINTED_YEAR = {"acmart": 2023, "mnras": 2021, "ieeetran-journal": 2022}


def build_tex(out: Path) -> list[dict]:
    """Compile each journal class around written front matter; classes TeX Live lacks are skipped."""
    if shutil.which("pdflatex") is None:
        print("pdflatex not found: the tex part is skipped (apt-get install texlive-publishers)", file=sys.stderr)
        return []
    papers = []
    for template_index, (name, (make_source, class_file)) in enumerate(TEMPLATES.items()):
        if subprocess.run(["kpsewhich", class_file], capture_output=True).returncode != 0:
            print(f"skipped {name}: {class_file} is not installed", file=sys.stderr)
            continue
        for variant in range(VARIANTS_PER_TEMPLATE):
            number = template_index * VARIANTS_PER_TEMPLATE + variant
            title = TITLES[number % len(TITLES)]
            people = _people(number, 2 + (number % 4))
            source = make_source(title, people, variant)
            paper_id = f"tex:{name}-{variant}"
            target = out / "tex" / f"{name}-{variant}.pdf"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _compile(source, target):
                print(f"skipped {paper_id}: pdflatex failed", file=sys.stderr)
                continue
            year_key = "ieeetran-journal" if name == "ieeetran" and variant % 2 == 0 else name
            doi = f"10.1145/3580305.{3599000 + variant}" if name == "acmart" else None
            papers.append(
                {
                    "id": paper_id,
                    "kind": "tex",
                    "file": str(target.relative_to(out)),
                    "split": split_of(paper_id),
                    "title": title,
                    "authors": [f"{given} {surname}" for given, surname in people],
                    "year": _PRINTED_YEAR.get(year_key),
                    "doi": doi,
                    "abstract_start": ABSTRACT[:60],
                }
            )
    return papers


def _compile(source: str, target: Path) -> bool:
    """Run pdflatex twice on a source; True when the PDF was written."""
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "paper.tex").write_text(source)
        for _ in range(2):
            subprocess.run(["pdflatex", "-interaction=nonstopmode", "paper.tex"], cwd=work, capture_output=True, timeout=120)
        built = Path(work) / "paper.pdf"
        if not built.exists():
            return False
        shutil.copyfile(built, target)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS, help="folder of fetched bare git mirrors (owner+name/repo)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-tex", action="store_true", help="keep the TeX Live part already built instead of compiling it again")
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    papers = build_real(arguments.mirrors, arguments.out)
    corpus_file = arguments.out / "corpus.json"
    if not arguments.no_tex:
        papers += build_tex(arguments.out)
    elif corpus_file.exists():
        papers += [paper for paper in json.loads(corpus_file.read_text()) if paper["kind"] == "tex"]
    corpus_file.write_text(json.dumps(papers, ensure_ascii=False, indent=1))
    for kind in ("real", "tex"):
        chosen = [paper for paper in papers if paper["kind"] == kind]
        held_out = sum(paper["split"] == "held-out" for paper in chosen)
        print(f"{kind}: {len(chosen)} papers ({len(chosen) - held_out} dev, {held_out} held-out)")
    print(f"corpus written to {arguments.out}")


if __name__ == "__main__":
    main()
