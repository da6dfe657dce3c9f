"""Learnability: how often the model that will be trained already solves each question.

GRPO learns only from groups whose rewards differ. A question the model always
solves, or never solves, gives every completion the same reward and so no
gradient (TRL logs the share of such groups as ``frac_reward_zero_std``). This
step measures each question's pass rate for the training base model, over k
samples at the training temperature, and places it in a band:

- ``too hard``: the pass rate is no better than chance (a 4-option question
  answered at random passes 25% of the time, and learning from luck is noise);
- ``too easy``: the model nearly always solves it already;
- ``learnable``: in between, where GRPO's groups have something to compare.

The band is read from the pass rate above chance, ``(pass - chance) / (1 - chance)``,
so one pair of thresholds means the same for 4- and 10-option questions and for
open answers (chance 0). Two ways to measure:

- ``sample``: k solutions to the training prompt, each graded like the training reward;
- ``logprob``: multiple choice only; one forward pass reads the answer letters'
  probabilities, rescaled to the training temperature, and the key's share is the
  expected pass rate (other kinds fall back to sampling).
"""

from __future__ import annotations

import math
import time
import zlib
from dataclasses import dataclass

from papergym.core.dataset.prompt import prompt_messages
from papergym.core.errors import PapergymError
from papergym.core.llm.backend import Backend, Message
from papergym.core.quality.prompts import vote_messages, vote_prompt
from papergym.core.quality.vote import ask, letter_probabilities
from papergym.core.questions.grading import grade

BANDS = ("too hard", "learnable", "too easy")
DEFAULT_SAMPLES = 8
DEFAULT_TEMPERATURE = 1.0  # TrainConfig.temperature: measure the model as GRPO will sample it
DEFAULT_LOW = 0.1
DEFAULT_HIGH = 0.9


class BandError(PapergymError):
    """A learnable band that cannot hold any question."""


@dataclass(frozen=True)
class LearnableBand:
    """The thresholds on the pass rate above chance that make a question learnable (low < skill < high)."""

    low: float = DEFAULT_LOW
    high: float = DEFAULT_HIGH

    def __post_init__(self) -> None:
        if not (0.0 <= self.low < self.high <= 1.0):
            raise BandError(
                f"The learnable band {self.low:g}-{self.high:g} is empty; give two numbers with 0 <= LOW < HIGH <= 1, e.g. 0.1,0.9."
            )

    @classmethod
    def parse(cls, text: str) -> LearnableBand:
        """A band from ``"LOW,HIGH"`` (or ``"LOW-HIGH"``) as a user types it."""
        parts = [part.strip() for part in text.replace("-", ",").split(",") if part.strip()]
        try:
            low, high = (float(part) for part in parts)
        except ValueError:
            raise BandError(f"The learnable band {text!r} is not two numbers; write it as LOW,HIGH, e.g. 0.1,0.9.") from None
        return cls(low, high)

    def classify(self, skill: float) -> str:
        if skill <= self.low:
            return "too hard"
        if skill >= self.high:
            return "too easy"
        return "learnable"

    def describe(self) -> str:
        return f"learnable between {self.low:.2f} and {self.high:.2f} above chance"


@dataclass
class LearnabilitySettings:
    model: str | None = None  # the training base's name (None: the library's default training base)
    mode: str = "sample"  # sample | logprob
    samples: int = DEFAULT_SAMPLES  # k
    temperature: float = DEFAULT_TEMPERATURE
    reasoning_tokens: int = 256
    band: LearnableBand = LearnableBand()


@dataclass
class LearnabilityResult:
    """One question's measured pass rate, against chance, and its band."""

    passes: float  # solutions that reached the key (expected count in logprob mode)
    samples: int
    chance: float
    mode: str
    band: str
    unreadable: int = 0  # sampled solutions with no readable final answer (they count as failures, as in training)
    seconds: float = 0.0
    tokens: int = 0

    @property
    def pass_rate(self) -> float:
        return self.passes / self.samples if self.samples else 0.0

    @property
    def skill(self) -> float:
        return skill_above_chance(self.pass_rate, self.chance)


def chance_pass_rate(question: dict) -> float:
    """The pass rate of answering at random: 1/options for multiple choice, 0 for a number or a term."""
    if question.get("kind") == "mcq":
        options = question.get("options") or []
        return 1.0 / len(options) if options else 0.0
    return 0.0


