"""Bind every encrypted value to its row: ciphertexts sealed with "<subject>|<field>" as
associated data are re-encrypted with "<subject>|<field>|<row id>" (Customer and
EmailChange by their UUID primary key, Interaction by a new row id fixed at creation),
so a note swapped between two interactions no longer opens in the other row."""

from django.db import migrations, models


def bind(apps, schema_editor):
    from vault.rebinding import fill_row_ids, rebind_rows

    Interaction = apps.get_model("customers", "Interaction")
    fill_row_ids(Interaction)
    for name in ("Customer", "Interaction", "EmailChange"):
        rebind_rows(apps.get_model("customers", name))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_emailchange"),
    ]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="vault_row_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(bind, migrations.RunPython.noop),
    ]
