"""Question kinds, their JSON schemas, and the checks a model's reply must pass to be stored."""

from __future__ import annotations

import hashlib
import json
import math
import random
import unicodedata
from dataclasses import asdict, dataclass, field

KINDS = ("mcq", "numeric", "exact")
LETTERS = "ABCDEFGHIJ"
MIN_QUESTION_CHARS = 20
MAX_QUESTION_CHARS = 1200  # for replies from servers that ignore the schema's caps
MAX_EXACT_ANSWER_WORDS = 8
# Numeric answers are graded within this relative tolerance unless a question says otherwise.
DEFAULT_RELATIVE_TOLERANCE = 0.02
# Length caps in the schemas: under a grammar they make every reply finish within its token budget
# instead of rambling until it is cut off (a tiny model otherwise writes endless rationales).
QUESTION_MAX_CHARS = 600
OPTION_MAX_CHARS = 160
RATIONALE_MAX_CHARS = 400
QUOTE_MAX_CHARS = 400  # the passage's own words the key rests on (prompt gen-2 and later)
SHORT_MAX_CHARS = 80


def _text_field(max_chars: int) -> dict:
    return {"type": "string", "maxLength": max_chars}


class InvalidReply(ValueError):
    """A reply that parsed but is not a usable question; the message says what is wrong."""


def mcq_schema(option_count: int = 4) -> dict:
    return {
        "type": "object",
        "properties": {
            "question": _text_field(QUESTION_MAX_CHARS),
            "options": {"type": "array", "items": _text_field(OPTION_MAX_CHARS), "minItems": option_count, "maxItems": option_count},
            "answer": {"type": "string", "enum": list(LETTERS[:option_count])},
            "rationale": _text_field(RATIONALE_MAX_CHARS),
        },
        "required": ["question", "options", "answer", "rationale"],
        "additionalProperties": False,
    }


NUMERIC_SCHEMA = {
    "type": "object",
    "properties": {
        "question": _text_field(QUESTION_MAX_CHARS),
        "answer": {"type": "number"},
        "unit": _text_field(SHORT_MAX_CHARS),
        "rationale": _text_field(RATIONALE_MAX_CHARS),
    },
    "required": ["question", "answer", "unit", "rationale"],
    "additionalProperties": False,
}

EXACT_SCHEMA = {
    "type": "object",
    "properties": {
        "question": _text_field(QUESTION_MAX_CHARS),
        "answer": _text_field(SHORT_MAX_CHARS),
        "aliases": {"type": "array", "items": _text_field(SHORT_MAX_CHARS), "maxItems": 4},
        "rationale": _text_field(RATIONALE_MAX_CHARS),
    },
    "required": ["question", "answer", "aliases", "rationale"],
    "additionalProperties": False,
}


def schema_for(kind: str, option_count: int = 4, *, quote: bool = False) -> dict:
    """The reply's JSON schema; with ``quote`` it also asks for a verbatim quote from the passage that supports the key."""
    schema = {"mcq": lambda: mcq_schema(option_count), "numeric": lambda: NUMERIC_SCHEMA, "exact": lambda: EXACT_SCHEMA}[kind]()
    if not quote:
        return schema
    return {
        **schema,
        "properties": {**schema["properties"], "quote": _text_field(QUOTE_MAX_CHARS)},
        "required": [*schema["required"], "quote"],
    }


@dataclass
class Question:
    """A generated question, ready to store."""

    kind: str
    question: str
    answer: str
    rationale: str = ""
    options: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    unit: str | None = None
    tolerance: float | None = None
    quote: str | None = None  # the passage's words the key rests on, copied by the model (not part of the identity)

    def content_id(self, paper_id: str) -> str:
        """A hash of what the question says, so the same question is never stored twice."""
        key = json.dumps(
            # Sorted options and the answer's text, so reshuffled options are still the same question.
            [paper_id, self.kind, normalize(self.question), sorted(normalize(o) for o in self.options), normalize(self.answer_text)],
            ensure_ascii=False,
        )
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def answer_text(self) -> str:
        """The correct option's text for a multiple-choice question, else the answer itself."""
        if self.kind == "mcq":
            return self.options[LETTERS.index(self.answer)]
        return self.answer


