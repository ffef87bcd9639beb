"""Staff roles. A role is a Django group of the same name (made by a data migration);
superusers act as administrators. The portal shows customers who accessed their data by
ROLE (`staff_role_label`), never by staff name."""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

STAFF_PREFIX = "staff:"


class Role(StrEnum):
    SUPPORT_AGENT = "support_agent"
    MARKETING = "marketing"
    PRIVACY_OFFICER = "privacy_officer"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return str(LABELS[self])


LABELS = {
    Role.SUPPORT_AGENT: _("Support agent"),
    Role.MARKETING: _("Marketing"),
    Role.PRIVACY_OFFICER: _("Privacy officer"),
    Role.ADMINISTRATOR: _("Administrator"),
}
# When a user holds several roles, the one named to customers and shown first.
PRECEDENCE = (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER, Role.SUPPORT_AGENT, Role.MARKETING)


def roles_of(user) -> frozenset[Role]:
    """The roles of an active user (none for anonymous or inactive users)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_access_roles", None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    roles = {role for role in Role if role.value in names}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    user._access_roles = frozenset(roles)
    return user._access_roles


def primary_role(user) -> Role | None:
    roles = roles_of(user)
    return next((role for role in PRECEDENCE if role in roles), None)


def user_of_actor(actor: str):
    """The staff user behind an audit actor "staff:<id>", or None."""
    if not isinstance(actor, str) or not actor.startswith(STAFF_PREFIX):
        return None
    user_id = actor.removeprefix(STAFF_PREFIX)
    if not user_id.isdigit():
        return None
    return get_user_model().objects.filter(pk=int(user_id)).first()


def staff_role_label(actor: str) -> str | None:
    """What a customer may be told about a staff actor: their role, never their name.
    None for actors that are not staff ("system", "api-key:..."); "Staff" for a staff
    account that no longer exists or holds no role."""
    if not isinstance(actor, str) or not actor.startswith(STAFF_PREFIX):
        return None
    role = primary_role(user_of_actor(actor))
    return role.label if role else str(_("Staff"))


def describe_staff(user_id: str) -> str | None:
    """audit.actors describer for "staff:<id>": the role, or None (then "Staff member")."""
    role = primary_role(user_of_actor(f"{STAFF_PREFIX}{user_id}"))
    return role.label if role else None


def staff_authors(actors) -> dict[str, str]:
    """For staff pages: "username (Role)" of each "staff:<id>" actor among `actors`, in
    one query (a thread or a list of contacts names many). Customers are told the role
    only (staff_role_label); staff see who wrote it. Other actors are left out."""
    ids = {
        int(actor.removeprefix(STAFF_PREFIX))
        for actor in actors
        if isinstance(actor, str)
        and actor.startswith(STAFF_PREFIX)
        and actor.removeprefix(STAFF_PREFIX).isdigit()
    }
    users = get_user_model().objects.filter(pk__in=ids).prefetch_related("groups")
    named = {}
    for user in users:
        names = {group.name for group in user.groups.all()}
        roles = {role for role in Role if role.value in names}
        if user.is_superuser:
            roles.add(Role.ADMINISTRATOR)
        role = next((role for role in PRECEDENCE if role in roles), None)
        label = role.label if role else str(_("Staff"))
        named[f"{STAFF_PREFIX}{user.pk}"] = f"{user.get_username()} ({label})"
    return named
