"""The pipeline: deals by stage (a form moves a deal), imports from the
dashboard with their per-row report, the quality of each source, and capture forms."""

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.policy import Action, may
from audit.services import staff_actor
from dashboard.permissions import staff_required
from dashboard.sales_forms import CaptureFormForm, ImportForm, MoveDealForm
from leads import imports, selectors, services
from leads.models import Deal
from runtime.links import public_url
from vault.services import key_scope

leads_only = staff_required(Action.LEADS)


@leads_only
def board(request):
    """The pipeline: deals by stage, each with its lead's name and company (marketing's
    own data on its leads, decrypted for this page only)."""
    with key_scope():
        return render(
            request,
            "dashboard/leads/board.html",
            {"columns": selectors.board(), "move_form": MoveDealForm()},
        )


@require_POST
@leads_only
def move_deal(request, deal_id: int):
    deal = get_object_or_404(Deal, pk=deal_id)
    form = MoveDealForm(request.POST)
    if form.is_valid():
        services.save_deal(
            actor=staff_actor(request.user.pk),
            deal=deal,
            title=deal.title,
            value=deal.value,
            stage=form.cleaned_data["stage"],
            expected_close=deal.expected_close,
        )
        messages.success(request, _("Deal moved."))
    else:
        messages.error(request, _("Choose a stage."))
    return redirect("dashboard:board")


def _rows(upload):
    """The uploaded file's rows, refusing files over the dashboard's limit."""
    text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
    rows = []
    try:
        for row in imports.read_csv(text):
            rows.append(row)
            if len(rows) > settings.LEADS_IMPORT_MAX_UPLOAD_ROWS:
                raise ValidationError(
                    {
                        "file": [
                            _("Over %(n)d rows: use manage.py import_leads for this file.")
                            % {"n": settings.LEADS_IMPORT_MAX_UPLOAD_ROWS}
                        ]
                    }
                )
    except csv.Error:
        # A field over the csv module's limit (or a broken quote) is the file's fault.
        raise ValidationError(
            {
                "file": [
                    _("Line %(line)d cannot be read: a field is too long or a quote is not closed.")
                    % {"line": len(rows) + 2}
                ]
            }
        ) from None
    return rows


@leads_only
def import_leads(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                rows = _rows(form.cleaned_data["file"])
                with key_scope():
                    report = imports.import_rows(
                        rows,
                        source=form.cleaned_data["source"],
                        lawful_basis=form.cleaned_data["lawful_basis"] or None,
                        actor=staff_actor(request.user.pk),
                        dry_run=form.cleaned_data["dry_run"],
                    )
                if not may(request.user, Action.VIEW_PROFILE):
                    # Only who may look a customer up may learn a row is a customer's.
                    report = report.without_customer_status()
                status = 200
            except ValidationError as error:
                form.add_error("file", error.messages)
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
    return render(
        request,
        "dashboard/leads/import.html",
        {
            "form": form,
            "error_forms": [form],
            "report": report,
            "counts": report.counts() if report else {},
            "columns": imports.COLUMNS + imports.OPTIONAL,
        },
        status=status,
    )


@leads_only
def sources(request):
    return render(request, "dashboard/leads/sources.html", {"rows": selectors.source_quality()})


@leads_only
def capture_forms(request):
    form = CaptureFormForm(request.POST or None, purposes=services.lead_purposes())
    if request.method == "POST" and form.is_valid():
        try:
            lead_form = services.save_lead_form(
                actor=staff_actor(request.user.pk), **form.cleaned_data
            )
            messages.success(request, _("Form saved."))
            return redirect(f"{request.path}#form-{lead_form.slug}")
        except ValidationError as error:
            for texts in error.message_dict.values():
                form.add_error("purposes", texts)
    return render(
        request,
        "dashboard/leads/forms.html",
        {
            "form": form,
            "error_forms": [form],
            "lead_forms": selectors.lead_forms(),
            "site": public_url("/").rstrip("/"),
        },
        status=400 if form.errors else 200,
    )
