"""Unconverted leads expire after twelve months without contact (operators change it)."""

from django.db import migrations, models


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("disposal", "RetentionPolicy")
    RetentionPolicy.objects.get_or_create(
        category="unconverted_leads",
        defaults={
            "keep_days": 365,
            "reason": "A lead not converted and not in touch for twelve months is erased.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("disposal", "0007_carriers")]

    operations = [
        migrations.AlterField(
            model_name="retentionpolicy",
            name="category",
            field=models.CharField(
                choices=[
                    ("inactive_customers", "customers inactive for the period (erased)"),
                    ("interactions", "service interactions older than the period"),
                    ("purchase_detail", "purchase lines older than the period"),
                    (
                        "unconverted_leads",
                        "leads not converted, no contact for the period",
                    ),
                ],
                max_length=30,
                unique=True,
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