def skill_above_chance(pass_rate: float, chance: float) -> float:
    """How far the pass rate is from guessing toward always right: 0 at chance (or below), 1 when always right."""
    if chance >= 1.0:
        return 0.0
    return min(1.0, max(0.0, (pass_rate - chance) / (1.0 - chance)))


def temperature_scaled(probabilities: dict[str, float], temperature: float) -> dict[str, float]:
    """The letters' probabilities when sampled at ``temperature`` (p ** (1/T), renormalised); T = 0 is greedy."""
    positive = {letter: p for letter, p in probabilities.items() if p > 0}
    if not positive:
        return dict.fromkeys(probabilities, 0.0)
    if temperature <= 0:
        best = max(positive, key=lambda letter: positive[letter])
        return {letter: float(letter == best) for letter in probabilities}
    logs = {letter: math.log(p) / temperature for letter, p in positive.items()}
    top = max(logs.values())
    weights = {letter: math.exp(value - top) for letter, value in logs.items()}
    total = sum(weights.values())
    return {letter: weights.get(letter, 0.0) / total for letter in probabilities}


def expected_pass_rate(probabilities: dict[str, float], key: str, temperature: float) -> float:
    """The chance that one answer sampled at ``temperature`` is the key, given one pass's letter probabilities.

    Only the option letters count: the prompt asks for a letter, and the mass
    outside them in a one-token read is mostly spacing and punctuation tokens.
    """
    scaled = temperature_scaled(probabilities, temperature)
    return scaled.get(key.upper(), 0.0)


def _seed(question: dict, sample: int) -> int:
    return zlib.crc32(f"learnability|{question.get('id', question['question'])}|{sample}".encode())


def training_prompt(question: dict) -> tuple[str, list[Message]]:
    """The prompt GRPO will train on: the export's chat, and its plain rendering for a model without a chat template.

    The plain layout is the one training gives a base model (``train.backends.PLAIN_CHAT_TEMPLATE``):
    the system text, the question after "Question: ", then "Reasoning:". Measuring on any
    other prompt would measure a different task.
    """
    chat = prompt_messages(question["question"], question["kind"], question.get("options") or [], question.get("unit"))
    system, user = chat[0]["content"], chat[1]["content"]
    return f"{system}\n\nQuestion: {user}\n\nReasoning:", [Message("system", system), Message("user", user)]


def _sampled(backend: Backend, question: dict, settings: LearnabilitySettings) -> tuple[float, int, int]:
    passes = unreadable = tokens = 0
    prompt, messages = training_prompt(question)
    for sample in range(settings.samples):
        # No stop strings: training samples until the end of text or the token budget, and grades all of it.
        completion = ask(
            backend,
            prompt,
            messages,
            max_tokens=settings.reasoning_tokens,
            temperature=settings.temperature,
            seed=_seed(question, sample),
        )
        tokens += completion.completion_tokens
        verdict = grade(question, completion.text)
        passes += verdict is True
        unreadable += verdict is None
    return float(passes), unreadable, tokens


def _from_logprobs(backend: Backend, question: dict, settings: LearnabilitySettings) -> tuple[float, int, int]:
    completion = ask(backend, vote_prompt(question), vote_messages(question), max_tokens=1, temperature=0.0, logprobs=20)
    if not completion.top_logprobs:
        return 0.0, settings.samples, completion.completion_tokens
    probabilities = letter_probabilities(completion.top_logprobs[0], len(question["options"]))
    if sum(probabilities.values()) <= 0:
        return 0.0, settings.samples, completion.completion_tokens
    rate = expected_pass_rate(probabilities, str(question["answer"]), settings.temperature)
    return rate * settings.samples, 0, completion.completion_tokens


def measure(backend: Backend, question: dict, settings: LearnabilitySettings) -> LearnabilityResult:
    """The pass rate of ``backend`` on one question, its chance level, and its band."""
    started = time.perf_counter()
    mode = settings.mode if question.get("kind") == "mcq" else "sample"
    if mode == "logprob":
        passes, unreadable, tokens = _from_logprobs(backend, question, settings)
    else:
        passes, unreadable, tokens = _sampled(backend, question, settings)
    chance = chance_pass_rate(question)
    rate = passes / settings.samples if settings.samples else 0.0
    return LearnabilityResult(
        passes=passes,
        samples=settings.samples,
        chance=chance,
        mode=mode,
        band=settings.band.classify(skill_above_chance(rate, chance)),
        unreadable=unreadable,
        seconds=time.perf_counter() - started,
        tokens=tokens,
    )


