"""`flask demo-data` (issue: radar users and statistics)."""

COMMANDS = []
