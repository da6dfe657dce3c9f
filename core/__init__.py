"""The domain: library, ingest, and (later) generation, quality, topics and export."""
