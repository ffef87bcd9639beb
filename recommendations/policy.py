"""What the recommender may learn from and show: settings read in one place.

Products in sensitive categories (RECOMMENDATIONS_SENSITIVE_CATEGORIES: health,
pharmacy, adult by default) and non-merchandise (RECOMMENDATIONS_IGNORED_CATEGORIES:
postage, fees, gift cards) are left out of the model altogether: never evidence, never
recommended, never popular. A customer who buys them still gets recommendations from
the rest of their purchases. There is no per-customer opt-in to sensitive
recommendations: inferring health from a basket is exactly what the restraint is for.
"""

from django.conf import settings

from recommendations.engine import Params

DEFAULT_SENSITIVE = ("health", "pharmacy", "adult")
DEFAULT_IGNORED = ("fees", "shipping", "gift-cards")


def excluded_categories() -> list[str]:
    sensitive = getattr(settings, "RECOMMENDATIONS_SENSITIVE_CATEGORIES", DEFAULT_SENSITIVE)
    ignored = getattr(settings, "RECOMMENDATIONS_IGNORED_CATEGORIES", DEFAULT_IGNORED)
    return sorted({*sensitive, *ignored})


def params() -> Params:
    return Params(**getattr(settings, "RECOMMENDATIONS_PARAMS", {}))
