"""Leads: the list (name and company, no contact values), a lead added or edited by
hand with the evidence of what the person agreed to, one lead (contact details, each
view audited; its score rule by rule; its consent evidence; its notes and timeline;
owner and next step), and the actions on it: status, contact, deal, conversion, export
and erasure."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
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
from consent.vocabulary import lawful_basis_name, purpose_name
from dashboard.confirm import ask, is_confirmed
from dashboard.permissions import staff_required
from dashboard.sales_forms import (
    ConvertForm,
    DealForm,
    EditLeadForm,
    LeadFilterForm,
    LeadNoteForm,
    LeadStatusForm,
    NewLeadForm,
)
from leads import by_hand, rights, selectors, services
from leads.mail import send_confirmations
from leads.scoring import explain
from leads.services import Outcome
from leads.timeline import lead_timeline
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
    # Name and company are marketing's own data on its leads (docs/staff/roles.md):
    # decrypted for the page's rows only.
    with key_scope():
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


def _consents(lead) -> list:
    """The consent evidence in words: purpose, basis and a staff entry's channel."""
    rows = list(lead.consents.select_related("notice"))
    for row in rows:
        row.purpose_text = purpose_name(row.purpose_id)
        row.basis_text = lawful_basis_name(row.lawful_basis)
        row.channel_text = by_hand.channel_label(row.channel)
    return rows


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
        "consents": _consents(lead),
        "pending": [
            purpose_name(code)
            for code in lead.confirmations.filter(confirmed_at__isnull=True).values_list(
                "purpose_id", flat=True
            )
        ],
        "deals": lead.deals.all(),
        "timeline": lead_timeline(lead),
        "note_form": forms.get("note_form") or LeadNoteForm(),
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


def _owners():
    """Staff who may work leads: the choices of a lead's owner."""
    users = get_user_model().objects.filter(is_active=True).prefetch_related("groups")
    ids = [user.pk for user in users if may(user, Action.LEADS)]
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


def _new_lead_form(request):
    purposes = [(p.code, purpose_name(p.code)) for p in services.lead_purposes()]
    return NewLeadForm(
        request.POST or None,
        owners=_owners(),
        purposes=purposes,
        agreed_by=list(by_hand.AGREED_BY.items()),
        notices=list(by_hand.NOTICE_GIVEN.items()),
        initial={"owner": request.user.pk},
    )


@leads_only
def lead_new(request):
    """Add a lead by hand. A choice that needs double opt-in is mailed to the lead to
    confirm, as from a capture form; the rest is recorded with the staff evidence."""
    form = _new_lead_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with key_scope():
                capture = by_hand.add_lead(
                    contact=form.contact(),
                    source=data["source"],
                    purposes=data["purposes"],
                    agreed_by=data["agreed_by"],
                    notice=data["notice"],
                    owner=data["owner"],
                    next_step=data["next_step"],
                    next_step_on=data["next_step_on"],
                    actor=staff_actor(request.user.pk),
                )
                if data["email"] and (capture.tokens or capture.already):
                    send_confirmations(request, to=data["email"], capture=capture)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if capture.outcome == Outcome.CUSTOMER:
                messages.info(
                    request,
                    _(
                        "No lead was stored: this person is already known to us. Any choice "
                        "that needs their confirmation was mailed to them."
                    ),
                )
                return redirect("dashboard:leads")
            if capture.outcome == Outcome.MERGED:
                messages.success(request, _("This person was already a lead: merged into it."))
            else:
                messages.success(request, _("Lead added."))
            if capture.tokens:
                messages.info(request, _("They get an email to confirm offers by email."))
            return redirect("dashboard:lead", capture.lead.pk)
    return render(
        request,
        "dashboard/leads/new.html",
        {"form": form, "error_forms": [form]},
        status=400 if form.errors else 200,
    )


@leads_only
def lead_edit(request, lead_id):
    lead = _lead_or_404(lead_id)
    with key_scope():
        initial = {
            "full_name": lead.full_name,
            "company": lead.company,
            "email": lead.email,
            "phone": lead.phone,
            "source": lead.source,
            "owner": lead.owner_id,
            "next_step": lead.next_step,
            "next_step_on": lead.next_step_on,
        }
        form = EditLeadForm(request.POST or None, owners=_owners(), initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                by_hand.edit_lead(
                    lead=lead,
                    contact=form.contact(),
                    source=data["source"],
                    owner=data["owner"],
                    next_step=data["next_step"],
                    next_step_on=data["next_step_on"],
                    actor=staff_actor(request.user.pk),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Lead saved."))
                return redirect("dashboard:lead", lead.pk)
        return render(
            request,
            "dashboard/leads/edit.html",
            {"form": form, "error_forms": [form], "lead": lead},
            status=400 if form.errors else 200,
        )


@require_POST
@leads_only
def lead_note(request, lead_id):
    lead = _lead_or_404(lead_id)
    form = LeadNoteForm(request.POST)
    if form.is_valid():
        try:
            with key_scope():
                by_hand.add_lead_note(
                    lead=lead, body=form.cleaned_data["body"], actor=staff_actor(request.user.pk)
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect(f"{reverse('dashboard:lead', kwargs={'lead_id': lead.pk})}#timeline")
    return _invalid(request, lead, note_form=form)
