"""Evaluation: which questions are asked, how answers are graded and summed up, what is stored, and the before/after table."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from papergym.core.dataset.export import ExportSettings, export_dataset
from papergym.train.evaluation.errors import EvalCancelled, EvalError
from papergym.train.evaluation.eval_set import load_eval_set
from papergym.train.evaluation.generation import Generation, answer_line_end
from papergym.train.evaluation.models import resolve_adapter
from papergym.train.evaluation.results import compare, find_base_eval, list_evals
from papergym.train.evaluation.run import evaluate
from papergym.tui.cli.evaluate import convert_command, eval_command

OPTIONS = ["graphene", "silicon", "copper", "diamond"]


class ScriptedGenerator:
    """An engine that answers from a script keyed by question text, honouring the stop rule like a real one."""

    engine = "scripted"
    device = "cpu"

    def __init__(self, replies: dict[str, str], batch_size: int = 2, default: str = "I am not sure.") -> None:
        self.replies = replies
        self.default = default
        self.batch_size = batch_size
        self.batches: list[int] = []
        self.closed = False

    def generate(self, prompts, max_new_tokens, stop_at, cancel):
        self.batches.append(len(prompts))
        out = []
        for row, messages in enumerate(prompts):
            question = messages[1]["content"].split("\n\n")[0]
            text = self.replies.get(question, self.default)
            cut = stop_at(row, text)
            text = text[:cut] if cut is not None else text
            out.append(Generation(text, min(max_new_tokens, len(text.split()))))
        return out

    def close(self) -> None:
        self.closed = True


def write_questions(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def question(number: int, discipline: str, answer: str = "C") -> dict:
    return {
        "id": f"q{number}",
        "question": f"Question {number}: which material conducts best here?",
        "options": OPTIONS,
        "answer": answer,
        "discipline": discipline,
    }


@pytest.fixture
def five_questions(tmp_path):
    rows = [question(1, "physics"), question(2, "physics"), question(3, "physics"), question(4, "chemistry"), question(5, "chemistry")]
    return write_questions(tmp_path / "questions.jsonl", rows)


# The scripted model: right on q1 and q4, wrong on q2, no readable answer on q3 and q5.
REPLIES = {
    "Question 1: which material conducts best here?": "Copper has free electrons.\nAnswer: C\nQuestion: what next?\nAnswer: A\n",
    "Question 2: which material conducts best here?": "Silicon is a semiconductor.\nAnswer: B",
    "Question 3: which material conducts best here?": "Answer: let me think about it\nthey all conduct somewhat",
    "Question 4: which material conducts best here?": "Metals conduct.\nThe final answer is (C).",
}


def test_accuracy_extractability_and_length_overall_and_per_discipline(library, five_questions):
    generator = ScriptedGenerator(REPLIES)
    report = evaluate(library, model="scripted-model", on=str(five_questions), generator=generator, max_new_tokens=64)
    assert (report.questions, report.correct) == (5, 2)
    assert report.accuracy == pytest.approx(2 / 5)
    assert report.extractable == pytest.approx(3 / 5)  # q1, q2, q4 give a letter; q3 and q5 do not
    physics, chemistry = report.per_discipline["physics"], report.per_discipline["chemistry"]
    assert (physics["questions"], physics["correct"], physics["extractable"]) == (3, 1, pytest.approx(2 / 3))
    assert (chemistry["questions"], chemistry["correct"], chemistry["extractable"]) == (2, 1, pytest.approx(1 / 2))
    assert list(report.per_discipline) == ["physics", "chemistry"]  # most questions first
    by_id = {result["id"]: result for result in report.results}
    # Generation stops after the first readable final-answer line: the invented follow-up question is not graded.
    assert by_id["q1"]["completion"] == "Copper has free electrons.\nAnswer: C\n"
    assert (by_id["q1"]["given"], by_id["q1"]["correct"]) == ("C", True)
    assert (by_id["q2"]["given"], by_id["q2"]["correct"]) == ("B", False)
    assert by_id["q3"]["correct"] is None and by_id["q3"]["completion"].endswith("somewhat")
    lengths = [result["tokens"] for result in report.results]
    assert report.mean_length == pytest.approx(sum(lengths) / 5)
    assert generator.batches == [2, 2, 1]
    assert not generator.closed  # a generator passed in belongs to the caller


def test_a_result_is_stored_once_with_its_completions(library, five_questions):
    report = evaluate(library, model="scripted-model", on=str(five_questions), generator=ScriptedGenerator(REPLIES))
    rows = library.query("SELECT * FROM evals")
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["model"], row["adapter"], row["run_id"], row["questions"]) == (report.id, "scripted-model", None, None, 5)
    assert row["accuracy"] == pytest.approx(0.4) and row["extractable"] == pytest.approx(0.6)
    assert json.loads(row["per_discipline"])["chemistry"]["accuracy"] == pytest.approx(0.5)
    config = json.loads(row["config"])
    assert config["engine"] == "scripted" and config["fingerprint"] == report.fingerprint and config["max_new_tokens"] == 256
    lines = Path(config["completions"]).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["q1", "q2", "q3", "q4", "q5"]
    assert not list(Path(config["completions"]).parent.glob("*.partial"))
    # The same eval again (greedy, so the same result) replaces its row instead of adding one.
    again = evaluate(library, model="scripted-model", on=str(five_questions), generator=ScriptedGenerator(REPLIES))
    assert again.id == report.id and len(library.query("SELECT id FROM evals")) == 1


def test_a_cancelled_eval_stores_nothing(library, five_questions):
    cancel = threading.Event()

    def stop_after_first_batch(progress):
        cancel.set()

    with pytest.raises(EvalCancelled, match="nothing was stored"):
        evaluate(
            library,
            model="m",
            on=str(five_questions),
            generator=ScriptedGenerator(REPLIES),
            cancel=cancel,
            on_progress=stop_after_first_batch,
        )
    assert library.query("SELECT count(*) AS n FROM evals")[0]["n"] == 0
    assert not (library.folder / "evals").exists() or not list((library.folder / "evals").iterdir())


def test_limit_picks_the_same_spread_of_questions_every_time(tmp_path):
    rows = [question(number, "physics" if number % 2 else "chemistry") for number in range(40)]
    path = write_questions(tmp_path / "many.jsonl", rows)
    first = load_eval_set(str(path), limit=10)
    second = load_eval_set(str(path), limit=10)
    assert [q.id for q in first.questions] == [q.id for q in second.questions]
    assert len(first.questions) == 10 and first.available == 40
    assert {q.discipline for q in first.questions} == {"physics", "chemistry"}
    assert first.fingerprint != load_eval_set(str(path), limit=11).fingerprint


def test_answer_line_end_cuts_after_the_final_answer_line():
    text = "Reasoning here.\n**Final answer:** B\nQuestion: another one?"
    assert text[: answer_line_end(text)] == "Reasoning here.\n**Final answer:** B\n"
    assert answer_line_end("Answer: B") is None  # the line may still be growing
    assert answer_line_end("The answer lies in the band gap.\n") is None


# -- where questions come from ------------------------------------------------------------------


def test_benchmark_files_are_asked_as_multiple_choice(tmp_path, library):
    gpqa = tmp_path / "gpqa_diamond.csv"
    with gpqa.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Record ID",
                "Question",
                "Correct Answer",
                "Incorrect Answer 1",
                "Incorrect Answer 2",
                "Incorrect Answer 3",
                "High-level domain",
                "Subdomain",
            ]
        )
        writer.writerow(
            [
                "rec1",
                "Which quantity is conserved in an elastic collision?",
                "kinetic energy",
                "heat",
                "friction",
                "mass defect",
                "Physics",
                "Classical Mechanics",
            ]
        )
    mmlu = write_questions(
        tmp_path / "test-00000-of-00001.jsonl",
        [
            {
                "question_id": 7,
                "question": "What is the spin multiplicity of a triplet state?",
                "options": [str(n) for n in range(1, 11)],
                "answer": "C",
                "answer_index": 2,
                "category": "chemistry",
            },
        ],
    )
    write_questions(
        tmp_path / "SuperGPQA.jsonl",
        [
            {
                "uuid": "u1",
                "question": "Which layer of the atmosphere holds most of the ozone?",
                "options": ["Troposphere", "Stratosphere", "Mesosphere", "Thermosphere"],
                "answer_letter": "B",
                "discipline": "Science",
            },
        ],
    )
    gpqa_set = load_eval_set(str(gpqa))
    key = gpqa_set.questions[0].answer
    assert gpqa_set.source_kind == "benchmark" and gpqa_set.questions[0].discipline == "Classical Mechanics"
    assert gpqa_set.questions[0].options[ord(key) - ord("A")] == "kinetic energy"
    assert load_eval_set(str(mmlu)).questions[0].options[2] == "3"
    replies = {
        "Which quantity is conserved in an elastic collision?": f"Energy is conserved.\nAnswer: {key}\n",
        "What is the spin multiplicity of a triplet state?": "2S+1 = 3.\nAnswer: C\n",
        "Which layer of the atmosphere holds most of the ozone?": "Answer: A\n",
    }
    report = evaluate(library, model="m", on=str(tmp_path), generator=ScriptedGenerator(replies))  # the whole folder
    assert report.questions == 3 and report.correct == 2
    assert set(report.per_discipline) == {"Classical Mechanics", "chemistry", "Science"}
    assert report.per_discipline["Science"]["accuracy"] == 0.0
    assert {result["id"] for result in report.results} == {"gpqa:rec1", "mmlu-pro:7", "supergpqa:u1"}


def test_wildsci_style_question_files_with_letter_maps_and_indexes(tmp_path):
    path = write_questions(
        tmp_path / "wildsci.jsonl",
        [
            {
                "question": "Which enzyme unwinds DNA?",
                "options": {"A": "ligase", "B": "helicase", "C": "primase"},
                "answer": 1,
                "discipline": "Biology",
            },
            {"question": "What is the band gap of silicon at 300 K?", "kind": "numeric", "answer": "1.12", "unit": "eV"},
            {"question": "", "options": ["a", "b"], "answer": "A"},
        ],
    )
    eval_set = load_eval_set(str(path))
    first, second = eval_set.questions
    assert (first.kind, first.answer, first.options[1], first.discipline) == ("mcq", "B", "helicase", "Biology")
    assert (second.kind, second.unit) == ("numeric", "eV") and second.tolerance is not None
    assert eval_set.skipped == {"the question is empty": 1}


def test_validation_split_of_an_export(library, tmp_path):
    with library.write() as db:
        for number in range(4):
            db["questions"].insert(
                {
                    "id": f"x{number}",
                    "kind": "mcq",
                    "question": f"Export question {number}: which conducts best?",
                    "options": json.dumps(OPTIONS),
                    "answer": "C",
                    "status": "accepted",
                    "paper_id": None,
                    "discipline": "Physics",
                    "created_at": "2026-11-22T00:00:00+00:00",
                }
            )
    out = tmp_path / "export"
    export_dataset(library, ExportSettings(out=out, format="hf", split={"validation": 1.0}))
    eval_set = load_eval_set("validation", dataset=out)
    assert sorted(q.id for q in eval_set.questions) == ["x0", "x1", "x2", "x3"]
    assert eval_set.dataset == "validation" and str(out.resolve()) in eval_set.description
    with pytest.raises(EvalError, match="needs --dataset DIR"):
        load_eval_set("validation")
    with pytest.raises(Exception, match="no test split"):
        load_eval_set("test", dataset=out)
    with pytest.raises(EvalError, match="is an exported dataset; pass --on validation"):
        load_eval_set(str(out))
    with pytest.raises(EvalError, match="no such file or folder"):
        load_eval_set("missing/file.jsonl")


# -- adapters and the before/after table ----------------------------------------------------------


def fake_adapter(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 8, "lora_alpha": 16}), encoding="utf-8")
    (folder / "adapter_model.safetensors").write_bytes(b"not read by a scripted engine")
    return folder


def add_run(library, run_id: str, output_dir: Path, adapter_path: Path | None, status: str = "finished", dataset: str = "library"):
    with library.write() as db:
        db["runs"].insert(
            {
                "id": run_id,
                "status": status,
                "backend": "trl",
                "base_model": "gemma3-270m",
                "dataset": dataset,
                "config": "{}",
                "output_dir": str(output_dir),
                "adapter_path": str(adapter_path) if adapter_path else None,
                "pid": None,
                "step": 3,
                "max_steps": 10,
                "error": None,
                "started_at": "2026-11-22T00:00:00+00:00",
                "updated_at": "2026-11-22T00:00:00+00:00",
                "ended_at": None,
            }
        )


def test_before_after_table_matches_the_base_eval_of_the_same_questions(library, tmp_path, five_questions):
    adapter = fake_adapter(tmp_path / "run-a" / "adapter")
    add_run(library, "run-20261122-000000-abcd", tmp_path / "run-a", adapter)
    base = evaluate(library, model="m", on=str(five_questions), generator=ScriptedGenerator(REPLIES))
    # A base eval of other questions must not be the "before" of this one.
    evaluate(library, model="m", on=str(five_questions), limit=2, generator=ScriptedGenerator(REPLIES))
    better = dict(REPLIES)
    better["Question 2: which material conducts best here?"] = "Copper.\nAnswer: C\n"
    better["Question 5: which material conducts best here?"] = "Answer: C\n"
    adapted = evaluate(library, model="m", adapter="run-20261122", on=str(five_questions), generator=ScriptedGenerator(better))
    assert adapted.run_id == "run-20261122-000000-abcd" and adapted.adapter == str(adapter)
    assert find_base_eval(library, adapted)["id"] == base.id
    table = compare(library, adapted)
    rows = {row["name"]: row for row in table.rows}
    assert rows["accuracy"]["before"] == pytest.approx(0.4) and rows["accuracy"]["after"] == pytest.approx(0.8)
    assert rows["accuracy"]["delta"] == pytest.approx(0.4)
    assert rows["extractable"]["after"] == pytest.approx(0.8)
    assert rows["accuracy: physics"]["delta"] == pytest.approx(1 / 3)
    assert rows["accuracy: chemistry"]["after"] == pytest.approx(1.0)
    assert compare(library).adapted["id"] == adapted.id  # the newest adapter eval by default
    assert [row["id"] for row in list_evals(library, run_id="run-20261122-000000-abcd")] == [adapted.id]


def test_compare_without_a_base_eval_says_what_to_run(library, tmp_path, five_questions):
    adapter = fake_adapter(tmp_path / "adapter")
    adapted = evaluate(library, model="m", adapter=str(adapter), on=str(five_questions), generator=ScriptedGenerator(REPLIES))
    with pytest.raises(EvalError, match=r"No eval of the base model m on the same 5 questions yet; run `papergym eval --model m"):
        compare(library, adapted.id)


def test_adapter_from_a_run_without_a_final_adapter_uses_its_latest_checkpoint(library, tmp_path):
    output = tmp_path / "run-b"
    fake_adapter(output / "checkpoint-2")
    fake_adapter(output / "checkpoint-10")
    add_run(library, "run-20261122-000001-beef", output, None, status="stopped", dataset=str(tmp_path / "export"))
    choice = resolve_adapter(library, "run-20261122-000001-beef")
    assert choice.path == output / "checkpoint-10" and "latest checkpoint (step 10)" in choice.notice
    assert (choice.base_model, choice.dataset) == ("gemma3-270m", str(tmp_path / "export"))
    add_run(library, "run-20261122-000002-cafe", tmp_path / "run-c", None, status="running")
    with pytest.raises(EvalError, match="has no adapter yet"):
        resolve_adapter(library, "run-20261122-000002-cafe")
    with pytest.raises(Exception, match="No run has the id nope"):
        resolve_adapter(library, "nope")


# -- a real (tiny, random) transformers model ----------------------------------------------------------


CHARS = [chr(code) for code in range(32, 127)] + ["\n"]


def build_tiny_model(folder: Path) -> Path:
    """A 2-layer random llama with a character-level tokenizer, built offline."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

    specials = ["<pad>", "<s>", "</s>", "<unk>"]
    vocab = {token: index for index, token in enumerate(specials + CHARS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    tokenizer.decoder = decoders.Fuse()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )
    config = transformers.LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
    )
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config)
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


