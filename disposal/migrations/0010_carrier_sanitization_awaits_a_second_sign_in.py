"""A sanitization is recorded by one person and verified later by a second one signed in
as themselves: the verifier becomes optional until then, with the time of verifying.
Records made before this named their verifier when recorded: that is their time."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def verified_when_recorded(apps, schema_editor):
    record = apps.get_model("disposal", "SanitizationRecord")
    record.objects.filter(verified_by__isnull=False, verified_at__isnull=True).update(
        verified_at=models.F("recorded_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("disposal", "0009_processor_slug"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sanitizationrecord",
            name="verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="datacarrier",
            name="status",
            field=models.CharField(
                choices=[
                    ("in-service", "In service"),
                    ("retired", "Retired"),
                    ("lost", "Lost"),
                    ("awaiting-verification", "Awaiting verification"),
                    ("sanitized", "Sanitized"),
                ],
                default="in-service",
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="sanitizationrecord",
            name="verified_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(verified_when_recorded, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sanitizationrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("verified_at__isnull", True), ("verified_by__isnull", True)),
                    models.Q(("verified_at__isnull", False), ("verified_by__isnull", False)),
                    _connector="OR",
                ),
                name="sanitization_verified_with_time",
            ),
        ),
    ]
