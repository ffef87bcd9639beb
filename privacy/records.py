"""The records of processing activities (GDPR Art. 30(1); UU 27/2022 Art. 31), in the
words a regulator reads: the controller, its representative and data protection officer
(settings), the purposes with their lawful basis, the categories of data subjects and of
personal data (the registry), the recipients and transfers outside the country with
their safeguard (the processors), retention in plain units (the policies and the
registry's legal holds), the security measures (those the system takes, and the
organisation's own from settings), and where copies live (the carrier register).

One structure feeds the page, its printable view and its CSV, so the three agree. Every
name comes from the shared vocabulary: no codes."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.models import Purpose
from consent.vocabulary import purpose_name
from disposal.models import CarrierKind, CarrierStatus, DataCarrier, Processor, RetentionPolicy
from disposal.selectors import carrier_register, overdue_copies
from disposal.services import erasure_methods
from disposal.vocabulary import country_name, erasure_text, holding_name, retention_text
from portal.presentation import category_label, category_sort_key, duration_text
from vault import registry


@dataclass(frozen=True)
class Entry:
    name: str
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str  # an HTML id, never shown
    title: str
    entries: list[Entry]
    note: str = ""


# The lawful bases as the law names them (GDPR Art. 6(1); UU 27/2022 Art. 20), for the
# regulator; the portal names them for customers in its own words.
LAWFUL_BASIS_TEXT = {
    "consent": gettext_lazy("Consent (Art. 6(1)(a))"),
    "contract": gettext_lazy("Performance of a contract (Art. 6(1)(b))"),
    "legal_obligation": gettext_lazy("Legal obligation (Art. 6(1)(c))"),
    "legitimate_interests": gettext_lazy("Legitimate interests (Art. 6(1)(f))"),
}


def lawful_basis_name(code: str) -> str:
    return str(LAWFUL_BASIS_TEXT.get(code, code.replace("_", " ").capitalize()))


# The people the system holds data about, as the registry's subjects are.
DATA_SUBJECTS = (
    (
        gettext_lazy("Customers"),
        gettext_lazy("People with an account in the shop, and their history with us."),
    ),
    (
        gettext_lazy("Prospects (leads)"),
        gettext_lazy("People who asked us to contact them before they had an account."),
    ),
    (
        gettext_lazy("Staff"),
        gettext_lazy("Our staff's sign-in and what they looked at (the access log)."),
    ),
)

# What the system itself does to protect the data; the organisation's own measures are
# added from the PRIVACY_SECURITY_MEASURES setting.
SYSTEM_MEASURES = (
    gettext_lazy(
        "Personal details are encrypted in the database with a key per customer; erasing "
        "a customer destroys the key."
    ),
    gettext_lazy("The keys are kept in a separate database from the data and its backups."),
    gettext_lazy(
        "Lookups by email, phone or name use keyed hashes (blind indexes), not plain text."
    ),
    gettext_lazy(
        "Staff see only what their role needs; showing a protected detail asks for a "
        "reason, which the privacy officer reviews."
    ),
    gettext_lazy(
        "Administrators and privacy officers sign in with a second factor; a username is "
        "locked after repeated wrong passwords; idle staff sessions end."
    ),
    gettext_lazy(
        "Every access and change is written to an append-only audit log sealed by a hash chain."
    ),
    gettext_lazy("Connections are encrypted (HTTPS with HSTS)."),
)


def _not_set() -> str:
    return _("Not set: an administrator sets it in the configuration.")


def _controller() -> Section:
    return Section(
        "controller",
        _("Controller and contacts"),
        [
            Entry(
                _("Controller"),
                [
                    (_("Name and contact"), settings.PRIVACY_CONTROLLER or _not_set()),
                    (_("Country"), country_name(settings.PRIVACY_CONTROLLER_COUNTRY)),
                ],
            ),
            Entry(
                _("Representative"),
                [(_("Name and contact"), settings.PRIVACY_REPRESENTATIVE or _("None appointed"))],
            ),
            Entry(
                _("Data protection officer"),
                [(_("Name and contact"), settings.PRIVACY_DPO or _not_set())],
            ),
        ],
    )


def _purposes() -> Section:
    return Section(
        "purposes",
        _("Purposes of the processing"),
        [
            Entry(
                purpose_name(purpose.code),
                [(_("Lawful basis"), lawful_basis_name(purpose.lawful_basis))],
            )
            for purpose in Purpose.objects.order_by("code")
        ],
    )


def _subjects() -> Section:
    return Section(
        "subjects",
        _("Categories of data subjects"),
        [Entry(str(name), [(_("Who"), str(text))]) for name, text in DATA_SUBJECTS],
    )


def _categories() -> Section:
    methods, holds = erasure_methods()
    by_category: dict[str, list] = {}
    for entry in registry.entries():
        by_category.setdefault(entry.category, []).append(entry)
    entries = []
    for category in sorted(by_category, key=category_sort_key):
        fields = {name for item in by_category[category] for name in item.fields}
        encrypted = {name for item in by_category[category] for name in item.encrypted_fields}
        if encrypted and encrypted >= fields:
            at_rest = _("Encrypted")
        elif encrypted:
            at_rest = _("Partly encrypted (%(count)d of %(total)d details)") % {
                "count": len(encrypted),
                "total": len(fields),
            }
        else:
            at_rest = _("Not encrypted")
        details = [
            (_("At rest"), at_rest),
            (_("On erasure"), erasure_text(methods.get(category, ""))),
        ]
        if category in holds:
            details.append(
                (
                    _("Kept by law after erasure"),
                    _("%(period)s: %(reason)s")
                    % {
                        "period": duration_text(holds[category]["kept_days"]),
                        "reason": _(holds[category]["reason"]),
                    },
                )
            )
        entries.append(Entry(str(category_label(category)), details))
    return Section("categories", _("Categories of personal data"), entries)


def _categories_text(codes) -> str:
    return ", ".join(holding_name(code) for code in sorted(codes, key=category_sort_key))


def _recipients(processors) -> Section:
    return Section(
        "recipients",
        _("Recipients: processors"),
        [
            Entry(
                processor.name,
                [
                    (_("Agreement"), processor.agreement_reference),
                    (_("Signed"), date_format(processor.agreement_signed_on)),
                    (
                        _("Ends"),
                        date_format(processor.agreement_ends_on)
                        if processor.agreement_ends_on
                        else _("No end date"),
                    ),
                    (_("Data they receive"), _categories_text(processor.categories)),
                    (
                        _("Where"),
                        country_name(processor.country or settings.PRIVACY_CONTROLLER_COUNTRY),
                    ),
                    (_("In use"), _("Yes") if processor.active else _("No")),
                ],
            )
            for processor in processors
        ],
        note="" if processors else _("No processors are registered."),
    )


def _transfers(processors) -> Section:
    home = settings.PRIVACY_CONTROLLER_COUNTRY
    abroad = [p for p in processors if p.country and p.country.upper() != home]
    return Section(
        "transfers",
        _("Transfers outside the country"),
        [
            Entry(
                processor.name,
                [
                    (_("To"), country_name(processor.country)),
                    (
                        _("Safeguard"),
                        processor.transfer_safeguard
                        or _("None recorded: record it on the processor in the admin site."),
                    ),
                ],
            )
            for processor in abroad
        ],
        note=""
        if abroad
        else _("No data is transferred outside %(country)s.") % {"country": country_name(home)},
    )


def _retention() -> Section:
    return Section(
        "retention",
        _("How long data is kept"),
        [
            Entry(
                retention_text(policy.category),
                [
                    (_("Kept for"), duration_text(policy.keep_days)),
                    (_("In force"), _("Yes") if policy.active else _("No")),
                    (_("Why"), policy.reason or "—"),
                ],
            )
            for policy in RetentionPolicy.objects.order_by("category")
        ],
    )


def _security() -> Section:
    measures = [str(text) for text in SYSTEM_MEASURES] + list(settings.PRIVACY_SECURITY_MEASURES)
    return Section(
        "security",
        _("Security measures"),
        [Entry(str(number), [(_("Measure"), text)]) for number, text in enumerate(measures, 1)],
    )


def _carriers() -> Section:
    entries = []
    for carrier in carrier_register().exclude(kind=CarrierKind.EXPORTED_FILE):
        sanitization = getattr(carrier, "sanitization", None)
        details = [
            (_("Kind"), carrier.get_kind_display()),
            (_("Status"), carrier.get_status_display()),
            (_("Location"), carrier.location or "—"),
            (_("Holds"), _categories_text(carrier.holds) or "—"),
            (_("Encrypted"), (carrier.encryption or _("Yes")) if carrier.encrypted else _("No")),
        ]
        if carrier.expires_at:
            details.append((_("Expires"), date_format(carrier.expires_at.date())))
        if sanitization:
            details.append(
                (
                    _("Sanitized"),
                    f"{sanitization.get_method_display()}, "
                    f"{date_format(sanitization.performed_at.date())}",
                )
            )
        entries.append(Entry(carrier.label, details))
    exports = DataCarrier.objects.filter(kind=CarrierKind.EXPORTED_FILE)
    entries.append(
        Entry(
            str(CarrierKind.EXPORTED_FILE.label),
            [
                (_("In service"), str(exports.filter(status=CarrierStatus.IN_SERVICE).count())),
                (
                    _("Past expiry"),
                    str(overdue_copies().filter(kind=CarrierKind.EXPORTED_FILE).count()),
                ),
                (
                    _("Confirmed destroyed"),
                    str(exports.filter(destroyed_confirmed_at__isnull=False).count()),
                ),
                (_("Expire after"), duration_text(settings.CARRIER_EXPORT_EXPIRY_DAYS)),
            ],
        )
    )
    return Section("carriers", _("Where copies are kept (data carriers)"), entries)


def records_of_processing() -> list[Section]:
    processors = list(Processor.objects.order_by("name"))
    return [
        _controller(),
        _purposes(),
        _subjects(),
        _categories(),
        _recipients(processors),
        _transfers(processors),
        _retention(),
        _security(),
        _carriers(),
    ]
