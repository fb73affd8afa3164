"""Articles and article tags (9.x, 10.x)."""
