"""The name token index: each normalized token of a customer's name as a blind index
(HMAC-SHA256 under its own HKDF subkey of VAULT_INDEX_KEY), so that the call centre
finds "Sam Morin" by "Morin" or "sam morin" without a plaintext name in the database.

Exact token match only: no prefixes, no fuzzy match (each would need many more index
values per name and leak more). Token digests repeat across customers who share a
name, so a reader of the database can count how often each digest occurs and match the
most frequent ones to common names (SECURITY.md); CUSTOMER_NAME_INDEX turns the index
off (nothing is built, `index_customer_names` deletes what exists, and the lookup no
longer searches names). Kept in step by customers.services on create, update and
onboarding; forgotten by erasure (a forget handler of vault's registry, run right after
the key is destroyed); rebuilt by rotate_index_key.
"""

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from customers.models import Customer, CustomerNameToken
from vault.blind_index import blind_index, lookup_indexes
from vault.exceptions import KeyDestroyed
from vault.keys import key_scope

COLUMN = "customers.customer.full_name.token"
MIN_TOKEN = 2  # single letters (initials) match half the customers: never indexed
MAX_TOKENS = 12
MAX_MATCHES = 50
_SPLIT = re.compile(r"[\W_]+")


def is_enabled() -> bool:
    return bool(getattr(settings, "CUSTOMER_NAME_INDEX", True))


@sensitive_variables()
def name_tokens(name: str | None) -> list[str]:
    """The normalized tokens of a name: accents folded, case folded, split on anything
    that is not a letter or digit; initials dropped. "Zoë Morin-Lefèvre" gives zoe,
    morin, lefevre."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    tokens = []
    for token in _SPLIT.split(text):
        if len(token) >= MIN_TOKEN and token not in tokens:
            tokens.append(token)
    return tokens[:MAX_TOKENS]


@sensitive_variables()
def _digests(name: str | None, root: bytes | None = None) -> set[str]:
    return {blind_index(COLUMN, token, root) for token in name_tokens(name)}


@sensitive_variables()
def index_names(customers: Iterable[Customer]) -> None:
    """Bring the name tokens of these customers in line with their names (inside the
    caller's transaction). Off (CUSTOMER_NAME_INDEX false): their tokens are removed."""
    customers = list(customers)
    if not customers:
        return
    CustomerNameToken.objects.filter(customer__in=customers).delete()
    if not is_enabled():
        return
    CustomerNameToken.objects.bulk_create(
        CustomerNameToken(customer=customer, token_index=digest)
        for customer in customers
        for digest in sorted(_digests(customer.full_name))
    )


def forget_name_tokens(subject_ids: list[uuid.UUID]) -> None:
    """Erasure's forget handler: the subjects' name tokens go (idempotent)."""
    CustomerNameToken.objects.filter(customer_id__in=subject_ids).delete()


@sensitive_variables()
def customers_by_name(query: str) -> list[Customer]:
    """Customers whose name holds every token of the query (exact tokens, any order),
    newest first, at most MAX_MATCHES. Empty when the index is off or the query has no
    token. Matches rows not yet re-indexed after a key rotation too."""
    tokens = name_tokens(query)
    if not tokens or not is_enabled():
        return []
    queryset = Customer.objects.all()
    for token in tokens:
        queryset = queryset.filter(
            pk__in=CustomerNameToken.objects.filter(
                token_index__in=lookup_indexes(COLUMN, token)
            ).values("customer_id")
        )
    return list(queryset.order_by("-created_at", "-id")[:MAX_MATCHES])


@sensitive_variables()  # it reads decrypted names
def rebuild_name_index(
    *, batch_size: int = 500, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Recompute every customer's name tokens under the current index key (the backfill
    and the rotation); with the index off, delete them all. Idempotent."""
    label = CustomerNameToken._meta.label_lower
    if not is_enabled():
        deleted = CustomerNameToken.objects.all().delete()[0]
        return {label: deleted}
    pks: list[uuid.UUID] = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(pks), batch_size):
        with key_scope(), transaction.atomic():
            rows = list(Customer.objects.filter(pk__in=pks[start : start + batch_size]))
            current: dict[uuid.UUID, set[str]] = {}
            for customer_id, digest in CustomerNameToken.objects.filter(
                customer__in=rows
            ).values_list("customer_id", "token_index"):
                current.setdefault(customer_id, set()).add(digest)
            stale = []
            for customer in rows:
                try:
                    wanted = _digests(customer.full_name)
                except KeyDestroyed:
                    wanted = set()  # an erasure under way removes the rest
                if current.get(customer.pk, set()) != wanted:
                    stale.append((customer, wanted))
            CustomerNameToken.objects.filter(customer__in=[c for c, _w in stale]).delete()
            CustomerNameToken.objects.bulk_create(
                CustomerNameToken(customer=customer, token_index=digest)
                for customer, wanted in stale
                for digest in sorted(wanted)
            )
            changed += len(stale)
        if progress:
            progress(label, min(start + batch_size, len(pks)), len(pks))
    return {label: changed}
