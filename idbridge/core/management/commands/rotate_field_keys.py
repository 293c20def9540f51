from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from idbridge import crypto
from idbridge.audit.services import audit_record
from idbridge.fields import encrypted_fields

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of FIELD_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args, **options):
        total = 0
        for model, field in encrypted_fields():
            rotated = _field_rotate(model, field)
            if rotated:
                self.stdout.write(
                    f"{model._meta.label}.{field.name}: {rotated} values re-encrypted"
                )
            total += rotated
        audit_record(
            actor="manage.py",
            action="crypto.keys_rotated",
            target="field-encryption",
            details={"values": total},
        )
        self.stdout.write(f"Done: {total} values re-encrypted under the first key.")


def _field_rotate(model, field) -> int:
    """Re-encrypt one field's stored values, BATCH rows per transaction, in primary key
    order; returns how many values were re-encrypted."""
    qn = connection.ops.quote_name
    table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
    rotated, last_pk = 0, None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"WHERE {pk} > %s " if last_pk is not None else ""
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} {where}ORDER BY {pk} LIMIT {BATCH}",  # noqa: S608 - identifiers quoted
                [last_pk] if last_pk is not None else [],
            )
            rows = cursor.fetchall()
            if not rows:
                return rotated
            updates = [
                (_value_rotate(model, field, row_pk, stored), row_pk)
                for row_pk, stored in rows
                if stored
            ]
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                updates,
            )
            rotated += len(updates)
            last_pk = rows[-1][0]


def _value_rotate(model, field, row_pk, stored: str) -> str:
    try:
        return crypto.rotate(stored)
    except crypto.DecryptionError:
        raise CommandError(
            f"{model._meta.label}.{field.name} row {row_pk}: no "
            "configured key decrypts it; keep the old key in "
            "FIELD_ENCRYPTION_KEYS until rotation completes"
        ) from None
