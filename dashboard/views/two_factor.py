"""The second factor after a password sign-in: enrolment (QR code, then a first code) and
the code step. SecondFactorMiddleware sends staff who need it here."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dashboard import two_factor
from dashboard.forms import CodeForm

REASONS = {
    "wrong": lambda: _("That code is not right. Check the app's clock and try the newest code."),
    "throttled": lambda: _("Too many wrong codes. Wait a little, then try the newest code."),
}


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else reverse("dashboard:home")


def _check(request, form, device) -> bool:
    if not form.is_valid():
        return False
    reason = two_factor.check_code(request, device, form.cleaned_data["code"])
    if reason:
        form.add_error("code", REASONS[reason]())
        return False
    return True


@never_cache
@login_required
def enrol(request):
    if two_factor.has_second_factor(request.user):
        return redirect("dashboard:two_factor_verify")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _check(request, form, device):
        return redirect(_next_url(request))
    context = {
        "form": form,
        "error_forms": [form],
        "qr_code": two_factor.qr_code_svg(device, _("QR code for your authenticator app")),
        "secret": two_factor.typed_secret(device),
        "next": _next_url(request),
    }
    return render(request, "dashboard/two_factor/enrol.html", context)


@never_cache
@login_required
def verify(request):
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("dashboard:two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _check(request, form, device):
        return redirect(_next_url(request))
    context = {"form": form, "error_forms": [form], "next": _next_url(request)}
    return render(request, "dashboard/two_factor/verify.html", context)
