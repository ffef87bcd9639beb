"""Seeds `sensitive_personalization`: explicit consent (GDPR Art. 9) to recommendations
that use purchases in sensitive categories (health, pharmacy, adult)."""

import hashlib

from django.db import migrations

PURPOSES = [
    (
        "sensitive_personalization",
        "Recommendations from sensitive purchases",
        "consent",
        "We normally leave products in sensitive categories (health, pharmacy, adult) out "
        "of your recommendations and out of the statistics behind everyone's suggestions, "
        "because a purchase there can reveal your health or sex life. If you agree, we use "
        "your purchases in those categories, together with the rest, to suggest products "
        "to you, which may then include products from those categories, and include them, "
        "without your name, in the statistics behind the suggestions of other customers "
        "who agreed too. This works only together with personal recommendations. "
        "You can withdraw at any time: your sensitive purchases then leave the "
        "statistics at once.",
    ),
]


def seed(apps, schema_editor):
    Purpose = apps.get_model("consent", "Purpose")
    Notice = apps.get_model("consent", "Notice")
    for code, name, basis, text in PURPOSES:
        purpose, _ = Purpose.objects.get_or_create(
            code=code, defaults={"name": name, "lawful_basis": basis}
        )
        Notice.objects.get_or_create(
            purpose=purpose,
            version=1,
            defaults={"text": text, "content_hash": hashlib.sha256(text.encode()).hexdigest()},
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_consentevent_subject_pseudonym_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