def test_tiny_transformers_model_runs_greedy_batched_and_repeatable(library, tmp_path, tiny_model, five_questions):
    first = evaluate(library, model=str(tiny_model), on=str(five_questions), max_new_tokens=6, batch_size=2, engine="transformers")
    assert (first.engine, first.device, first.batch_size, first.questions) == ("transformers", "cpu", 2, 5)
    assert all(0 < result["tokens"] <= 6 for result in first.results)
    assert 0.0 <= first.accuracy <= first.extractable <= 1.0
    assert first.questions_per_second > 0 and first.model_path == str(tiny_model.resolve())
    second = evaluate(library, model=str(tiny_model), on=str(five_questions), max_new_tokens=6, batch_size=2, engine="transformers")
    assert [r["completion"] for r in second.results] == [r["completion"] for r in first.results]
    assert second.id == first.id and len(list_evals(library)) == 1


def test_tiny_model_with_a_peft_adapter_changes_answers_and_compares(library, tmp_path, tiny_model, five_questions):
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    lora = peft.get_peft_model(model, peft.LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    torch.manual_seed(1)
    with torch.no_grad():
        for name, parameter in lora.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 2.0)
    adapter = tmp_path / "adapter"
    lora.save_pretrained(adapter)
    base = evaluate(library, model=str(tiny_model), on=str(five_questions), max_new_tokens=6, engine="transformers")
    adapted = evaluate(
        library, model=str(tiny_model), adapter=str(adapter), on=str(five_questions), max_new_tokens=6, engine="transformers"
    )
    assert adapted.id != base.id
    assert [r["completion"] for r in adapted.results] != [r["completion"] for r in base.results]
    assert compare(library, adapted).base["id"] == base.id


