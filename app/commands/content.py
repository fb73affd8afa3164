"""`flask sanitize-content`: apply the stored-content rules (docs/security.md) to rows written before them."""

import click

from app.services.content_cleanup import clean_stored_content


@click.command("sanitize-content")
@click.option("--batch", type=click.IntRange(min=1), default=500, help="Rows per transaction.")
def sanitize_content_command(batch):
    """Clean stored article HTML and clear links or pictures that are not http(s) or statics/ paths."""
    counts = clean_stored_content(batch)
    for table, changed in counts.items():
        click.echo(f"{table}: {changed} row(s) cleaned")


COMMANDS = [sanitize_content_command]
