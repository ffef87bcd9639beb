"""A term of the one customer-facing vocabulary: the name a code is shown by and a
one-line description. Each owning app keeps its terms next to the code they name
(consent/vocabulary.py for purposes and lawful bases, vault/categories.py for data
categories, privacy/vocabulary.py for requests, service/vocabulary.py for tickets,
audit/vocabulary.py for actions); every surface reads them from there."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Term:
    name: Promise
    description: Promise


def term_name(terms: dict, code: str) -> str:
    """The plain name of `code` in `terms`; a code added later falls back to its words."""
    term = terms.get(str(code))
    return str(term.name) if term else str(code).replace("_", " ").capitalize()
