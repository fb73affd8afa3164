"""Plugins: business cards, activities with sign-ups, goods (8.x)."""
