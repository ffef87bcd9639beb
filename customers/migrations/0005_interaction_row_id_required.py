"""Every interaction has its row id now (0004 filled them): new rows get one at creation.
A separate migration: PostgreSQL refuses to alter a table in the transaction that just
updated its rows."""

import uuid

from django.db import migrations

import vault.fields


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_bind_ciphertexts_to_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="interaction",
            name="vault_row_id",
            field=vault.fields.VaultRowIdField(default=uuid.uuid4, editable=False),
        ),
    ]
