"""Training rows: where they come from, their prompt, and the per-epoch option reshuffle."""

from __future__ import annotations

import json

import pytest
from papergym.core.dataset.export import ExportSettings, export_dataset
from papergym.core.dataset.prompt import prompt_messages
from papergym.core.errors import PapergymError
from papergym.train.config import TrainConfig
from papergym.train.data import (
    EpochOptionShuffle,
    build_prompt,
    clean_rows,
    load_training_data,
    shuffle_options,
    to_dataset,
)

OPTIONS = ["graphene", "silicon", "copper", "diamond", "gold", "iron", "lead", "tin", "zinc", "nickel"]


def mcq_row(question_id="q1", answer="C", options=OPTIONS):
    return {
        "id": question_id,
        "kind": "mcq",
        "question": "Which of these materials conducts electricity best at room temperature?",
        "options": list(options),
        "answer": answer,
        "unit": None,
        "tolerance": None,
        "aliases": [],
    }


def add_question(library, question_id, status, **fields):
    row = {
        "id": question_id,
        "kind": "mcq",
        "question": f"Question {question_id}: which material is the best conductor here?",
        "options": json.dumps(OPTIONS[:4]),
        "answer": "C",
        "status": status,
        "paper_id": None,
        "discipline": "Physics",
        "created_at": "2026-11-22T00:00:00+00:00",
    }
    row.update(fields)
    with library.write() as db:
        db["questions"].insert(row)


def test_prompt_asks_for_reasoning_then_a_final_answer_line():
    messages = build_prompt(mcq_row(options=OPTIONS[:4]))
    assert [message["role"] for message in messages] == ["system", "user"]
    assert "step by step" in messages[0]["content"] and '"Answer: <letter>"' in messages[0]["content"]
    assert messages[1]["content"].endswith("A. graphene\nB. silicon\nC. copper\nD. diamond")
    numeric = build_prompt({"kind": "numeric", "question": "What power does the heater draw?", "options": [], "unit": "mW"})
    assert '"Answer: <number>"' in numeric[0]["content"] and numeric[1]["content"].endswith("Give the answer as a number in mW.")
    # One template for export and training.
    assert messages == prompt_messages(mcq_row()["question"], "mcq", OPTIONS[:4], None)


def key_text(row):
    return row["options"]["ABCDEFGHIJ".index(row["answer"])]


def test_each_epoch_reorders_options_and_moves_the_key_with_them():
    row = mcq_row()
    epochs = [shuffle_options(row, seed=7, epoch=epoch) for epoch in range(6)]
    assert all(key_text(shuffled) == "copper" for shuffled in epochs)
    assert all(sorted(shuffled["options"]) == sorted(OPTIONS) for shuffled in epochs)
    assert len({tuple(shuffled["options"]) for shuffled in epochs}) == 6
    assert len({shuffled["answer"] for shuffled in epochs}) > 1  # the key letter really moves
    # The prompt shows the shuffled order, and the letter the reward checks is the one the prompt gives copper.
    first = epochs[0]
    assert f"{first['answer']}. copper" in first["prompt"][1]["content"]
    # Reproducible from the seed; another seed gives other orders.
    assert shuffle_options(row, seed=7, epoch=3) == epochs[3]
    assert shuffle_options(row, seed=8, epoch=3)["options"] != epochs[3]["options"]
    assert row["options"] == OPTIONS and row["answer"] == "C"  # the stored row is untouched


def test_non_mcq_rows_keep_their_answer():
    row = {
        "id": "n1",
        "kind": "numeric",
        "question": "What power does the heater draw?",
        "options": [],
        "answer": "4.2",
        "unit": "mW",
        "tolerance": 0.1,
        "aliases": [],
    }
    shuffled = shuffle_options(row, seed=0, epoch=5)
    assert shuffled["answer"] == "4.2" and shuffled["options"] == []


def test_the_dataset_serves_one_order_per_epoch():
    shuffle = EpochOptionShuffle(seed=3)
    dataset = to_dataset([mcq_row("q1"), mcq_row("q2", answer="A")], shuffle)
    epoch0 = [dataset[0], dataset[0], dataset[1]]
    assert epoch0[0] == epoch0[1]  # every completion of a question sees the same order within an epoch
    shuffle.set_epoch(1)
    epoch1 = dataset[0]
    assert epoch1["options"] != epoch0[0]["options"] and key_text(epoch1) == key_text(epoch0[0]) == "copper"
    assert key_text(dataset[1]) == "graphene"
    assert shuffle.epochs_seen == {0, 1}
    assert epoch1["prompt"] == build_prompt(epoch1)


