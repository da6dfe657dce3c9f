"""Build small real PDF files for tests and benchmarks, with no TeX and no third-party files."""

from __future__ import annotations

import io
import zlib
from pathlib import Path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A PDF with one Helvetica text line per entry on each page, written by hand."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages)  # placeholder, fixed below
    page_ids = []
    content_ids = []
    for lines in pages:
        ops = ["BT", "/F1 10 Tf", "12 TL", "60 760 Td"]
        for line in lines:
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = zlib.compress("\n".join(ops).encode("cp1252", "replace"))
        content_ids.append(add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"))
        page_ids.append(add(b""))  # filled once the Pages id is known
    pages_id = add(b"")
    for page_id, content_id in zip(page_ids, content_ids):
        objects[page_id - 1] = (
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content_id, font)
        )
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info_id = None
    if info:
        entries = b" ".join(b"/%s (%s)" % (key.encode(), _escape(value).encode("latin-1", "replace")) for key, value in info.items())
        info_id = add(b"<< " + entries + b" >>")
    return _assemble(objects, catalog, info_id)


def image_only_pdf(page_count: int = 2) -> bytes:
    """A PDF whose pages hold only a grey image, like a scan with no text layer."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    pixels = bytes((x * 7 + y * 3) % 256 for y in range(64) for x in range(64))
    data = zlib.compress(pixels)
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    )
    draw = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
    content = add(b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
    page_ids = [add(b"") for _ in range(page_count)]
    pages_id = add(b"")
    for page_id in page_ids:
        objects[page_id - 1] = (
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /XObject << /Im1 %d 0 R >> >> >>" % (pages_id, content, image)
        )
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, page_count)
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    return _assemble(objects, catalog, None)


def _assemble(objects: list[bytes], catalog: int, info: int | None) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


SAMPLE_WORDS = [
    "diffusion",
    "coefficient",
    "measured",
    "temperature",
    "sample",
    "enzyme",
    "rate",
    "constant",
    "thermal",
    "conductivity",
    "film",
    "sediment",
    "flux",
    "catalyst",
    "yield",
    "spectra",
    "fluorescence",
    "lattice",
    "phonon",
    "scattering",
    "kinetic",
    "model",
    "variance",
    "protein",
    "expression",
    "stress",
    "response",
    "groundwater",
    "recharge",
    "aquifer",
    "porosity",
    "particle",
    "velocity",
]


def paper_pages(title: str, seed: int = 0, body_pages: int = 2, lines_per_page: int = 50) -> list[list[str]]:
    """Pages of a plausible paper: title, authors, abstract, headed sections, references."""
    import random

    rng = random.Random(seed)

    def sentence() -> str:
        words = [rng.choice(SAMPLE_WORDS) for _ in range(rng.randint(8, 14))]
        return " ".join(words).capitalize() + f" at {rng.randint(2, 900)} K."

    headings = ["1 Introduction", "2 Methods", "3 Results", "4 Discussion", "5 Conclusion"]
    lines = [title, "A. Author, B. Writer", "", "Abstract", sentence(), sentence(), ""]
    per_section = max(3, (body_pages * lines_per_page) // len(headings) - 2)
    for heading in headings:
        lines += [heading] + [sentence() for _ in range(per_section)] + [""]
    lines += ["References", "[1] A. Author, J. Demo. 1 (2020) 1-2."]
    return [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]


def write_paper(path: Path, title: str, seed: int = 0, body_pages: int = 2) -> Path:
    path.write_bytes(text_pdf(paper_pages(title, seed, body_pages), info={"Title": title, "Author": "A. Author; B. Writer"}))
    return path


def encrypted_pdf(source: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    """The same document encrypted with AES-256."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
