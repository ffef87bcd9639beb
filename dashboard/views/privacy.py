"""The privacy desk: the data-subject request queue, one request with its actions,
erasure progress and certificate, processors' acknowledgements, and the records of
processing (GDPR Art. 30) with a CSV download. Every action is a POST to one service,
then a redirect back to the request (POST/redirect/GET)."""

import json
from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from access.policy import Action, may
from audit.services import staff_actor
from customers.selectors import customer_get
from dashboard.confirm import ask, is_confirmed
from dashboard.forms import (
    AssignForm,
    ExtendForm,
    OpenRequestForm,
    RectifyForm,
    RejectForm,
    VerifyForm,
)
from dashboard.permissions import staff_required
from disposal.exports import export_customer
from disposal.selectors import (
    certificate_of,
    erasure_progress,
    erasure_request_get,
    open_incidents,
    overdue_copies,
)
from disposal.vocabulary import delivery_text, erasure_text
from portal.presentation import category_label, category_sort_key
from portal.summary import summary_context
from privacy import selectors, services
from privacy.models import RequestKind, RequestStatus
from privacy.records import records_of_processing
from runtime.csv_writer import csv_download
from runtime.forms import add_service_errors

desk = staff_required(Action.PRIVACY_DESK)

STEP_LABELS = {
    "key_destroyed": _lazy("Data key destroyed"),
    "forgotten": _lazy("Derived data forgotten (recommendations)"),
    "processors_notified": _lazy("Processors notified"),
    "rows_erased": _lazy("Rows deleted or unlinked"),
    "certified": _lazy("Certificate written"),
}


@desk
def queue(request):
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    rows = selectors.request_queue(status=status, kind=kind)[:200]
    context = {
        "rows": rows,
        "today": timezone.localdate(),
        "status": status,
        "kind": kind,
        "kinds": RequestKind.choices,
        "statuses": [("open", _("Open")), *RequestStatus.choices, ("all", _("All"))],
        "overdue_copies": overdue_copies().count(),
        "open_incidents": open_incidents().count(),
    }
    return render(request, "dashboard/privacy/queue.html", context)


def _request_or_404(request_id):
    dsr = selectors.request_get(request_id)
    if dsr is None:
        raise Http404
    return dsr


def _forms(dsr, **bound) -> dict:
    forms = {
        "assign_form": AssignForm(initial={"assignee": dsr.assignee_id or ""}),
        "verify_form": VerifyForm(),
        "extend_form": ExtendForm(),
        "reject_form": RejectForm(),
        "rectify_form": RectifyForm(),
    }
    forms.update(bound)
    return forms


def _render_request(request, dsr, status=200, **bound):
    context = {
        "dsr": dsr,
        "today": timezone.localdate(),
        "erasure": dsr.erasure_request,
        "error_forms": list(bound.values()),
        **_forms(dsr, **bound),
    }
    return render(request, "dashboard/privacy/request.html", context, status=status)


@desk
def request_detail(request, request_id):
    return _render_request(request, _request_or_404(request_id))