def status_line(result: LearnabilityResult, band: LearnableBand, model: str) -> str:
    """What the user reads: the band, the pass rate against chance, and the thresholds used."""
    passes = f"{result.passes:.0f}/{result.samples}" if result.mode == "sample" else f"expected {result.passes:.1f}/{result.samples}"
    return (
        f"{result.band}: {model} passed {passes} ({result.pass_rate:.0%}, chance {result.chance:.0%}, "
        f"{result.skill:.2f} above chance; {band.describe()})"
    )


# -- the check step -----------------------------------------------------------------------------


def run_step(library, settings, summary, progress, cancel, open_learner) -> str | None:
    """Measure each open question's pass rate for the training base model and record its band.

    Questions are never flagged for their band: a question too easy or too hard
    for this model is still a correct question; ``export --learnable`` and
    ``train --learnable`` act on the band. Changing the band only re-reads the
    stored pass rates, it does not measure again.
    """
    from papergym.core.quality.checks import check_row, settings_hash
    from papergym.core.quality.learnability_store import save_measurement
    from papergym.core.quality.model_step import run_model_step
    from papergym.core.quality.prompts import QUALITY_PROMPT_VERSION
    from papergym.core.questions.statuses import OPEN_STATUSES

    measuring: LearnabilitySettings = settings.learnability
    config = settings_hash(
        prompts=QUALITY_PROMPT_VERSION,
        model=measuring.model,
        mode=measuring.mode,
        samples=measuring.samples,
        temperature=measuring.temperature,
        reasoning_tokens=measuring.reasoning_tokens,
    )
    learner: list[Backend] = []
    seconds: list[float] = []

    def record(question, result: LearnabilityResult):
        seconds.append(result.seconds)
        model = learner[0].model_name
        save_measurement(library, question["id"], model, result, measuring.temperature)
        row = check_row(
            question["id"],
            "learnability",
            "pass",
            [status_line(result, measuring.band, model)],
            config,
            scores=_scores(result),
            detail={
                "band": result.band,
                "model": model,
                "mode": result.mode,
                "unreadable": result.unreadable,
                **_band_detail(measuring.band),
            },
        )
        return row, {}

    def work():
        learner.append(open_learner())
        return lambda question: measure(learner[0], question, measuring)

    # Accepted questions too: they are the ones a run trains on.
    stopped = run_model_step(
        library,
        "learnability",
        config,
        settings,
        summary,
        work,
        record,
        lambda: learner[0].parallel,
        progress,
        cancel,
        statuses=(*OPEN_STATUSES, "accepted"),
    )
    reclassify(library, measuring.band)
    summary.extra["bands"] = {
        row["band"]: row["n"]
        for row in library.query(
            "SELECT json_extract(detail, '$.band') AS band, count(*) AS n FROM checks WHERE step = 'learnability' GROUP BY band"
        )
    }
    summary.extra["band"] = _band_detail(measuring.band)
    if seconds:
        summary.extra["seconds_per_question"] = round(sum(seconds) / len(seconds), 3)
    return stopped


def _scores(result: LearnabilityResult) -> dict:
    return {
        "pass_rate": round(result.pass_rate, 4),
        "chance": round(result.chance, 4),
        "skill": round(result.skill, 4),
        "passes": round(result.passes, 3),
        "samples": result.samples,
    }


def _band_detail(band: LearnableBand) -> dict:
    return {"low": band.low, "high": band.high}


def reclassify(library, band: LearnableBand) -> None:
    """Re-read every stored learnability verdict with ``band``, so a new threshold needs no new measurement."""
    import json

    rows = library.query("SELECT question_id, reasons, scores, detail FROM checks WHERE step = 'learnability'")
    updates = []
    for row in rows:
        scores, detail = json.loads(row["scores"] or "{}"), json.loads(row["detail"] or "{}")
        if "skill" not in scores or (detail.get("low"), detail.get("high")) == (band.low, band.high):
            continue
        result = LearnabilityResult(
            passes=scores["passes"],
            samples=scores["samples"],
            chance=scores["chance"],
            mode=detail.get("mode", "sample"),
            band=band.classify(scores["skill"]),
            unreadable=detail.get("unreadable", 0),
        )
        detail.update(band=result.band, **_band_detail(band))
        reasons = [status_line(result, band, detail.get("model", "the model"))]
        updates.append((json.dumps(reasons, ensure_ascii=False), json.dumps(detail, ensure_ascii=False), row["question_id"]))
    if updates:
        with library.write() as db:
            db.conn.executemany("UPDATE checks SET reasons = ?, detail = ? WHERE step = 'learnability' AND question_id = ?", updates)
