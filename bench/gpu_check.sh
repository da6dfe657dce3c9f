#!/usr/bin/env bash
# One GPU check of papergym, for a single H100/H200 without internet, in at most 9 minutes 10 s; prints its figures.
#
#   bench/gpu_check.sh            run it (on the GPU machine; wheels from .whl/ if that folder is there)
#   bench/gpu_check.sh --dry-run  check the plan on any CPU machine (CI runs this): files, budgets, wheels, model shapes
#   bench/gpu_check.sh --full     the benchmark alone, on the Qwen2.5-0.5B and 1.5B shapes (no tests, resume or conversion)
#   bench/gpu_check.sh --cpu-rehearsal  the same stages on a CPU with a tiny Qwen2 and the trl backend (about 3 minutes on 2 cores),
#                                 so a slip in the script shows here rather than in the GPU's few minutes
#
# Stages, each under its own time limit (seconds): setup 75, models 30, gpu tests 45, benchmark 210,
# detached Unsloth run stopped after step 3 and resumed 160, GGUF LoRA conversion 15, the LoRA loaded by
# llama.cpp on the CPU beside its base written as GGUF, a few tokens generated 15 = 550 s
# (--full: 75 + 45 + 2 x 210 = 540 s). Without llama-cpp-python on the machine the last
# stage says "skipped" and how to run bench/gguf_lora_check.py on the lora.gguf that comes back.
# The limits come from the first run on an H200 (2026-12-04, Qwen2.5-0.5B shape, cold caches): setup took 45 s
# (`papergym doctor` imports Unsloth), the models 18 s, the TRL run of the benchmark about 70 s and the Unsloth run
# about 75 s plus its first compilation; the detached Unsloth run, stopped and resumed, 139 s with a warm compile cache.
# Prepare the wheels once where PyPI answers: python bench/gpu_wheels.py (27 MiB when pruned).
# Results land in $OUT (the device tool's folder that comes back), else bench/_work/gpu_check/.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=run
FULL=0
for argument in "$@"; do
  case "$argument" in
    --dry-run) MODE=dry ;;
    --full) FULL=1 ;;
    --cpu-rehearsal) MODE=rehearsal ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown option $argument (use --dry-run, --cpu-rehearsal or --full)" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-python3}
RESULTS=${OUT:-$ROOT/bench/_work/gpu_check}
WORK=${GPU_CHECK_WORK:-/tmp/papergym-gpu-check}
MODELS="qwen2.5-0.5b"
[ "$FULL" = 1 ] && MODELS="qwen2.5-0.5b,qwen2.5-1.5b"
BACKEND=unsloth
BENCH_RUNS=papergym-trl,papergym-unsloth
NUM_GENERATIONS=4 COMPLETION_TOKENS=64
if [ "$MODE" = rehearsal ]; then
  MODELS="qwen2-tiny" BACKEND=trl BENCH_RUNS=plain-trl,papergym-trl NUM_GENERATIONS=2 COMPLETION_TOKENS=16
fi
RUN_MODEL=${MODELS%%,*}
BUDGET_TOTAL=550
STAGES=(setup models gpu_tests benchmark detached_resume convert lora_load)
declare -A BUDGET=([setup]=75 [models]=30 [gpu_tests]=45 [benchmark]=210 [detached_resume]=160 [convert]=15 [lora_load]=15)
if [ "$FULL" = 1 ]; then  # the benchmark runs once per model shape, its budget per shape; a device call lasts 10 minutes at most
  STAGES=(setup models benchmark)
  BUDGET=([setup]=75 [models]=45 [benchmark]=210)
fi
MODEL_COUNT=$(echo "$MODELS" | tr ',' '\n' | wc -l)
if [ "$MODE" = rehearsal ]; then
  # A shared CPU is slow and noisy: the rehearsal checks the steps, not the 8 minutes.
  for name in "${!BUDGET[@]}"; do BUDGET[$name]=$((BUDGET[$name] * 5)); done
fi
mkdir -p "$RESULTS" "$WORK"
SUMMARY="$RESULTS/summary.txt"
: >"$SUMMARY"
STARTED=$(date +%s)

note() { echo "$*" | tee -a "$SUMMARY"; }

stage() {  # stage NAME COMMAND...: runs under the stage's time limit, prints and records how it went
  local name=$1; shift
  local limit=${BUDGET[$name]}
  local begun=$(date +%s)
  echo "== $name (limit ${limit} s)"
  if declare -F "$1" >/dev/null; then
    # A function of this script: `timeout` runs programs, so it runs in a child bash that inherits it (export -f below).
    timeout --kill-after=10 "$limit" bash -c "$1" 2>&1 | tee "$RESULTS/$name.log" | tail -n 40
  else
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$RESULTS/$name.log" | tail -n 40
  fi
  local status=${PIPESTATUS[0]}
  local took=$(( $(date +%s) - begun ))
  if [ "$status" = 0 ]; then note "$name: ok in ${took} s"; elif [ "$status" = 77 ]; then note "$name: skipped ($(tail -n 1 "$RESULTS/$name.log"))"; elif [ "$status" = 124 ] || [ "$status" = 137 ]; then note "$name: stopped at its ${limit} s limit"; else note "$name: failed (exit $status) after ${took} s"; fi
  return "$status"
}

