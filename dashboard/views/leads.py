"""Leads: the list (no contact values), one lead (contact details, each view audited;
its score rule by rule; its consent evidence), and the actions on it: status, contact,
deal, conversion, export and erasure."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.policy import Action, may
from audit.models import AuditAction
from audit.services import record_access, staff_actor
from dashboard.confirm import ask, is_confirmed
from dashboard.permissions import staff_required
from dashboard.sales_forms import ConvertForm, DealForm, LeadFilterForm, LeadStatusForm
from leads import rights, selectors, services
from leads.scoring import explain
from runtime.forms import add_service_errors
from vault.services import key_scope

leads_only = staff_required(Action.LEADS)
PAGE_SIZE = 50


def _lead_or_404(lead_id):
    lead = selectors.live_lead(lead_id)
    if lead is None:
        raise Http404
    return lead


@leads_only
def lead_list(request):
    form = LeadFilterForm(request.GET or None, sources=selectors.sources())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.leads(status=filters.get("status", ""), source=filters.get("source", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/leads/list.html",
        {
            "filter_form": form,
            "rows": page.object_list,
            "page": page,
            "query": query.urlencode(),
            "total": page.paginator.count,
        },
    )


def _detail_context(request, lead, **forms) -> dict:
    record_access(
        actor=staff_actor(request.user.pk),
        action=AuditAction.LEAD_VIEWED,
        subject_id=lead.pk,
        object_type="leads.lead",
        purpose="leads",
    )
    return {
        "lead": lead,
        "rules": explain(lead),
        "consents": lead.consents.select_related("purpose", "notice"),
        "pending": lead.confirmations.filter(confirmed_at__isnull=True),
        "deals": lead.deals.all(),
        "status_form": forms.get("status_form") or LeadStatusForm(initial={"status": lead.status}),
        "deal_form": forms.get("deal_form") or DealForm(),
        "convert_form": forms.get("convert_form") or ConvertForm(),
        "error_forms": [form for form in forms.values() if form is not None],
        "can_export": may(request.user, Action.EXPORT),
        "can_erase": may(request.user, Action.ERASE),
    }


@leads_only
def lead_detail(request, lead_id):
    lead = _lead_or_404(lead_id)
    with key_scope():
        return render(request, "dashboard/leads/detail.html", _detail_context(request, lead))


def _invalid(request, lead, **forms):
    with key_scope():
        context = _detail_context(request, lead, **forms)
        return render(request, "dashboard/leads/detail.html", context, status=400)


@require_POST
@leads_only
def lead_status(request, lead_id):
    lead = _lead_or_404(lead_id)
    form = LeadStatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_lead_status(
                lead=lead,
                status=form.cleaned_data["status"],
                actor=staff_actor(request.user.pk),
                owner=request.user,
            )
            messages.success(request, _("Status changed."))
            return redirect("dashboard:lead", lead.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return _invalid(request, lead, status_form=form)


@require_POST
@leads_only
def lead_contacted(request, lead_id):
    lead = _lead_or_404(lead_id)
    services.record_contact(lead=lead, actor=staff_actor(request.user.pk))
    messages.success(request, _("Contact recorded."))
    return redirect("dashboard:lead", lead.pk)


@require_POST
@leads_only
def lead_deal(request, lead_id):
    lead = _lead_or_404(lead_id)
    form = DealForm(request.POST)
    if form.is_valid():
        try:
            services.save_deal(
                actor=staff_actor(request.user.pk),
                lead=lead,
                owner=request.user,
                **form.cleaned_data,
            )
            messages.success(request, _("Deal opened."))
            return redirect("dashboard:lead", lead.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return _invalid(request, lead, deal_form=form)


@require_POST
@leads_only
def lead_convert(request, lead_id):
    lead = _lead_or_404(lead_id)
    form = ConvertForm(request.POST)
    if form.is_valid():
        try:
            with key_scope():
                services.convert_lead(
                    lead=lead,
                    actor=staff_actor(request.user.pk),
                    account_agreed=form.cleaned_data["account_agreed"],
                    external_id=form.cleaned_data["external_id"] or None,
                )
            messages.success(request, _("The lead is now a customer, with its consent history."))
            return redirect("dashboard:board")
        except ValidationError as error:
            add_service_errors(form, error)
    return _invalid(request, lead, convert_form=form)


@staff_required(Action.EXPORT)
def lead_export(request, lead_id):
    lead = _lead_or_404(lead_id)
    document = rights.export_lead(lead_id=lead.pk, actor=staff_actor(request.user.pk))
    response = HttpResponse(json.dumps(document, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="lead-{lead.pk}.json"'
    return response


@staff_required(Action.ERASE)
def lead_erase(request, lead_id):
    lead = _lead_or_404(lead_id)
    if not is_confirmed(request):
        return ask(
            request,
            title=_("Erase this lead?"),
            consequence=_(
                "This will erase the lead: its data key is destroyed and its details, "
                "consents and contacts are deleted. Only a record that it was erased is kept."
            ),
            confirm_label=_("Erase this lead"),
            cancel_url=reverse("dashboard:lead", kwargs={"lead_id": lead.pk}),
        )
    erasure = rights.erase_lead(lead_id=lead.pk, actor=staff_actor(request.user.pk))
    messages.success(request, _("Erasure started."))
    return redirect("dashboard:erasure", erasure.pk)
