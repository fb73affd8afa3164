"""Speech scripts: talk groups and their details (17.x)."""
