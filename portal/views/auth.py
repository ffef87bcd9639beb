"""Sign in with a code or link mailed to the address, and sign out."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import sessions, signin
from portal.forms import CodeForm, EmailForm
from portal.views.base import client_address

SIGN_IN = "sign_in"  # portal-session key of the pending challenge (the code row's id)


def sign_in(request):
    if sessions.signed_in_id(request):
        return redirect("portal:my_data")
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            signin.count_attempt(email=email, client=client_address(request))
        except signin.TooManyAttempts:
            form.add_error(None, _("Too many sign-in requests. Please try again in an hour."))
        else:
            # The same work, page and timing whether or not the address is known: the
            # mail goes after the response (portal.signin.request_code).
            code_id = signin.request_code(email=email, language=get_language() or "")
            request.portal_session[SIGN_IN] = {"code": str(code_id)}
            return redirect("portal:sign_in_code")
    return render(request, "portal/sign_in.html", {"form": form})


def sign_in_code(request):
    challenge = request.portal_session.get(SIGN_IN)
    if challenge is None:
        return redirect("portal:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = signin.verify_code(code_id=challenge["code"], code=form.cleaned_data["code"])
        except signin.InvalidCode as error:
            form.add_error("code", _code_message(error.reason))
        else:
            sessions.sign_in(request, customer)
            messages.success(request, _("You are signed in."))
            return redirect("portal:my_data")
    return render(
        request,
        "portal/sign_in_code.html",
        {"form": form, "minutes": settings.VERIFICATION_CODE_MINUTES},
    )


def _code_message(reason: str) -> str:
    if reason == "wrong":
        return _("That code is not right. Check it and try again.")
    return _("This code has expired or was used too many times. Ask for a new one.")


def sign_in_link(request, code_id, secret):
    """GET shows a button (mail scanners follow links; a sign-in must be a choice)."""
    if request.method == "POST":
        try:
            customer = signin.verify_link(code_id=code_id, secret=secret)
        except signin.InvalidCode:
            messages.error(request, _("This sign-in link no longer works. Ask for a new code."))
            return redirect("portal:sign_in")
        sessions.sign_in(request, customer)
        messages.success(request, _("You are signed in."))
        return redirect("portal:my_data")
    return render(request, "portal/sign_in_link.html")


@require_POST
def sign_out(request):
    customer_id = sessions.signed_in_id(request)
    if customer_id:
        signin.record_sign_out(customer_id=customer_id)
    sessions.sign_out(request)
    messages.success(request, _("You are signed out."))
    return redirect("portal:sign_in")
