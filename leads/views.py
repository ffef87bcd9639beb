"""The public surface of leads: the embeddable capture form at /forms/<slug>/ and the
double opt-in link. Works without JavaScript; no personal value reaches a URL or a log.

It is a surface of its own (like the portal, it serves people who are not staff), kept
in the leads app because it only ever calls leads' services."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from consent.selectors import current_notices
from leads import services
from leads.forms import CaptureForm
from leads.mail import send_confirmations
from leads.models import CaptureMethod, LeadForm
from runtime.clients import client_address
from runtime.forms import add_service_errors
from vault.blind_index import blind_index
from vault.services import key_scope

ANONYMOUS = "anonymous"


def _over_limit(request) -> bool:
    """Submissions per client per hour, counted in the cache under a keyed digest of the
    client address (never the address itself)."""
    client = client_address(request)
    key = "leads-form:" + blind_index("leads.form.client", client)[:32]
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count > settings.LEADS_FORM_PER_CLIENT


@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def capture(request, slug: str):
    lead_form = get_object_or_404(LeadForm, slug=slug, active=True)
    notices = current_notices()
    form = CaptureForm(request.POST or None, lead_form=lead_form, notices=notices)
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            form.add_error(None, _("Too many submissions from here. Please try again later."))
            status = 429
        elif form.is_bot:
            # Answered like a success, so that the bot learns nothing; nothing is kept.
            return render(request, "leads/thanks.html", {"lead_form": lead_form})
        elif form.is_valid():
            contact = {
                "email": form.cleaned_data["email"],
                "full_name": form.cleaned_data["full_name"],
            }
            for name in ("phone", "company"):
                if name in form.fields:
                    contact[name] = form.cleaned_data[name]
            try:
                with key_scope(), transaction.atomic():
                    capture = services.capture_lead(
                        contact=contact,
                        purposes=form.cleaned_data["purposes"],
                        source=lead_form.source,
                        method=CaptureMethod.FORM,
                        channel=lead_form.slug,
                        actor=ANONYMOUS,
                        notice_versions=form.notice_versions(),
                        allowed_purposes=set(lead_form.purposes),
                    )
                mailed = send_confirmations(request, to=contact["email"], capture=capture)
                # Said from what was ticked, never from whose address it is.
                pending = bool(services.mailed_purposes(form.cleaned_data["purposes"]))
                context = {"lead_form": lead_form, "pending": pending, "unsent": not mailed}
                return render(request, "leads/thanks.html", context)
            except ValidationError as error:
                add_service_errors(form, error, rename={"consents": "purposes"})
            status = 400
        else:
            status = 400
    return render(
        request,
        "leads/form.html",
        {"lead_form": lead_form, "form": form, "notices": form.notices},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The double opt-in link: GET shows a button (mail scanners follow links), POST
    confirms."""
    if request.method == "POST":
        try:
            with key_scope():
                services.confirm_lead_consent(token=token, actor=ANONYMOUS)
        except services.InvalidConfirmation as error:
            return render(request, "leads/confirm.html", {"invalid": error.reason}, status=400)
        return render(request, "leads/confirm.html", {"done": True})
    return render(request, "leads/confirm.html", {})
