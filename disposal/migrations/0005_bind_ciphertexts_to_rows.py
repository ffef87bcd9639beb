"""Drop the clear customer id of processor notices (0004 sealed it). Bind each
processor's sealed webhook secret to its row (a row id fixed at creation) and re-encrypt
the stored secrets under the new associated data."""

import uuid

from django.db import migrations, models

SYSTEM_SUBJECT = uuid.UUID(int=0)


def bind(apps, schema_editor):
    from vault.rebinding import fill_row_ids, rebind_rows

    Processor = apps.get_model("disposal", "Processor")
    fill_row_ids(Processor)
    rebind_rows(Processor, subject=SYSTEM_SUBJECT)


class Migration(migrations.Migration):
    dependencies = [
        ("disposal", "0004_erasure_leaves_no_subject_id"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="webhookdelivery",
            name="customer_id",
        ),
        migrations.AddField(
            model_name="processor",
            name="vault_row_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(bind, migrations.RunPython.noop),
    ]
