"""`flask rotate-encryption-key`: re-encrypt every stored secret with FIELD_ENCRYPTION_KEY's first key.

Rotation (docs/security.md): put the new key first in FIELD_ENCRYPTION_KEY, keep the old ones after it,
run this command, then drop the old keys. Rows are rewritten in one transaction; a value no key decrypts
stops the command with the table and row named, and nothing is written.
"""

import click
from cryptography.fernet import InvalidToken
from flask.cli import with_appcontext
from sqlalchemy import Text, select, type_coerce, update

from app.extensions import db
from app.security import EncryptedText, fernet


def encrypted_columns():
    """(table, column) of every EncryptedText column on the metadata."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                yield table, column


def rotate_all() -> int:
    """Re-encrypt every stored secret with the first key; the number of values rewritten."""
    keys = fernet()
    rewritten = 0
    for table, column in encrypted_columns():
        raw = type_coerce(column, Text)
        pk = list(table.primary_key.columns)
        for row in db.session.execute(select(*pk, raw.label("value")).where(column.is_not(None))):
            try:
                token = keys.rotate(row.value.encode()).decode()
            except InvalidToken:
                db.session.rollback()
                ident = ", ".join(f"{c.name}={getattr(row, c.name)}" for c in pk)
                where = f"{table.name}.{column.name} ({ident})"
                raise click.ClickException(f"{where} 无法用任何密钥解密，未做任何修改") from None
            where = [c == getattr(row, c.name) for c in pk]
            db.session.execute(update(table).where(*where).values({column.name: type_coerce(token, Text)}))
            rewritten += 1
    db.session.commit()
    return rewritten


@click.command("rotate-encryption-key")
@with_appcontext
def rotate_encryption_key_command():
    """Re-encrypt stored WeChat secrets and tokens with the first key of FIELD_ENCRYPTION_KEY."""
    click.echo(f"Re-encrypted {rotate_all()} stored secret(s) with the first FIELD_ENCRYPTION_KEY key.")


COMMANDS = [rotate_encryption_key_command]
