"""The data-carrier register on the privacy desk: where customer data lives, how each
old copy was wiped (certificates), copies past expiry and incidents for lost carriers.
Privacy officers (and administrators) only. Every action is a POST to one service,
then a redirect (POST/redirect/GET)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Action
from audit.services import staff_actor
from dashboard.confirm import ask, is_confirmed
from dashboard.forms import CarrierForm, SanitizeForm
from dashboard.permissions import staff_required
from disposal import carriers as services
from disposal.models import AUTOMATIC_KINDS, CarrierKind, CarrierStatus
from disposal.selectors import (
    carrier_get,
    carrier_register,
    open_incidents,
    overdue_copies,
    sanitization_of,
)
from runtime.forms import add_service_errors

desk = staff_required(Action.PRIVACY_DESK)
PAGE_SIZE = 100


def _user(pk):
    return get_user_model().objects.filter(pk=pk or None).first()


def _carrier_or_404(carrier_id):
    carrier = carrier_get(carrier_id)
    if carrier is None:
        raise Http404
    return carrier


@desk
def register(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    page = Paginator(carrier_register(status=status, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": page.object_list,
        "page": page,
        "query": query.urlencode(),
        "status": status,
        "kind": kind,
        "statuses": CarrierStatus.choices,
        "kinds": CarrierKind.choices,
        "overdue_count": overdue_copies().count(),
        "incidents": open_incidents().filter(carrier__isnull=False),
    }
    return render(request, "dashboard/carriers/register.html", context)


@desk
def add(request):
    form = CarrierForm(request.POST or None, holdings=services.known_holdings())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            carrier = services.register_carrier(
                kind=data["kind"],
                label=data["label"],
                location=data["location"],
                custodian=_user(data["custodian"]),
                holds=data["holds"],
                backups_up_to=data["backups_up_to"],
                encrypted=data["encrypted"],
                encryption=data["encryption"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Carrier registered."))
            return redirect("dashboard:carrier", carrier_id=carrier.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "dashboard/carriers/add.html", {"form": form, "error_forms": [form]}, status=status
    )


def _render_carrier(request, carrier, sanitize_form=None, status=200, verify_errors=()):
    record = sanitization_of(carrier)
    context = {
        "carrier": carrier,
        "record": record,
        "may_verify": record is not None and services.may_verify(record, request.user),
        "verify_errors": verify_errors,
        "sanitize_form": sanitize_form or SanitizeForm(),
        "error_forms": [sanitize_form] if sanitize_form else [],
        "is_copy": carrier.kind in AUTOMATIC_KINDS,
        "overdue": carrier.expires_at is not None
        and carrier.expires_at <= timezone.now()
        and carrier.status == CarrierStatus.IN_SERVICE,
        "incidents": carrier.incidents.order_by("-opened_at"),
    }
    return render(request, "dashboard/carriers/carrier.html", context, status=status)


@desk
def carrier_detail(request, carrier_id):
    return _render_carrier(request, _carrier_or_404(carrier_id))


@desk
def sanitize(request, carrier_id):
    carrier = _carrier_or_404(carrier_id)
    if request.method != "POST":
        return redirect("dashboard:carrier", carrier_id=carrier.pk)
    form = SanitizeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.sanitize_carrier(
                carrier=carrier,
                method=data["method"],
                tool=data["tool"],
                performed_by=request.user,
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Sanitization recorded: another staff member must now sign in and verify it."),
            )
            return redirect("dashboard:carrier", carrier_id=record.carrier_id)
    return _render_carrier(request, _carrier_or_404(carrier_id), sanitize_form=form, status=400)


@desk
def verify_sanitization(request, carrier_id):
    """The second person confirms the sanitization as themselves: the verifier is always
    the signed-in user, never a name chosen in a form."""
    carrier = _carrier_or_404(carrier_id)
    if request.method != "POST":
        return redirect("dashboard:carrier", carrier_id=carrier.pk)
    try:
        record = services.verify_sanitization(carrier=carrier, verifier=request.user)
    except ValidationError as error:
        problems = [problem for group in error.message_dict.values() for problem in group]
        return _render_carrier(
            request, _carrier_or_404(carrier_id), status=400, verify_errors=problems
        )
    messages.success(request, _("Sanitization verified."))
    return redirect("dashboard:carrier_certificate", carrier_id=record.carrier_id)


def _status_action(request, carrier_id, action, success, then):
    """POST one status change; `then(result)` names where to go after it."""
    carrier = _carrier_or_404(carrier_id)
    if request.method != "POST":
        return redirect("dashboard:carrier", carrier_id=carrier.pk)
    try:
        result = action(carrier=carrier, actor=staff_actor(request.user.pk))
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("dashboard:carrier", carrier_id=carrier.pk)
    messages.success(request, success)
    return redirect(then(result))


def _back_to_carrier(result):
    return reverse("dashboard:carrier", kwargs={"carrier_id": result.pk})


@desk
def retire(request, carrier_id):
    return _status_action(
        request, carrier_id, services.retire_carrier, _("Carrier retired."), _back_to_carrier
    )


@desk
def lost(request, carrier_id):
    carrier = _carrier_or_404(carrier_id)
    if not is_confirmed(request):
        return ask(
            request,
            title=_("Report this carrier lost?"),
            consequence=_(
                "This will mark the carrier as lost and open a possible-breach incident on "
                "the privacy desk, which then decides within 72 hours whether to notify the "
                "supervisory authority."
            ),
            confirm_label=_("Report lost"),
            cancel_url=reverse("dashboard:carrier", kwargs={"carrier_id": carrier.pk}),
        )
    return _status_action(
        request,
        carrier_id,
        services.report_lost,
        _("Carrier reported lost: an incident is open on the privacy desk."),
        lambda incident: reverse("dashboard:incident", kwargs={"incident_id": incident.pk}),
    )


@desk
def confirm_destroyed(request, carrier_id):
    from_overdue = request.POST.get("next") == "overdue"
    return _status_action(
        request,
        carrier_id,
        services.confirm_destroyed,
        _("Copy confirmed destroyed."),
        (lambda _result: reverse("dashboard:overdue_copies")) if from_overdue else _back_to_carrier,
    )


@desk
def certificate(request, carrier_id):
    carrier = _carrier_or_404(carrier_id)
    record = sanitization_of(carrier)
    if record is None:
        raise Http404
    return render(
        request, "dashboard/carriers/certificate.html", {"carrier": carrier, "record": record}
    )


@desk
def overdue(request):
    return render(request, "dashboard/carriers/overdue.html", {"rows": overdue_copies()})
