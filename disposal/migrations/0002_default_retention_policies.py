"""Sane default retention periods; operators change them in the admin."""

from django.db import migrations

DEFAULTS = [
    ("inactive_customers", 3 * 365, "No purchase, interaction or change for three years."),
    ("interactions", 2 * 365, "Service notes are needed for two years at most."),
    (
        "purchase_detail",
        3 * 365,
        "Purchase history serves customers for three years; the invoice-line legal hold "
        "keeps lines longer where tax law requires it.",
    ),
]


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("disposal", "RetentionPolicy")
    for category, keep_days, reason in DEFAULTS:
        RetentionPolicy.objects.get_or_create(
            category=category, defaults={"keep_days": keep_days, "reason": reason}
        )


class Migration(migrations.Migration):
    dependencies = [("disposal", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
