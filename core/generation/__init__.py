"""Question generation: paper windows, versioned prompts, and the resumable run."""
