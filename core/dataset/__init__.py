"""Datasets: the topic taxonomy, topic classification and alignment, export, and import of question datasets."""