def normalize(text: str) -> str:
    """Lower case, unified Unicode, single spaces, no trailing punctuation: for comparing texts."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    # str.split() breaks at exactly the characters regex \s matches, so this equals re.sub(r"\s+", " ", text).strip(),
    # at a quarter of the cost: dedup normalises every question of a library.
    return " ".join(text.split()).rstrip(" .;:,")


def parse_json_object(text: str) -> dict:
    """The first JSON object in a reply; raises InvalidReply with a reason otherwise."""
    start = text.find("{")
    if start < 0:
        raise InvalidReply("the reply holds no JSON object")
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as error:
        raise InvalidReply(f"the reply is not valid JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(value, dict):
        raise InvalidReply("the reply is JSON but not an object")
    return value


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidReply(f"'{name}' is not a string")
    return " ".join(value.split())


def parse_reply(kind: str, reply: dict, option_count: int = 4) -> Question:
    """Check a parsed reply against its kind's schema and the rules of a usable question."""
    missing = [key for key in schema_for(kind, option_count)["required"] if key not in reply]
    if missing:
        raise InvalidReply(f"the reply lacks {', '.join(missing)}")
    question = _text(reply["question"], "question")
    if len(question) < MIN_QUESTION_CHARS:
        raise InvalidReply(f"the question is too short ({len(question)} characters)")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidReply(f"the question is too long ({len(question)} characters)")
    rationale = _text(reply.get("rationale", ""), "rationale")
    question_with_quote = _parse_kind(kind, reply, option_count, question, rationale)
    quote = reply.get("quote")
    question_with_quote.quote = quote.strip() if isinstance(quote, str) and quote.strip() else None
    return question_with_quote


def _parse_kind(kind: str, reply: dict, option_count: int, question: str, rationale: str) -> Question:
    if kind == "mcq":
        options = reply["options"]
        if not isinstance(options, list) or len(options) != option_count:
            raise InvalidReply(f"a multiple-choice question needs exactly {option_count} options")
        options = [_text(option, "options") for option in options]
        if any(not option for option in options):
            raise InvalidReply("an option is empty")
        if len({normalize(option) for option in options}) < len(options):
            raise InvalidReply("two options say the same thing")
        answer = _text(reply["answer"], "answer").upper().strip("() .")
        if answer not in LETTERS[:option_count]:
            raise InvalidReply(f"the answer {reply['answer']!r} is not one of the option letters")
        return Question("mcq", question, answer, rationale, options=options)
    if kind == "numeric":
        value = reply["answer"]
        if isinstance(value, str):
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                raise InvalidReply(f"the answer {value!r} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidReply("the answer is not a finite number")
        unit = _text(reply["unit"], "unit")
        tolerance = abs(value) * DEFAULT_RELATIVE_TOLERANCE or 1e-9
        return Question("numeric", question, format_number(value), rationale, unit=unit, tolerance=tolerance)
    if kind == "exact":
        answer = _text(reply["answer"], "answer")
        if not answer:
            raise InvalidReply("the answer is empty")
        if len(answer.split()) > MAX_EXACT_ANSWER_WORDS:
            raise InvalidReply(f"the answer has more than {MAX_EXACT_ANSWER_WORDS} words, too long to match exactly")
        if normalize(answer) in normalize(question):
            raise InvalidReply("the question gives its own answer away")
        aliases = reply.get("aliases") or []
        if not isinstance(aliases, list):
            raise InvalidReply("'aliases' is not a list")
        aliases = [a for a in (_text(alias, "aliases") for alias in aliases) if a and normalize(a) != normalize(answer)]
        return Question("exact", question, answer, rationale, aliases=list(dict.fromkeys(aliases)))
    raise InvalidReply(f"unknown question kind {kind!r}")


def format_number(value: float) -> str:
    """A number as text without float noise (1.45, not 1.4500000000000002)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def shuffle_options(question: Question, seed: str) -> Question:
    """Move the key to a random (but reproducible) position, so no letter is favoured."""
    if question.kind != "mcq":
        return question
    correct = question.answer_text
    options = list(question.options)
    random.Random(seed).shuffle(options)
    question.options = options
    question.answer = LETTERS[options.index(correct)]
    return question
