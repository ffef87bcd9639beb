"""Subject pseudonyms: a keyed hash of a customer id, shaped as a UUID.

Records that must outlive a customer (the consent ledger, invoice lines under legal hold,
the audit trail, disposal certificates, the tombstone log) name the subject by this
pseudonym. It is stable, so the same person's rows stay linked to each other, and it
cannot be turned back into the id without its key: the index key's subkey for pseudonyms,
kept as `VAULT_PSEUDONYM_KEY` once the index key rotates (it never changes itself).
"""

import uuid

from django.views.decorators.debug import sensitive_variables

from vault.blind_index import stable_index

PSEUDONYM_COLUMN = "custodian.subject-pseudonym"


@sensitive_variables()
def subject_pseudonym(subject_id: uuid.UUID | str) -> uuid.UUID:
    digest = stable_index(
        PSEUDONYM_COLUMN, str(uuid.UUID(str(subject_id))), setting="VAULT_PSEUDONYM_KEY"
    )
    return uuid.UUID(hex=digest[:32], version=4)
