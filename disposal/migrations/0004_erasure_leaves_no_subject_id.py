"""Once an erasure is done, no table of the data database holds the customer's id: the
request keeps the pseudonym only, and processor notices keep the id sealed under the
vault's system key until delivered."""

import uuid

from django.db import migrations, models

import vault.fields

SYSTEM_SUBJECT = uuid.UUID(int=0)


def clear_done_subject_ids(apps, schema_editor):
    ErasureRequest = apps.get_model("disposal", "ErasureRequest")
    ErasureRequest.objects.filter(status="done").update(subject_id=None)


def seal_notice_ids(apps, schema_editor):
    from vault.fields import seal_text
    from vault.keys import ensure_data_key, key_scope

    WebhookDelivery = apps.get_model("disposal", "WebhookDelivery")
    waiting = WebhookDelivery.objects.exclude(customer_id=None)
    if not waiting.exists():
        return
    ensure_data_key(subject_id=SYSTEM_SUBJECT)
    with key_scope():
        for pk, customer_id in waiting.values_list("pk", "customer_id"):
            sealed = seal_text(
                subject_id=SYSTEM_SUBJECT,
                label="disposal.webhookdelivery.notice_customer_id",
                row_id=str(pk),
                plain=str(customer_id),
            )
            WebhookDelivery.objects.filter(pk=pk).update(
                notice_customer_id=sealed, customer_id=None
            )


class Migration(migrations.Migration):
    dependencies = [
        ("disposal", "0003_retention_floor"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="notice_customer_id",
            field=vault.fields.EncryptedTextField(blank=True, null=True, subject="vault_subject"),
        ),
        migrations.AlterField(
            model_name="erasurerequest",
            name="subject_id",
            field=models.UUIDField(
                blank=True, db_index=True, help_text="Cleared once the erasure is done.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="erasurerequest",
            name="subject_pseudonym",
            field=models.UUIDField(db_index=True),
        ),
        migrations.RunPython(clear_done_subject_ids, migrations.RunPython.noop),
        migrations.RunPython(seal_notice_ids, migrations.RunPython.noop),
    ]
