"""What the recommender may learn from and show: settings read in one place.

Non-merchandise (RECOMMENDATIONS_IGNORED_CATEGORIES: postage, fees, gift cards) is left
out of the model altogether: never evidence, never recommended, never popular.

Products in sensitive categories (RECOMMENDATIONS_SENSITIVE_CATEGORIES: health,
pharmacy, adult by default) can reveal special-category data (GDPR Art. 9), so they are
used only with explicit consent, the purpose `sensitive_personalization`, on top of
`personalization`:

- Training: a customer's sensitive purchases are counted only if they hold both
  purposes; everyone else contributes their non-sensitive purchases only.
- Serving: for a customer without `sensitive_personalization`, sensitive products are
  never evidence (`because`) and never recommended; an opted-in customer may get them
  both ways. Popular lists never hold sensitive products (they are the same for
  everyone). Also-bought of a non-sensitive product never lists sensitive products, and
  also-bought of a sensitive product is always empty: a storefront page of a health
  product must not expose what else its buyers bought.
- Withdrawing `sensitive_personalization` takes the sensitive part of the customer's
  contribution out of the model at once (exactly as a fresh build would); granting it
  takes effect at the next build.

Aggregates never reveal a few customers' baskets (RECS_MIN_SUPPORT, default 5): a pair
is a neighbour only when that many distinct customers bought both (applied when the
model is built and kept when a customer is forgotten, so a pair that falls below it
goes at once), and an item is popular only when that many bought it (applied when
served, so a lower or higher floor counts at once for popular lists and at the next
build for pairs).
"""

from django.conf import settings

from access import policy as access_policy
from recommendations.engine import Params

DEFAULT_SENSITIVE = access_policy.DEFAULT_SENSITIVE_CATEGORIES
DEFAULT_IGNORED = ("fees", "shipping", "gift-cards")
DEFAULT_MIN_SUPPORT = 5


def sensitive_categories() -> list[str]:
    """The one list, kept by access.policy (staff pages mask and never filter on it)."""
    return access_policy.sensitive_categories()


def ignored_categories() -> list[str]:
    return sorted(set(getattr(settings, "RECOMMENDATIONS_IGNORED_CATEGORIES", DEFAULT_IGNORED)))


def excluded_categories() -> list[str]:
    """What customers without `sensitive_personalization` (and popular lists) never see."""
    return sorted({*sensitive_categories(), *ignored_categories()})


def min_support() -> int:
    """RECS_MIN_SUPPORT: the fewest distinct customers behind any aggregate shown (a
    pair bought together, a popular item). Never below 1."""
    return max(int(getattr(settings, "RECS_MIN_SUPPORT", DEFAULT_MIN_SUPPORT)), 1)


def params() -> Params:
    """The engine's parameters for a new build: RECOMMENDATIONS_PARAMS over the tuned
    defaults, with the minimum support from RECS_MIN_SUPPORT."""
    values = {**getattr(settings, "RECOMMENDATIONS_PARAMS", {}), "min_support": min_support()}
    return Params(**values)
