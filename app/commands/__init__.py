"""Flask CLI commands; each module lists its click commands in COMMANDS."""

from app.commands import admins, demo, keys, sandbox, seed, uploads

MODULES = [seed, demo, uploads, sandbox, keys, admins]


def register_commands(app) -> None:
    for module in MODULES:
        for command in module.COMMANDS:
            app.cli.add_command(command)
