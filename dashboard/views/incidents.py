"""Incidents on the privacy desk: the list with each one's notification clock, a
breach recorded by hand (a lost carrier opens its own, dashboard.views.carriers), one
incident with whom it touches (counts and categories) and whom it was reported to, and
a printable record. Privacy officers and administrators only; every write is a POST to
one service in disposal.incidents or disposal.carriers, audited there."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from access.policy import Action
from audit.services import staff_actor
from dashboard.forms import CloseIncidentForm
from dashboard.incident_forms import AssessForm, BreachForm, ReportForm
from dashboard.permissions import staff_required
from disposal import carriers, incidents
from disposal.models import IncidentStatus
from disposal.selectors import incident_get, incident_list, notification_clock
from runtime.forms import add_service_errors

desk = staff_required(Action.PRIVACY_DESK)


def _incident_or_404(incident_id):
    found = incident_get(incident_id)
    if found is None:
        raise Http404
    return found


@desk
def incident_index(request):
    status = request.GET.get("status", "")
    rows = [(incident, notification_clock(incident)) for incident in incident_list(status=status)]
    context = {"rows": rows[:200], "status": status, "statuses": IncidentStatus.choices}
    return render(request, "dashboard/incidents/list.html", context)


@desk
def record_breach(request):
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incidents.record_breach(
                summary=data["summary"],
                discovered_at=data["discovered_at"],
                categories=data["categories"],
                customers_affected=data["customers_affected"],
                encrypted=data["encrypted"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Breach recorded: the notification clock is running."))
            return redirect("dashboard:incident", incident_id=incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dashboard/incidents/new.html",
        {"form": form, "error_forms": [form]},
        status=status,
    )


def _render_incident(request, incident, status=200, **bound):
    forms = {
        "close_form": CloseIncidentForm(),
        "assess_form": AssessForm(
            initial={
                "categories": incident.categories,
                "customers_affected": incident.customers_affected,
            }
        ),
        "report_form": ReportForm(),
        **bound,
    }
    context = {
        "incident": incident,
        "clock": notification_clock(incident),
        "error_forms": list(bound.values()),
        **forms,
    }
    return render(request, "dashboard/incidents/detail.html", context, status=status)


@desk
def incident_detail(request, incident_id):
    """The incident; a POST closes it with the decision about notification."""
    incident = _incident_or_404(incident_id)
    if request.method != "POST":
        return _render_incident(request, incident)
    form = CloseIncidentForm(request.POST)
    if form.is_valid():
        try:
            carriers.close_incident(
                incident=incident,
                decision=form.cleaned_data["decision"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Incident closed."))
            return redirect("dashboard:incident", incident_id=incident.pk)
    return _render_incident(request, _incident_or_404(incident_id), status=400, close_form=form)


@desk
def assess(request, incident_id):
    incident = _incident_or_404(incident_id)
    if request.method != "POST":
        return redirect("dashboard:incident", incident_id=incident.pk)
    form = AssessForm(request.POST)
    if form.is_valid():
        try:
            incidents.assess_incident(
                incident=incident,
                customers_affected=form.cleaned_data["customers_affected"],
                categories=form.cleaned_data["categories"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("dashboard:incident", incident_id=incident.pk)
    return _render_incident(request, _incident_or_404(incident_id), status=400, assess_form=form)


@desk
def report(request, incident_id):
    incident = _incident_or_404(incident_id)
    if request.method != "POST":
        return redirect("dashboard:incident", incident_id=incident.pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incidents.record_report(
                incident=incident,
                recipient=data["recipient"],
                reported_at=data["reported_at"],
                reference=data["reference"],
                customers_notified=data["customers_notified"],
                actor=staff_actor(request.user.pk),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Report recorded."))
            return redirect("dashboard:incident", incident_id=incident.pk)
    return _render_incident(request, _incident_or_404(incident_id), status=400, report_form=form)


@desk
def incident_print(request, incident_id):
    incident = _incident_or_404(incident_id)
    context = {"incident": incident, "clock": notification_clock(incident)}
    return render(request, "dashboard/incidents/print.html", context)
