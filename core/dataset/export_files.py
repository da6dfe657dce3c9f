"""An export's files on disk: the output folder's checks, each format's writer, and the swap into place.

Everything is written into a hidden folder next to OUT and renamed into place
at the end: an export that fails or is cancelled leaves OUT as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from papergym.core.errors import PapergymError
from papergym.core.ids import file_sha256

if TYPE_CHECKING:
    import pyarrow


MANIFEST_NAME = "export.json"
# In the manifest: every file the export wrote (relative path -> SHA-256), and a hash of that list, so
# --overwrite can tell an untouched papergym export from a folder that merely holds a file named export.json.
FILES_KEY = "written_files"
FILES_HASH_KEY = "written_files_hash"


class OutputFolderTaken(PapergymError):
    """OUT holds files: an earlier export (replaceable when asked) or something else (never deleted)."""

    def __init__(self, out: Path, earlier_export: bool, foreign: str | None = None) -> None:
        self.out, self.earlier_export, self.foreign = out, earlier_export, foreign
        if earlier_export:
            message = f"{out} already exists and is not empty; pass --overwrite to replace it, or choose a new folder."
        elif foreign:
            message = (
                f"{out} holds {foreign}, which papergym did not write (or which changed since), so --overwrite will not delete "
                "the folder; move what you want to keep out of it, or choose a new folder."
            )
        else:
            message = f"{out} is not a papergym export (it has no export.json), so --overwrite will not delete it; choose a new folder."
        super().__init__(message)


def _listing_hash(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()


def write_manifest(staging: Path, manifest: dict) -> None:
    """Write export.json with the list and hashes of every other file in the export, the mark that papergym wrote them."""
    files = {
        path.relative_to(staging).as_posix(): file_sha256(path)
        for path in sorted(staging.rglob("*"))
        if path.is_file() and path.name != MANIFEST_NAME
    }
    marked = {**manifest, FILES_KEY: files, FILES_HASH_KEY: _listing_hash(files)}
    (staging / MANIFEST_NAME).write_text(json.dumps(marked, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _foreign_file(out: Path) -> str | None:
    """The first file in OUT that the export recorded in its export.json did not write (or that changed since); None if none.

    An export from before the hashes were recorded is trusted by its file names alone.
    """
    try:
        manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return MANIFEST_NAME
    if not isinstance(manifest, dict):
        return MANIFEST_NAME
    present = sorted(path for path in out.rglob("*") if path.name != MANIFEST_NAME or path.parent != out)
    files = manifest.get(FILES_KEY)
    if isinstance(files, dict):
        if manifest.get(FILES_HASH_KEY) != _listing_hash({str(name): str(digest) for name, digest in files.items()}):
            return MANIFEST_NAME
        for path in present:
            name = path.relative_to(out).as_posix()
            if path.is_symlink() or (not path.is_dir() and (name not in files or file_sha256(path) != files[name])):
                return name
            if path.is_dir() and not any(listed.startswith(name + "/") for listed in files):
                return name + "/"
        return None
    listed = manifest.get("files")
    if not isinstance(listed, list):
        return MANIFEST_NAME
    recorded_out = str(manifest.get("out") or "")
    names = {str(item).removeprefix(recorded_out).lstrip("/\\") for item in listed if isinstance(item, str)}
    for path in present:
        name = path.relative_to(out).as_posix()
        if path.is_symlink() or (not path.is_dir() and name not in names):
            return name
        if path.is_dir() and not any(listed_name.startswith(name + "/") for listed_name in names):
            return name + "/"
    return None


# A staging folder from before its name carried the writer's pid is stale once this old.
LEGACY_STAGING_AGE_SECONDS = 3600


def check_out_folder(out: Path, overwrite: bool) -> None:
    """Refuse before any work is done, so a long export never fails at the very end."""
    for ancestor in out.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise PapergymError(f"{ancestor} is a file, so {out} cannot be made inside it; choose another folder for the export.")
            break
    if not out.exists():
        return
    if not out.is_dir():
        raise PapergymError(f"{out} is a file; give the export a folder name.")
    if any(out.iterdir()):
        if not overwrite:
            raise OutputFolderTaken(out, earlier_export=True)
        if not (out / MANIFEST_NAME).is_file():
            raise OutputFolderTaken(out, earlier_export=False)
        foreign = _foreign_file(out)
        if foreign is not None:
            raise OutputFolderTaken(out, earlier_export=False, foreign=foreign)


def write_split(fmt: str, table: pyarrow.Table, staging: Path, name: str) -> list[Path]:
    """One split's data files (the hf format writes all splits at once in ``write_hf``)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        path = staging / f"{name}.parquet"
        pq.write_table(table, path)
        return [path]
    path = staging / f"{name}.jsonl"
    dumps = json.dumps
    with path.open("w", encoding="utf-8") as handle:
        for batch in table.to_batches(max_chunksize=20_000):
            handle.write("".join(dumps(row, ensure_ascii=False) + "\n" for row in batch.to_pylist()))
    return [path]


