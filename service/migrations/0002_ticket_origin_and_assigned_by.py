"""Who started a ticket's contact and who assigned it: a ticket is a reason to reveal
only when the customer started it or someone other than the assignee assigned it.
Existing rows: portal tickets are the customer's; the assigner is read back from the
ticket's audit events (the last event that set the assignee)."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Ticket = apps.get_model("service", "Ticket")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Ticket.objects.filter(opened_by="customer").update(origin="customer")
    for ticket in Ticket.objects.filter(assignee__isnull=False).only("pk", "assignee_id"):
        events = AuditEvent.objects.filter(
            object_type="service.ticket", object_id=str(ticket.pk)
        ).order_by("-id")
        for event in events.filter(action__in=["ticket.opened", "ticket.updated"]):
            metadata = event.metadata or {}
            if event.action == "ticket.opened" or metadata.get("change") == "assignee":
                Ticket.objects.filter(pk=ticket.pk).update(assigned_by=event.actor)
                break


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0001_initial"),
        ("audit", "0013_customers_imported_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="assigned_by",
            field=models.CharField(
                blank=True,
                default="",
                help_text='Who set the assignee ("staff:<id>", "system"); empty when unassigned.',
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="origin",
            field=models.CharField(
                choices=[
                    ("customer", "Started by the customer"),
                    ("caller", "Inbound contact found by the caller lookup"),
                    ("staff", "Opened by staff"),
                ],
                default="staff",
                max_length=10,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
