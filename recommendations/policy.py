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
"""

from django.conf import settings

from recommendations.engine import Params

DEFAULT_SENSITIVE = ("health", "pharmacy", "adult")
DEFAULT_IGNORED = ("fees", "shipping", "gift-cards")


def sensitive_categories() -> list[str]:
    return sorted(set(getattr(settings, "RECOMMENDATIONS_SENSITIVE_CATEGORIES", DEFAULT_SENSITIVE)))


def ignored_categories() -> list[str]:
    return sorted(set(getattr(settings, "RECOMMENDATIONS_IGNORED_CATEGORIES", DEFAULT_IGNORED)))


def excluded_categories() -> list[str]:
    """What customers without `sensitive_personalization` (and popular lists) never see."""
    return sorted({*sensitive_categories(), *ignored_categories()})


def params() -> Params:
    return Params(**getattr(settings, "RECOMMENDATIONS_PARAMS", {}))
