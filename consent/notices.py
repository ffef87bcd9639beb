"""Publishing a purpose's notice: its text in each language (English always), a new
version whenever a text changes, never an edit of a version customers may have seen."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record_event
from consent.models import Notice, NoticeLanguage, NoticeText, Purpose


def _clean_texts(texts: dict[str, str]) -> dict[str, str]:
    cleaned = {
        language: (texts.get(language) or "").strip()
        for language in NoticeLanguage.values
        if (texts.get(language) or "").strip()
    }
    if NoticeLanguage.EN not in cleaned:
        raise ValidationError({"text_en": [_("Write the notice in English.")]})
    return cleaned


@transaction.atomic
def publish_notice(
    *, purpose: Purpose, texts: dict[str, str], material: bool, actor: str
) -> tuple[Notice, bool]:
    """(the purpose's current notice, whether it is a new version). A new version is
    published when any language's text differs from the current version's (or the
    purpose has none yet); the same texts publish nothing. `material`: customers who
    agreed to an earlier version are asked to review this one."""
    cleaned = _clean_texts(texts)
    Purpose.objects.select_for_update().get(pk=purpose.pk)  # one publisher at a time
    current = purpose.notices.prefetch_related("texts").order_by("-version").first()
    if current is not None:
        shown = {text.language: text.text for text in current.texts.all()}
        if shown == cleaned:
            return current, False
    version = (purpose.notices.aggregate(top=Max("version"))["top"] or 0) + 1
    notice = Notice.objects.create(purpose=purpose, version=version, material=material)
    NoticeText.objects.bulk_create(
        NoticeText(notice=notice, language=language, text=text, content_hash=Notice.hash_text(text))
        for language, text in cleaned.items()
    )
    record_event(
        actor=actor,
        action=AuditAction.NOTICE_PUBLISHED,
        object_type="consent.notice",
        object_id=notice.pk,
        purpose=purpose.code,
        metadata={"version": version, "languages": ",".join(sorted(cleaned)), "material": material},
    )
    return notice, True
