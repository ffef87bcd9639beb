"""Consent evidence from outside the ledger (imported lists of leads or customers): the
purposes agreed to, when, under which lawful basis and notice version; and the
confirmation of a double opt-in, run by us (the mailed link) or vouched for by a
storefront that ran its own (API v1.3)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from consent.models import LawfulBasis


def parse_given_at(text: str | None) -> datetime:
    """A date or date-time a choice was made, aware (naive ones in the current time
    zone); ValidationError under `consent_at` when missing, malformed or in the future."""
    text = (text or "").strip()
    moment = parse_datetime(text) if text else None
    if moment is None and text:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        moment = datetime(day.year, day.month, day.day) if day else None
    if moment is None:
        raise ValidationError(
            {
                "consent_at": [
                    _("Give when consent was given, e.g. 2026-03-01 or 2026-03-01T10:00Z.")
                ]
            }
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise ValidationError({"consent_at": [_("Consent cannot be given in the future.")]})
    return moment


@dataclass(frozen=True)
class Confirmation:
    """A confirmed double opt-in: when the person confirmed and how (`email_link`...).
    `vouched`: the source ran the confirmation itself and vouches for it; false when it
    was our own mailed link."""

    confirmed_at: datetime
    method: str
    vouched: bool = True


@dataclass(frozen=True)
class RowEvidence:
    purposes: list[str]
    lawful_basis: str | None
    given_at: datetime | None
    notice_version: int | None


def read_evidence(row: dict, lawful_basis: str | None) -> tuple[RowEvidence, dict]:
    """The evidence columns of an imported row (`consents` as codes separated by `;`,
    `consent_at`, and optionally `lawful_basis`, else the list's, and `notice_version`),
    with every problem as field messages; the importer adds its own and refuses the row
    when there are any."""
    errors = {}
    purposes = [code.strip() for code in (row.get("consents") or "").split(";") if code.strip()]
    if not purposes:
        errors["consents"] = [_("No consent evidence: list the purposes agreed to.")]
    basis = (row.get("lawful_basis") or "").strip() or lawful_basis
    if not basis:
        errors["lawful_basis"] = [_("No lawful basis: give --lawful-basis or the column.")]
    elif basis not in LawfulBasis.values:
        errors["lawful_basis"] = [_("Unknown lawful basis.")]
    try:
        given_at = parse_given_at(row.get("consent_at"))
    except ValidationError as error:
        errors.update(error.message_dict)
        given_at = None
    version = (row.get("notice_version") or "").strip()
    if version and not version.isdigit():
        errors["notice_version"] = [_("Give the notice version as a number.")]
    number = int(version) if version.isdigit() else None
    return RowEvidence(purposes, basis, given_at, number), errors
