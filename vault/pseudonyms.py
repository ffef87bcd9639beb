"""Subject pseudonyms: a keyed hash of a customer id, shaped as a UUID.

Records that must outlive a customer (the consent ledger, invoice lines under legal hold,
the audit trail, disposal certificates, the tombstone log) name the subject by this
pseudonym. It is stable, so the same person's rows stay linked to each other, and it
cannot be turned back into the id without its key (`VAULT_PSEUDONYM_KEY`, which defaults
to `VAULT_INDEX_KEY` and, unlike the blind-index key, never rotates).
"""

import uuid

from django.views.decorators.debug import sensitive_variables

from vault.blind_index import blind_index
from vault.keyring import pseudonym_key

PSEUDONYM_COLUMN = "custodian.subject-pseudonym"


@sensitive_variables()
def subject_pseudonym(subject_id: uuid.UUID | str) -> uuid.UUID:
    digest = blind_index(PSEUDONYM_COLUMN, str(uuid.UUID(str(subject_id))), pseudonym_key())
    return uuid.UUID(hex=digest[:32], version=4)