def write_hf(tables: dict[str, pyarrow.Table], staging: Path) -> list[Path]:
    """All splits as a Hugging Face ``DatasetDict`` saved to disk; returns every file it wrote."""
    from datasets import Dataset, DatasetDict
    from datasets.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    # Its progress bars would scribble over the command's own output; the caller reports progress.
    bars_were_on = not are_progress_bars_disabled()
    disable_progress_bars()
    try:
        DatasetDict({name: Dataset(table) for name, table in tables.items()}).save_to_disk(str(staging))
    finally:
        if bars_were_on:
            enable_progress_bars()
    return sorted(path for path in staging.rglob("*") if path.is_file())


def data_files_pattern(fmt: str, name: str) -> str:
    """Where one split's data lies inside the export folder, as the dataset card's ``data_files`` names it."""
    return {"hf": f"{name}/*.arrow", "parquet": f"{name}.parquet", "jsonl": f"{name}.jsonl"}[fmt]


def move_into_place(staging: Path, out: Path) -> None:
    """Swap the finished folder in: move an old export aside, rename the new one, then delete the old."""
    old = None
    if out.exists():
        if any(out.iterdir()):
            old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
            out.rename(old)
        else:
            out.rmdir()
    try:
        staging.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def make_staging_folder(out: Path) -> Path:
    """A new hidden folder next to OUT, named with this process's id so a later export can tell when it was left behind."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # A plain mkdir (not mkdtemp's private 0700) so the finished folder gets the user's usual permissions.
    staging = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.{os.getpid()}.partial"
    staging.mkdir()
    return staging


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def sweep_stale_staging(out: Path) -> int:
    """Remove what exports to OUT killed mid-write left beside it; returns the bytes freed.

    A staging folder is stale when the process named in it is gone (or, for one
    without a pid, after an hour). An export killed between moving the old OUT
    aside and renaming the new one in leaves the old one as ``.OUT.old-*``: it is
    put back when OUT is missing, never deleted.
    """
    if not out.parent.is_dir():
        return 0
    freed = 0
    staging_name = re.compile(rf"\.{re.escape(out.name)}\.[0-9a-f]{{12}}(?:\.(\d+))?\.partial")
    old_name = re.compile(rf"\.{re.escape(out.name)}\.old-[0-9a-f]{{8}}")
    for path in sorted(out.parent.iterdir()):
        if not path.is_dir() or path.is_symlink():
            continue
        match = staging_name.fullmatch(path.name)
        if match:
            pid = int(match.group(1)) if match.group(1) else None
            stale = not _process_alive(pid) if pid is not None else time.time() - path.stat().st_mtime > LEGACY_STAGING_AGE_SECONDS
            if stale:
                freed += _folder_bytes(path)
                shutil.rmtree(path, ignore_errors=True)
        elif old_name.fullmatch(path.name):
            if not out.exists():
                path.rename(out)  # the previous export, moved aside by an export that died before finishing
            else:
                freed += _folder_bytes(path)
                shutil.rmtree(path, ignore_errors=True)
    return freed
