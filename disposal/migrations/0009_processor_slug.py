from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    Processor = apps.get_model("disposal", "Processor")
    taken = set()
    for processor in Processor.objects.order_by("pk"):
        base = slugify(processor.name)[:45] or "processor"
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        processor.slug = slug
        processor.save(update_fields=["slug"])


class Migration(migrations.Migration):

    dependencies = [
        ("disposal", "0008_unconverted_leads_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="processor",
            name="slug",
            field=models.SlugField(max_length=50, null=True, db_index=False),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="processor",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="How the API names it (`processor` of a disclosure); from the name if empty.",
                unique=True,
            ),
        ),
    ]
