"""PDF import: find files, read them in isolated worker processes, clean text, split sections, read metadata."""