def test_llama_cpp_engine_needs_a_gguf_model(library, tiny_model, five_questions):
    with pytest.raises(EvalError, match="--engine llama.cpp needs a GGUF model"):
        evaluate(library, model=str(tiny_model), on=str(five_questions), engine="llama.cpp")


# -- the command ----------------------------------------------------------------------------------------


def test_eval_command_json_and_table(tmp_path, tiny_model, five_questions):
    runner = CliRunner()
    library_dir = str(tmp_path / "lib")
    result = runner.invoke(
        eval_command,
        [
            "--model",
            str(tiny_model),
            "--on",
            str(five_questions),
            "--max-new-tokens",
            "4",
            "--engine",
            "transformers",
            "--json",
            "--library",
            library_dir,
        ],
        obj={},
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["eval"]["questions"] == 5 and payload["comparison"] is None
    assert set(payload["eval"]["per_discipline"]) == {"physics", "chemistry"}
    listed = runner.invoke(eval_command, ["--list", "--library", library_dir], obj={})
    assert payload["eval"]["id"] in listed.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--on", "validation"], "Error: --on validation needs --dataset DIR, a folder written by `papergym export`."),
        (["--on", "validation", "--dataset", "/nowhere/export"], "Error: The dataset folder /nowhere/export does not exist"),
        (["--adapter", "run-missing"], "Error: No run has the id run-missing; `papergym runs` lists them."),
        (["--model", "/nowhere/model.gguf", "--on", "x.jsonl"], "Error: --on x.jsonl: no such file or folder"),
    ],
)
def test_eval_command_errors_are_one_sentence(tmp_path, arguments, message):
    result = CliRunner().invoke(eval_command, [*arguments, "--library", str(tmp_path / "lib")], obj={})
    assert result.exit_code == 1
    assert result.output.startswith(message) and result.output.count("\n") == 1, result.output


