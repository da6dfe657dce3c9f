"""GRPO training, rewards, metrics and evaluation (imports torch lazily)."""