def _received_at(day: date) -> datetime:
    """Today's requests keep the moment they were recorded; earlier ones the day's start."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time.min))


@desk
def open_request(request, customer_id):
    customer = customer_get(customer_id)
    if customer is None:
        raise Http404
    form = OpenRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dsr = services.open_request(
            customer=customer,
            kind=form.cleaned_data["kind"],
            channel=form.cleaned_data["channel"],
            received_at=_received_at(form.cleaned_data["received_on"]),
            actor=staff_actor(request.user.pk),
            assignee=request.user,
        )
        messages.success(request, _("Request opened and assigned to you."))
        return redirect("dashboard:request", request_id=dsr.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dashboard/privacy/open.html",
        {"form": form, "customer": customer, "error_forms": [form]},
        status=status,
    )


def _act(request, request_id, form_class, form_name, action, success):
    """Validate the form, call the service, redirect; or show the request with errors."""
    dsr = _request_or_404(request_id)
    if request.method != "POST":
        return redirect("dashboard:request", request_id=dsr.pk)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            action(dsr, form.cleaned_data if form else {}, staff_actor(request.user.pk))
        except ValidationError as error:
            if form is None:
                for problems in error.message_dict.values():
                    for problem in problems:
                        messages.error(request, problem)
                return redirect("dashboard:request", request_id=dsr.pk)
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("dashboard:request", request_id=dsr.pk)
    return _render_request(request, _request_or_404(request_id), status=400, **{form_name: form})


@desk
def assign(request, request_id):
    def action(dsr, data, actor):
        assignee = get_user_model().objects.filter(pk=data["assignee"] or None).first()
        services.assign_request(request=dsr, assignee=assignee, actor=actor)

    return _act(request, request_id, AssignForm, "assign_form", action, _("Assignment saved."))


@desk
def verify(request, request_id):
    def action(dsr, data, actor):
        services.verify_requester(request=dsr, method=data["method"], actor=actor)

    return _act(request, request_id, VerifyForm, "verify_form", action, _("Requester verified."))


@desk
def extend(request, request_id):
    def action(dsr, data, actor):
        services.extend_request(
            request=dsr, months=data["months"], reason=data["reason"], actor=actor
        )

    return _act(request, request_id, ExtendForm, "extend_form", action, _("Deadline extended."))


@desk
def reject(request, request_id):
    def action(dsr, data, actor):
        services.reject_request(request=dsr, reason=data["reason"], actor=actor)

    return _act(request, request_id, RejectForm, "reject_form", action, _("Request rejected."))


@desk
def rectify(request, request_id):
    def action(dsr, data, actor):
        changes = {name: value for name, value in data.items() if value}
        services.complete_rectification(request=dsr, actor=actor, changes=changes)

    return _act(request, request_id, RectifyForm, "rectify_form", action, _("Profile corrected."))


@desk
def complete(request, request_id):
    """The one-button actions: the request's kind decides which service runs."""
    handlers = {
        RequestKind.ACCESS: (services.complete_access, _("Access request completed.")),
        RequestKind.RESTRICTION: (services.apply_restriction, _("Processing restricted.")),
        RequestKind.OBJECTION: (services.uphold_objection, _("Objection upheld.")),
    }
    dsr = _request_or_404(request_id)
    needed = {RequestKind.ACCESS: Action.EXPORT, RequestKind.ERASURE: Action.ERASE}
    if dsr.kind in needed and not may(request.user, needed[dsr.kind]):
        return render(request, "dashboard/forbidden.html", status=403)
    if dsr.kind == RequestKind.ERASURE and not dsr.erasure_request_id and not is_confirmed(request):
        return ask(
            request,
            title=_("Start the erasure?"),
            consequence=_(
                "This will erase the customer's personal data: their data key is destroyed, "
                "derived data is forgotten, processors are told to delete their copies and "
                "a certificate is written."
            ),
            confirm_label=_("Start the erasure"),
            cancel_url=reverse("dashboard:request", kwargs={"request_id": dsr.pk}),
        )
    if dsr.kind == RequestKind.ERASURE:
        handler = services.close_erasure if dsr.erasure_request_id else services.start_erasure
        success = _("Request closed.") if dsr.erasure_request_id else _("Erasure started.")
    elif dsr.kind in handlers:
        handler, success = handlers[dsr.kind]
    else:
        raise Http404

    def action(dsr, data, actor):
        handler(request=dsr, actor=actor)

    response = _act(request, request_id, None, "", action, success)
    dsr.refresh_from_db()
    if dsr.kind == RequestKind.ERASURE and dsr.status == RequestStatus.IN_PROGRESS:
        return redirect("dashboard:erasure", erasure_id=dsr.erasure_request_id)
    return response


@staff_required(Action.EXPORT)
def export(request, request_id):
    """The access request's export, downloaded (POST: the download is audited)."""
    dsr = _request_or_404(request_id)
    if request.method != "POST" or dsr.kind != RequestKind.ACCESS or dsr.customer_id is None:
        return redirect("dashboard:request", request_id=dsr.pk)
    if dsr.status != RequestStatus.DONE:
        messages.error(request, _("Complete the request first."))
        return redirect("dashboard:request", request_id=dsr.pk)
    document = export_customer(
        customer_id=dsr.customer_id, actor=staff_actor(request.user.pk), copy_source="dashboard"
    )
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="export-{dsr.short_id}.json"'
    return response


