"""A notice version holds its text per language (en, id), each with its own SHA-256.
Every existing text becomes the version's English text; the reference purposes' first
notices (seeded by 0002 and 0004) get their Bahasa Indonesia text. Consent events and
pending confirmations record the language the notice was shown in (English before)."""

import hashlib

import django.db.models.deletion
from django.db import migrations, models

LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]

# The Bahasa Indonesia texts of the seeded first notices, matched by their English text's
# hash (a notice someone rewrote before this migration keeps English only).
INDONESIAN = {
    "account": (
        "We keep your profile and purchases to run your account, deliver your orders and "
        "answer your questions. Withdrawing this consent closes your account and erases "
        "your data.",
        "Kami menyimpan profil dan pembelian Anda untuk menjalankan akun Anda, mengirim "
        "pesanan Anda, dan menjawab pertanyaan Anda. Menarik persetujuan ini akan menutup "
        "akun Anda dan menghapus data Anda.",
    ),
    "personalization": (
        "We use what you bought to suggest products you may like, and include your "
        "purchases, without your name, in the statistics behind everyone's suggestions.",
        "Kami menggunakan apa yang Anda beli untuk menyarankan produk yang mungkin Anda "
        "sukai, dan menyertakan pembelian Anda, tanpa nama Anda, dalam statistik di balik "
        "saran untuk semua orang.",
    ),
    "marketing_email": (
        "We may send you offers and news by email. Every email has a link to stop them.",
        "Kami dapat mengirimkan penawaran dan berita kepada Anda melalui email. Setiap "
        "email memuat tautan untuk menghentikannya.",
    ),
    "marketing_post": (
        "We may send you offers and catalogues by post.",
        "Kami dapat mengirimkan penawaran dan katalog kepada Anda melalui pos.",
    ),
    "marketing_phone": (
        "We may call or text you about offers.",
        "Kami dapat menelepon atau mengirim SMS kepada Anda tentang penawaran.",
    ),
    "analytics": (
        "We may use your activity, aggregated, to understand and improve our service.",
        "Kami dapat menggunakan aktivitas Anda, secara agregat, untuk memahami dan "
        "meningkatkan layanan kami.",
    ),
    "sensitive_personalization": (
        "We normally leave products in sensitive categories (health, pharmacy, adult) out "
        "of your recommendations and out of the statistics behind everyone's suggestions, "
        "because a purchase there can reveal your health or sex life. If you agree, we use "
        "your purchases in those categories, together with the rest, to suggest products "
        "to you, which may then include products from those categories, and include them, "
        "without your name, in the statistics behind the suggestions of other customers "
        "who agreed too. This works only together with personal recommendations. "
        "You can withdraw at any time: your sensitive purchases then leave the "
        "statistics at once.",
        "Biasanya kami tidak menyertakan produk dalam kategori sensitif (kesehatan, "
        "farmasi, dewasa) dalam rekomendasi Anda maupun dalam statistik di balik saran "
        "untuk semua orang, karena pembelian di kategori tersebut dapat mengungkapkan "
        "kesehatan atau kehidupan seksual Anda. Jika Anda setuju, kami menggunakan "
        "pembelian Anda dalam kategori tersebut, bersama pembelian lainnya, untuk "
        "menyarankan produk kepada Anda, yang kemudian dapat mencakup produk dari kategori "
        "tersebut, dan menyertakannya, tanpa nama Anda, dalam statistik di balik saran "
        "bagi pelanggan lain yang juga setuju. Ini hanya berlaku bersama rekomendasi "
        "pribadi. Anda dapat menarik persetujuan kapan saja: pembelian sensitif Anda "
        "kemudian langsung dikeluarkan dari statistik.",
    ),
}


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def split_texts(apps, schema_editor):
    Notice = apps.get_model("consent", "Notice")
    NoticeText = apps.get_model("consent", "NoticeText")
    rows = []
    for notice in Notice.objects.all():
        rows.append(
            NoticeText(
                notice=notice, language="en", text=notice.text, content_hash=_hash(notice.text)
            )
        )
        english, indonesian = INDONESIAN.get(notice.purpose_id, ("", ""))
        if english and notice.content_hash == _hash(english):
            rows.append(
                NoticeText(
                    notice=notice, language="id", text=indonesian, content_hash=_hash(indonesian)
                )
            )
    NoticeText.objects.bulk_create(rows)


def seed(apps, schema_editor):
    """The reference purposes with their first notice in both languages, for a database
    at this schema or later (tests re-seed flushed tables with it); idempotent."""
    from importlib import import_module

    Purpose = apps.get_model("consent", "Purpose")
    Notice = apps.get_model("consent", "Notice")
    NoticeText = apps.get_model("consent", "NoticeText")
    seeded = (
        import_module("consent.migrations.0002_seed_purposes").PURPOSES
        + import_module("consent.migrations.0004_seed_sensitive_personalization").PURPOSES
    )
    for code, name, basis, english in seeded:
        purpose, _ = Purpose.objects.get_or_create(
            code=code, defaults={"name": name, "lawful_basis": basis}
        )
        notice, created = Notice.objects.get_or_create(purpose=purpose, version=1)
        if not created:
            continue
        texts = {"en": english, "id": INDONESIAN[code][1]}
        NoticeText.objects.bulk_create(
            NoticeText(notice=notice, language=language, text=text, content_hash=_hash(text))
            for language, text in texts.items()
        )


def join_texts(apps, schema_editor):
    Notice = apps.get_model("consent", "Notice")
    NoticeText = apps.get_model("consent", "NoticeText")
    for text in NoticeText.objects.filter(language="en"):
        Notice.objects.filter(pk=text.notice_id).update(
            text=text.text, content_hash=text.content_hash
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0009_consent_event_notice_delivery")]

    operations = [
        migrations.CreateModel(
            name="NoticeText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(choices=LANGUAGES, max_length=8)),
                ("text", models.TextField()),
                ("content_hash", models.CharField(editable=False, max_length=64)),
                (
                    "notice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="texts",
                        to="consent.notice",
                    ),
                ),
            ],
            options={
                "ordering": ["notice", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("notice", "language"), name="notice_text_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(split_texts, join_texts),
        migrations.AlterField(model_name="notice", name="text", field=models.TextField(default="")),
        migrations.AlterField(
            model_name="notice",
            name="content_hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.RemoveField(model_name="notice", name="content_hash"),
        migrations.RemoveField(model_name="notice", name="text"),
        migrations.AddField(
            model_name="consentconfirmation",
            name="notice_language",
            field=models.CharField(choices=LANGUAGES, default="en", max_length=8),
        ),
        migrations.AddField(
            model_name="consentevent",
            name="notice_language",
            field=models.CharField(choices=LANGUAGES, default="en", max_length=8),
        ),
    ]