def test_convert_command_errors_are_one_sentence(tmp_path):
    library_dir = str(tmp_path / "lib")
    missing = CliRunner().invoke(
        convert_command, ["run-missing", "--to", "gguf-lora", str(tmp_path / "a.gguf"), "--library", library_dir], obj={}
    )
    assert (missing.exit_code, missing.output) == (1, "Error: No run has the id run-missing; `papergym runs` lists them.\n")
    not_adapter = CliRunner().invoke(
        convert_command, [str(tmp_path), "--to", "merged-hf", str(tmp_path / "m"), "--library", library_dir], obj={}
    )
    assert not_adapter.exit_code == 1 and "holds no adapter_config.json" in not_adapter.output
    assert not_adapter.output.count("\n") == 1


def test_eval_command_names_a_missing_model(tmp_path, five_questions):
    result = CliRunner().invoke(
        eval_command, ["--model", "/nowhere/model.gguf", "--on", str(five_questions), "--library", str(tmp_path / "lib")], obj={}
    )
    assert result.exit_code == 1 and "nowhere/model.gguf" in result.output and result.output.count("\n") == 1, result.output


def test_auto_engine_runs_gguf_models_in_llama_cpp_without_a_gpu(monkeypatch, tmp_path):
    from papergym.train import config
    from papergym.train.backends import BaseModel
    from papergym.train.evaluation.models import AdapterChoice, choose_engine

    gguf_model, hf_model = BaseModel("gguf", tmp_path / "m.gguf", "m"), BaseModel("hf", tmp_path / "hf", "hf")
    peft_adapter, gguf_adapter = AdapterChoice("peft", tmp_path / "a"), AdapterChoice("gguf", tmp_path / "a.gguf")
    monkeypatch.setattr(config, "cuda_available", lambda: False)
    assert choose_engine("auto", gguf_model, None) == "llama.cpp"
    assert choose_engine("auto", gguf_model, peft_adapter) == "llama.cpp"  # base and adapter on the same engine
    assert choose_engine("auto", hf_model, peft_adapter) == "transformers"
    monkeypatch.setattr(config, "cuda_available", lambda: True)
    assert choose_engine("auto", gguf_model, peft_adapter) == "transformers"
    assert choose_engine("auto", gguf_model, gguf_adapter) == "llama.cpp"
    with pytest.raises(EvalError, match="transformers cannot apply a GGUF LoRA adapter"):
        choose_engine("transformers", gguf_model, gguf_adapter)
    with pytest.raises(EvalError, match="A GGUF LoRA adapter needs a GGUF base model"):
        choose_engine("auto", hf_model, gguf_adapter)


@pytest.mark.gpu
def test_tiny_model_evaluates_batched_on_cuda(library, tiny_model, five_questions):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    report = evaluate(library, model=str(tiny_model), on=str(five_questions), max_new_tokens=6, engine="transformers")
    assert (report.device, report.batch_size, report.questions) == ("cuda", 32, 5)
    assert all(0 < result["tokens"] <= 6 for result in report.results)