gpu_test_files() {  # the test files with GPU tests: the others need the app's packages (textual), which the GPU machine lacks
  (cd "$ROOT" && grep -rl --include='test_*.py' 'mark.gpu' tests | sort | tr '\n' ' ')
}

dry_run() {
  local problems=0
  check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; problems=$((problems + 1)); fi; }
  local sum=0
  for name in "${STAGES[@]}"; do sum=$((sum + BUDGET[$name])); done
  sum=$((sum + BUDGET[benchmark] * (MODEL_COUNT - 1)))
  echo "plan: ${STAGES[*]}; budgets add up to ${sum} s (at most ${BUDGET_TOTAL} s)"
  check "stage budgets fit ${BUDGET_TOTAL} s" "[ $sum -le $BUDGET_TOTAL ]"
  check "python is 3.11 or newer" "$PY -c 'import sys; sys.exit(sys.version_info < (3, 11))'"
  for file in bench/train.py bench/gpu_models.py bench/gpu_wheels.py bench/gguf_lora_check.py tests/integration/test_train_cpu.py assets/demo_questions.jsonl; do
    check "$file is there" "[ -f '$ROOT/$file' ]"
  done
  check "the helper scripts compile" "$PY -m py_compile '$ROOT/bench/train.py' '$ROOT/bench/gpu_models.py' '$ROOT/bench/gpu_wheels.py' '$ROOT/bench/gguf_lora_check.py'"
  check "bench/gguf_lora_check.py knows --base, --shape and --lora" "$PY '$ROOT/bench/gguf_lora_check.py' --help | grep -- --shape >/dev/null"
  check "bench/train.py knows --only and --json-out" "$PY '$ROOT/bench/train.py' --help | grep -- --json-out >/dev/null"
  check "papergym has train, runs, convert and doctor" "$PY -m papergym --help | grep doctor >/dev/null && $PY -m papergym convert --help >/dev/null"
  local gpu_files
  gpu_files=$(gpu_test_files)
  check "the gpu-marked tests are collected (${gpu_files})" "cd '$ROOT' && $PY -m pytest -q --collect-only -m gpu $gpu_files -p no:cacheprovider 2>/dev/null | grep 'test_unsloth_backend_trains_on_cuda' >/dev/null"
  if [ -d "$ROOT/.whl" ]; then
    check "the wheels in .whl fit the carry budget" "$PY '$ROOT/bench/gpu_wheels.py' --check --dir '$ROOT/.whl'"
  else
    echo "note  no .whl folder: run python bench/gpu_wheels.py before a GPU run (trl 1.15, unsloth, bitsandbytes are not on the device image)"
  fi
  check "the model shapes build on the meta device" "$PY '$ROOT/bench/gpu_models.py' '$WORK/models' --models $MODELS --dry-run >'$WORK/shapes.jsonl'"
  [ -f "$WORK/shapes.jsonl" ] && cat "$WORK/shapes.jsonl"
  echo "dry run: $problems problem(s)"
  return $((problems > 0))
}

if [ "$MODE" = dry ]; then
  dry_run
  exit $?
fi

# -- the run ----------------------------------------------------------------------------------------
cd "$ROOT" || exit 1
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export PAPERGYM_GPU_LEASE_DIR="$WORK/lease" UNSLOTH_COMPILE_LOCATION="$WORK/unsloth_compiled"
LIBRARY="$WORK/library"

setup() {
  if [ "$MODE" = rehearsal ]; then
    $PY -m papergym doctor --json --no-backend --library "$LIBRARY" >"$RESULTS/doctor.json" && echo "rehearsal: the installed papergym, no wheels"
    return
  fi
  if [ -d .whl ]; then
    $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$WORK/site" .whl/*.whl || return 1
  fi
  $PY -m pip install -q --no-index --no-deps --no-build-isolation --no-cache-dir --target "$WORK/site" . || return 1
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY -m papergym doctor --json --library "$LIBRARY" >"$RESULTS/doctor.json" && $PY -m papergym doctor --no-backend --library "$LIBRARY"
}
if [ "$MODE" = run ]; then
  export PYTHONPATH="$WORK/site${PYTHONPATH:+:$PYTHONPATH}"
  export PATH="$WORK/site/bin:$PATH"
