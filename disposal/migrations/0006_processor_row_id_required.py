"""Every processor has its row id now (0005 filled them); new rows get one at creation."""

import uuid

from django.db import migrations

import vault.fields


class Migration(migrations.Migration):
    dependencies = [
        ("disposal", "0005_bind_ciphertexts_to_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="processor",
            name="vault_row_id",
            field=vault.fields.VaultRowIdField(default=uuid.uuid4, editable=False),
        ),
    ]
