"""The staff second factor: one TOTP device (django-otp) per user, enrolled through a QR
code drawn here as inline SVG (segno; no script, no style, no third-party service)."""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator app"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: kept across page loads so that the QR code stays the
    same until the user proves it with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice, title: str) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (presentation attributes only)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, title=title, svgclass="qr", lineclass="qr-line"
    )


def typed_secret(device: TOTPDevice) -> str:
    """The secret for typing into an app, in groups of four base32 letters."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def check_code(request, device: TOTPDevice, code: str) -> str | None:
    """Verify `code` against `device`; on success the session is marked as verified and
    None is returned, else why not ("throttled" or "wrong"). django-otp doubles the wait
    after each wrong code (OTP_TOTP_THROTTLE_FACTOR).

    One check at a time per device, under its row lock: django-otp reads the throttle,
    checks and writes the failure back, so guesses arriving together would all pass the
    same unlocked read (issue 25 item 10)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            return "throttled"
        if not device.verify_token(code):
            return "wrong"
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return None
