"""Staff accounts: create or update a user with exactly one role (its group).
Administrators are also Django superusers, so the admin site is theirs too."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from access.roles import Role


@transaction.atomic
def save_staff_user(*, username: str, role: Role, password: str | None, email: str = ""):
    """Create the user or update an existing one: role replaced, password set when given
    (validated by AUTH_PASSWORD_VALIDATORS). Returns (user, created)."""
    role = Role(role)
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    if email:
        user.email = email
    user.is_active = True
    user.is_staff = user.is_superuser = role is Role.ADMINISTRATOR
    user.save()
    role_groups = Group.objects.filter(name__in=[r.value for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user, created
