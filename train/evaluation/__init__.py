"""Evaluation: a model (with or without a trained LoRA adapter) answers held-out questions, greedily, and is graded.

Every question is asked with the prompt training uses and graded by
``core.questions.grading``, the code behind the training reward, so an eval's
accuracy is the reward a policy would have earned. The modules follow an eval
from start to end: ``eval_set`` (which questions), ``models`` (which model,
adapter and engine), ``generation`` with ``transformers_engine`` and
``llamacpp_engine`` (the two engines), ``run`` (``evaluate``: ask, grade,
store) and ``results`` (stored evals, before/after).
"""
