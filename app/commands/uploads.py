"""Upload maintenance commands (issue: tenant content)."""

COMMANDS = []
