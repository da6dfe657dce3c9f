"""papergym: from a PDF library to verifiable questions and GRPO training, offline."""

__version__ = "0.1.0"
