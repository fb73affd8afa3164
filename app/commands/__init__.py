"""Flask CLI commands; each module lists its click commands in COMMANDS."""

from app.commands import admins, content, demo, keys, sandbox, seed, uploads

MODULES = [seed, demo, uploads, sandbox, keys, content, admins]


def register_commands(app) -> None:
    for module in MODULES:
        for command in module.COMMANDS:
            app.cli.add_command(command)
