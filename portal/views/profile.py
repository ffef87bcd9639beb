"""Correct the profile; change the email address only through a code sent to it."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from audit.actors import CUSTOMER
from customers import services
from customers.exceptions import DuplicateCustomer
from portal import email_undo, mail, sessions, signin
from portal.forms import CodeForm, NewEmailForm, ProfileForm
from portal.views.base import client_address, customer_required, record_page_view
from runtime.forms import add_service_errors


@customer_required
def edit_profile(request):
    customer = request.customer
    initial = {
        "full_name": customer.full_name,
        "phone": customer.phone or "",
        "postal_address": customer.postal_address or "",
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(customer=customer, actor=CUSTOMER, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("portal:my_data")
    if request.method == "GET":
        record_page_view(customer, "profile")
    return render(request, "portal/profile.html", {"form": form, "customer": customer})


@customer_required
def change_email(request):
    customer = request.customer
    form = NewEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The same hourly limits as sign-in: a code is a mail to someone's inbox.
            signin.count_attempt(email=form.cleaned_data["email"], client=client_address(request))
            _change, code = services.request_email_change(
                customer=customer, new_email=form.cleaned_data["email"], actor=CUSTOMER
            )
        except signin.TooManyAttempts:
            form.add_error(None, _("Too many requests. Please try again in an hour."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            mail.send(
                to=form.cleaned_data["email"],
                template="email_change",
                context={"code": code, "minutes": settings.VERIFICATION_CODE_MINUTES},
            )
            return redirect("portal:confirm_email")
    return render(request, "portal/change_email.html", {"form": form, "customer": customer})


@customer_required
def confirm_email(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            email_undo.confirm_change(
                customer=request.customer,
                code=form.cleaned_data["code"],
                language=translation.get_language() or "",
            )
        except DuplicateCustomer:
            form.add_error("code", _("This address cannot be used for your account."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your email address is changed."))
            return redirect("portal:my_data")
    return render(
        request,
        "portal/confirm_email.html",
        {"form": form, "sent_to": email_undo.pending_address(request.customer)},
    )


def undo_email(request, undo_id, secret):
    """The link mailed to the old address. GET asks (mail scanners follow links); POST
    puts the old address back and signs out every session."""
    try:
        email_undo.check_link(undo_id=undo_id, secret=secret)
        if request.method == "POST":
            email_undo.undo_change(undo_id=undo_id, secret=secret)
            sessions.sign_out(request)
            return render(request, "portal/undo_email.html", {"done": True})
    except email_undo.InvalidUndo:
        return render(request, "portal/undo_email.html", {"invalid": True}, status=400)
    return render(request, "portal/undo_email.html", {})
