"""Questions: their kinds and reply checks, how they are stored and read, edited, reviewed and graded."""