fi

run_field() {  # run_field RUN FIELD: one field of a run, from `papergym runs --json` (one object a line)
  $PY -m papergym runs --library "$LIBRARY" --json | $PY -c "import json, sys
for line in sys.stdin:
    run = json.loads(line)
    if run['id'] == sys.argv[1]:
        print(run[sys.argv[2]] if run[sys.argv[2]] is not None else 0)" "$1" "$2"
}

detached_resume() {
  local model="$WORK/models/$RUN_MODEL" run step status
  $PY - "$LIBRARY" <<'PY' || return 1
import sys
from pathlib import Path
from papergym.core.dataset.import_questions import import_questions
from papergym.core.library import Library
library = Library(Path(sys.argv[1]))
if not library.query("SELECT 1 FROM questions LIMIT 1"):
    import_questions(library, Path("assets/demo_questions.jsonl"), status="accepted")
PY
  run=$($PY -m papergym train --library "$LIBRARY" --from-library --base-model "$model" --backend "$BACKEND" --steps 6 --save-steps 1 \
      --num-generations "$NUM_GENERATIONS" --max-completion-length "$COMPLETION_TOKENS" --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["run_id"])') || return 1
  echo "started $run"
  # The run is detached (its own session): if this stage hits its limit, stop it rather than leave it training.
  trap '$PY -m papergym runs stop "$run" --library "$LIBRARY" >/dev/null 2>&1' TERM
  for _ in $(seq 1 400); do
    step=$(run_field "$run" step)
    [ "${step:-0}" -ge 3 ] && break
    sleep 0.25
  done
  $PY -m papergym runs stop "$run" --library "$LIBRARY" || return 1
  for _ in $(seq 1 240); do
    status=$(run_field "$run" status)
    [ "$status" = stopped ] && break
    sleep 0.25
  done
  echo "stopped at step $(run_field "$run" step) ($status)"
  $PY -m papergym train --library "$LIBRARY" --resume "$run" --foreground || return 1
  $PY -m papergym runs show "$run" --library "$LIBRARY" --json >"$RESULTS/resumed_run.json"
  echo "$run" >"$WORK/run_id"
  $PY -c "import json; run = json.load(open('$RESULTS/resumed_run.json')); print('resumed run:', run.get('status'), 'step', run.get('step'), 'of', run.get('max_steps'))"
}

convert() {
  local run
  run=$(cat "$WORK/run_id") || return 1
  $PY -m papergym convert "$run" --to gguf-lora "$RESULTS/lora.gguf" --library "$LIBRARY" --overwrite || return 1
  $PY - "$RESULTS/lora.gguf" <<'PY'
import sys
import gguf
reader = gguf.GGUFReader(sys.argv[1])
kinds = {field.name: field for field in reader.fields.values()}
print(f"GGUF LoRA: {len(reader.tensors)} tensors, general.type =", bytes(kinds["general.type"].parts[-1]).decode())
PY
}

lora_load() {  # the converted LoRA in llama.cpp on the CPU, beside its base written as GGUF: pass, fail, or skipped (exit 77)
  $PY bench/gguf_lora_check.py --base "$WORK/models/$RUN_MODEL" --lora "$RESULTS/lora.gguf" --work "$WORK/lora_check" --tokens 8
  local status=$?
  [ "$status" = 77 ] && echo "where llama-cpp-python is: python bench/gguf_lora_check.py --shape $RUN_MODEL --lora lora.gguf"
  return "$status"
}

export -f setup run_field detached_resume convert lora_load note
export PY WORK RESULTS LIBRARY MODE BACKEND RUN_MODEL SUMMARY NUM_GENERATIONS COMPLETION_TOKENS
note "papergym GPU check on $(hostname), $(date -u +%FT%TZ), models $MODELS"
stage setup setup || { note "setup failed: nothing else can run"; exit 1; }
stage models $PY bench/gpu_models.py "$WORK/models" --models "$MODELS"
if [ "$MODE" = run ] && [ "$FULL" = 0 ]; then
  # shellcheck disable=SC2046  # one word a file
  stage gpu_tests $PY -m pytest -q -m gpu $(gpu_test_files) -p no:cacheprovider -x
fi
for model in ${MODELS//,/ }; do
  stage benchmark $PY bench/train.py --base-model "$WORK/models/$model" --steps 5 --num-generations "$NUM_GENERATIONS" \
    --max-completion-length "$COMPLETION_TOKENS" \
    --only "$BENCH_RUNS" --json-out "$RESULTS/bench-$model.json"
done
if [ "$FULL" = 0 ]; then
  stage detached_resume detached_resume
  stage convert convert && stage lora_load lora_load
fi
note "total: $(( $(date +%s) - STARTED )) s"
cat "$SUMMARY"
