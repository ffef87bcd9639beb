"""The stored purpose names (the API's and the records of processing's "name") become
the one vocabulary's English names (consent/vocabulary.py): "Personal suggestions", not
"Personal recommendations"; "Statistics", not "Service analytics". Pages translate them
from the vocabulary; this keeps the machine-readable surfaces saying the same."""

from django.db import migrations

NAMES = {
    "account": ("Customer account", "Your account"),
    "personalization": ("Personal recommendations", "Personal suggestions"),
    "analytics": ("Service analytics", "Statistics"),
}


def rename(apps, schema_editor, *, forward=True):
    Purpose = apps.get_model("consent", "Purpose")
    for code, (old, new) in NAMES.items():
        before, after = (old, new) if forward else (new, old)
        Purpose.objects.filter(code=code, name=before).update(name=after)


class Migration(migrations.Migration):
    dependencies = [("consent", "0010_notice_texts_per_language")]

    operations = [
        migrations.RunPython(
            rename, lambda apps, editor: rename(apps, editor, forward=False)
        ),
    ]
