from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Staff access"

    def ready(self) -> None:
        from access.models import AccessReview, RevealReason
        from access.roles import describe_staff
        from audit.actors import register_actor_describer
        from vault import registry

        # Customers are told a staff actor's role, never their name (portal access log).
        register_actor_describer("staff", describe_staff)

        # A typed reveal reason may mention the customer: it is theirs, exported with
        # their data and erased with it.
        registry.register(
            RevealReason,
            subject="subject_id",
            category="staff_reveal_reasons",
            fields=("purpose", "reason", "created_at"),
        )
        # A privacy officer's note on a reviewed access may mention the customer too.
        # The mark itself is accountability and stays, unlinked from the person.
        registry.register(
            AccessReview,
            subject="subject_id",
            category="staff_access_reviews",
            fields=("reviewed_at", "note"),
            erasure=registry.Erasure.PSEUDONYMIZE,
        )
        # Its key is destroyed by then; the unreadable ciphertext goes before the unlink.
        registry.register_forget_handler(
            "access_review_notes",
            lambda subject_ids: AccessReview.objects.filter(subject_id__in=subject_ids).update(
                note=None
            ),
        )
