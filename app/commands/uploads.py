"""Upload maintenance commands: `flask clean-uploads` removes chunks of abandoned uploads."""

import click
from flask import current_app

from app.services.uploads import chunk_root, clean_stale_chunks


@click.command("clean-uploads")
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    default=None,
    help="Seconds an unfinished upload may stay untouched (default: UPLOAD_CHUNK_TTL_SECONDS).",
)
def clean_uploads_command(max_age):
    """Remove the chunks of uploads that were never merged."""
    age = current_app.config["UPLOAD_CHUNK_TTL_SECONDS"] if max_age is None else max_age
    removed = clean_stale_chunks(age)
    click.echo(f"Removed {removed} unfinished upload(s) older than {age}s from {chunk_root()}.")


COMMANDS = [clean_uploads_command]
