"""One switch per purpose. Withdrawing takes effect at once; purposes that need a double
opt-in (marketing by email) take effect only through the signed link mailed to the
customer; sensitive personalisation needs its own explicit agreement."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actors import CUSTOMER
from consent import opt_in, services
from consent.models import ConsentSource
from consent.selectors import choices_of, pending_confirmations
from portal import mail, signin
from portal.forms import ConsentForm, SensitiveConsentForm
from portal.presentation import purpose_label
from portal.views.base import client_address, customer_required, record_page_view
from runtime.links import public_url

ACCOUNT = services.ACCOUNT
SENSITIVE = services.SENSITIVE_PERSONALIZATION


def _rows(customer, to_review) -> list[dict]:
    """Each purpose with what its card must say truthfully: what it needs (and whether
    that is granted), a double opt-in waiting for its link, and since when a withdrawn
    choice is withdrawn."""
    reviewing = {notice.purpose_id for notice in to_review}
    choices = choices_of(customer.pk)
    by_code = {choice.purpose.code: choice for choice in choices}
    waiting = set(pending_confirmations([customer.pk])[customer.pk])
    rows = []
    for choice in choices:
        code = choice.purpose.code
        needed = by_code.get(services.required_purpose(code) or "")
        rows.append(
            {
                "choice": choice,
                "label": purpose_label(choice.purpose),
                "review": code in reviewing,
                "double_opt_in": services.needs_confirmation(code),
                "needs": purpose_label(needed.purpose) if needed else "",
                "needs_missing": bool(needed and not needed.granted),
                "waiting": code in waiting and not choice.granted,
                "withdrawn_since": choice.updated_at if choice.given_under else None,
            }
        )
    return rows


@customer_required
def consents(request):
    rows = _rows(request.customer, request.notices_to_review)
    record_page_view(request.customer, "consents")
    return render(
        request,
        "portal/consents.html",
        {
            "rows": [row for row in rows if row["choice"].purpose.code not in (ACCOUNT, SENSITIVE)],
            "account": next(row for row in rows if row["choice"].purpose.code == ACCOUNT),
            "sensitive": next(
                (row for row in rows if row["choice"].purpose.code == SENSITIVE), None
            ),
            "sensitive_form": SensitiveConsentForm(),
        },
    )


@require_POST
@customer_required
def change_consent(request):
    customer = request.customer
    form = ConsentForm(request.POST)
    if not form.is_valid() or form.cleaned_data["purpose"] == ACCOUNT:
        messages.error(request, _("That choice could not be saved. Please try again."))
        return redirect("portal:consents")
    purpose, granted = form.cleaned_data["purpose"], form.cleaned_data["granted"]
    if granted and purpose == SENSITIVE and not SensitiveConsentForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to agree explicitly, or leave it off."))
        return redirect("portal:consents")
    current = {c.purpose.code: c for c in choices_of(customer.pk)}
    already = purpose in current and current[purpose].granted
    needed = services.required_purpose(purpose)
    if granted and needed and not (needed in current and current[needed].granted):
        messages.error(
            request,
            _("This choice needs “%(needed)s”. Agree to that first.")
            % {"needed": purpose_label(current[needed].purpose) if needed in current else ""},
        )
        return redirect("portal:consents")
    try:
        if granted and services.needs_confirmation(purpose) and not already:
            signin.count_attempt(email=customer.email, client=client_address(request))
            token = opt_in.request_confirmation(
                customer=customer, purpose=purpose, source=ConsentSource.PORTAL, actor=CUSTOMER
            )
            link = public_url(reverse("portal:confirm_consent", args=[token]))
            mail.send(to=customer.email, template="confirm_consent", context={"link": link})
            messages.info(
                request,
                _("We sent you an email. Your choice takes effect when you follow its link."),
            )
            return redirect("portal:consents")
        services.set_consent(
            customer=customer,
            purpose=purpose,
            granted=granted,
            source=ConsentSource.PORTAL,
            actor=CUSTOMER,
        )
    except signin.TooManyAttempts:
        messages.error(request, _("Too many requests. Please try again in an hour."))
        return redirect("portal:consents")
    except ValidationError:
        messages.error(request, _("That choice could not be saved. Please try again."))
        return redirect("portal:consents")
    messages.success(request, _("Your choice is saved.") if granted else _("You withdrew it."))
    return redirect("portal:consents")


def confirm_consent(request, token):
    """The double opt-in link. GET asks (mail scanners follow links); POST confirms."""
    try:
        confirmation = opt_in.read_confirmation(token)
    except opt_in.InvalidConfirmation as error:
        return render(request, "portal/confirm_consent.html", {"error": error.reason}, status=400)
    if request.method == "POST":
        try:
            opt_in.confirm_consent(token=token, actor=CUSTOMER)
        except opt_in.InvalidConfirmation as error:
            return render(
                request, "portal/confirm_consent.html", {"error": error.reason}, status=400
            )
        return render(
            request,
            "portal/confirm_consent.html",
            {"done": True, "label": purpose_label(confirmation.purpose)},
        )
    return render(
        request,
        "portal/confirm_consent.html",
        {"label": purpose_label(confirmation.purpose), "notice": confirmation.notice},
    )