@staff_required(Action.EXPORT)
def access_summary(request, request_id):
    """The access request's readable summary, to print and send to a customer who asked
    by letter or phone: the portal's own printable summary (its builder and template),
    so both say the same. A POST, because making it is audited and registered as a copy
    that left the system, like the download."""
    dsr = _request_or_404(request_id)
    if request.method != "POST" or dsr.kind != RequestKind.ACCESS or dsr.customer_id is None:
        return redirect("dashboard:request", request_id=dsr.pk)
    if dsr.status != RequestStatus.DONE:
        messages.error(request, _("Complete the request first."))
        return redirect("dashboard:request", request_id=dsr.pk)
    document = export_customer(
        customer_id=dsr.customer_id, actor=staff_actor(request.user.pk), copy_source="dashboard"
    )
    context = {**summary_context(customer=dsr.customer, document=document), "dsr": dsr}
    response = render(request, "dashboard/privacy/access_summary.html", context)
    response["Cache-Control"] = "no-store"
    return response


@desk
def lift_restriction(request, customer_id):
    customer = customer_get(customer_id)
    if customer is None:
        raise Http404
    if request.method == "POST":
        services.end_restriction(customer=customer, actor=staff_actor(request.user.pk))
        messages.success(request, _("Restriction lifted."))
    return redirect("dashboard:customer", customer_id=customer.pk)


@desk
def erasure(request, erasure_id):
    erasure_request = erasure_request_get(erasure_id)
    if erasure_request is None:
        raise Http404
    certificate = certificate_of(erasure_request)
    context = {
        "erasure": erasure_request,
        "steps": [
            (code, STEP_LABELS.get(code, label), done)
            for code, label, done in erasure_progress(erasure_request)
        ],
        "certificate": certificate,
        "words": _certificate_words(certificate) if certificate else ([], []),
        "dsr": getattr(erasure_request, "data_subject_request", None),
        "refresh": erasure_request.status in ("pending", "running"),
    }
    return render(request, "dashboard/privacy/erasure.html", context)


def _certificate_words(certificate: dict) -> tuple[list[dict], list[dict]]:
    """The certificate's categories and processors in the portal's words."""
    holds = certificate["legal_holds"]
    categories = [
        {
            "name": str(category_label(category)),
            "done": erasure_text(method),
            "kept": holds.get(category),
            "removed": certificate["rows_removed"].get(category, 0),
            "unlinked": certificate["rows_pseudonymized"].get(category, 0),
        }
        for category, method in sorted(
            certificate["method"].items(), key=lambda item: category_sort_key(item[0])
        )
        if category != "key"  # the key's destruction has its own line
    ]
    processors = [
        {"name": notified["processor"], "status": delivery_text(notified["delivery"])}
        for notified in certificate["processors_notified"]
    ]
    return categories, processors


@desk
def erasure_certificate(request, erasure_id):
    """The erasure certificate in plain words, to print and hand over: categories in the
    portal's names, what erasure did to each, what the law keeps and for how long."""
    erasure_request = erasure_request_get(erasure_id)
    certificate = certificate_of(erasure_request) if erasure_request else None
    if certificate is None:
        raise Http404
    categories, processors = _certificate_words(certificate)
    context = {
        "erasure": erasure_request,
        "certificate": certificate,
        "categories": categories,
        "processors": processors,
    }
    return render(request, "dashboard/privacy/certificate.html", context)


@desk
def processors(request):
    return render(
        request, "dashboard/privacy/processors.html", {"rows": selectors.processor_notices()}
    )


@desk
def records(request):
    return render(request, "dashboard/privacy/records.html", {"sections": records_of_processing()})


@desk
def records_print(request):
    return render(
        request, "dashboard/privacy/records_print.html", {"sections": records_of_processing()}
    )


@desk
def records_csv(request):
    """The same records as the page, one detail a row, in the reader's language."""
    response, writer = csv_download("records-of-processing.csv")
    writer.writerow([_("Section"), _("Name"), _("Detail"), _("Value")])
    for section in records_of_processing():
        if section.note:
            writer.writerow([section.title, "", "", section.note])
        for entry in section.entries:
            for label, value in entry.details:
                writer.writerow([section.title, entry.name, label, value])
    return response
