"""Products and feedback (2.x)."""
