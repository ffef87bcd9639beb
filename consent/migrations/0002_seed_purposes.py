"""Seeds the purposes of ARCHITECTURE.md, each with its first notice."""

import hashlib

from django.db import migrations

PURPOSES = [
    (
        "account",
        "Customer account",
        "contract",
        "We keep your profile and purchases to run your account, deliver your orders and "
        "answer your questions. Withdrawing this consent closes your account and erases "
        "your data.",
    ),
    (
        "personalization",
        "Personal recommendations",
        "consent",
        "We use what you bought to suggest products you may like, and include your "
        "purchases, without your name, in the statistics behind everyone's suggestions.",
    ),
    (
        "marketing_email",
        "Offers by email",
        "consent",
        "We may send you offers and news by email. Every email has a link to stop them.",
    ),
    ("marketing_post", "Offers by post", "consent", "We may send you offers and catalogues by post."),
    ("marketing_phone", "Offers by phone", "consent", "We may call or text you about offers."),
    (
        "analytics",
        "Service analytics",
        "consent",
        "We may use your activity, aggregated, to understand and improve our service.",
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
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
