from django.db import migrations, models


def retire_unfloored_builds(apps, schema_editor):
    """A build made before pairs needed a minimum support may list one customer's basket:
    it stops serving at once (popular items, counted live with the floor, fill in until
    the next build)."""
    Build = apps.get_model("recommendations", "Build")
    for build in Build.objects.filter(is_active=True):
        if "min_support" not in build.params:
            build.is_active = False
            build.save(update_fields=["is_active"])


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0002_itemcounts_popular_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="itemcounts",
            name="supports",
            field=models.BinaryField(default=b""),
        ),
        migrations.RunPython(retire_unfloored_builds, migrations.RunPython.noop),
    ]