def test_reshuffle_can_be_turned_off():
    dataset = to_dataset([mcq_row()], EpochOptionShuffle(seed=3, enabled=False))
    assert dataset[0]["options"] == OPTIONS and dataset[0]["answer"] == "C"


def test_rows_no_reward_could_grade_are_left_out_with_reasons():
    rows, skipped = clean_rows(
        [
            mcq_row("good"),
            mcq_row("bad-key", answer="K"),
            {"id": "n", "kind": "numeric", "question": "How much?", "answer": "about four"},
            {"id": "e", "kind": "exact", "question": "Which organelle?", "answer": "", "aliases": '["x"]'},
            {"id": "n2", "kind": "numeric", "question": "How much?", "answer": "4,200", "tolerance": 1},
        ]
    )
    assert [row["id"] for row in rows] == ["good", "n2"]
    assert sum(skipped.values()) == 3


def test_from_library_uses_accepted_questions(library):
    add_question(library, "a1", "accepted")
    add_question(library, "p1", "passed")
    data = load_training_data(TrainConfig(), library)
    assert [row["id"] for row in data.rows] == ["a1"] and data.notice is None
    assert data.rows[0]["options"] == OPTIONS[:4]


def test_from_library_falls_back_to_passed_questions_and_says_so(library):
    add_question(library, "p1", "passed")
    add_question(library, "d1", "draft")
    data = load_training_data(TrainConfig(), library)
    assert [row["id"] for row in data.rows] == ["p1"]
    assert "passed" in data.notice and "accept" in data.notice


def test_from_library_without_usable_questions_says_what_to_do(library):
    with pytest.raises(PapergymError, match="no questions yet"):
        load_training_data(TrainConfig(), library)
    add_question(library, "d1", "draft")
    with pytest.raises(PapergymError, match="1 draft"):
        load_training_data(TrainConfig(), library)


@pytest.mark.parametrize("fmt", ["hf", "jsonl", "parquet"])
def test_reads_every_export_format(library, tmp_path, fmt):
    for number in range(6):
        add_question(library, f"q{number}", "accepted")
    out = tmp_path / f"export-{fmt}"
    export_dataset(library, ExportSettings(out=out, format=fmt, split={"train": 1.0}))
    data = load_training_data(TrainConfig(dataset=str(out)))
    assert sorted(row["id"] for row in data.rows) == [f"q{number}" for number in range(6)]
    assert all(row["options"] == OPTIONS[:4] and row["answer"] == "C" for row in data.rows)


def test_a_missing_split_or_folder_is_one_clear_sentence(library, tmp_path):
    add_question(library, "q1", "accepted")
    out = tmp_path / "export"
    export_dataset(library, ExportSettings(out=out, format="jsonl", split={"train": 1.0}))
    with pytest.raises(PapergymError, match="no test split"):
        load_training_data(TrainConfig(dataset=str(out), split="test"))
    with pytest.raises(PapergymError, match="does not exist"):
        load_training_data(TrainConfig(dataset=str(tmp_path / "nowhere")))


def test_config_round_trips_through_json_and_refuses_bad_settings():
    from papergym.train.config import TrainConfig, resolve_backend

    config = TrainConfig(
        base_model="/models/qwen",
        dataset="/data/export",
        steps=7,
        target_modules=("q_proj", "v_proj"),
        reward_weights={"correctness": 1.0, "format_reward": 0.5},
    )
    again = TrainConfig.from_json(config.to_json())
    assert again == config and again.target_modules == ("q_proj", "v_proj")
    assert TrainConfig.from_dict({**config.to_dict(), "a_setting_from_the_future": 1}) == config
    assert config.alpha == 2 * config.lora_rank and config.per_device_batch_size == config.num_generations
    assert TrainConfig(format_reward=False).reward_names == ["correctness"]
    with pytest.raises(PapergymError, match="--num-generations must be at least 2"):
        TrainConfig(num_generations=1)
    with pytest.raises(PapergymError, match="multiple of --num-generations"):
        TrainConfig(num_generations=4, batch_size=6)
    with pytest.raises(PapergymError, match="--backend 'tpu'"):
        TrainConfig(backend="tpu")
    assert resolve_backend(TrainConfig(backend="trl")) == "trl"
