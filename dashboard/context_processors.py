"""What every dashboard page's navigation needs: the user's role and allowed actions."""

from access.policy import Action, may
from access.roles import primary_role


def dashboard(request) -> dict:
    if not request.path.startswith("/dashboard/"):
        return {}
    user = getattr(request, "user", None)
    role = primary_role(user)
    return {
        "staff_role": role.label if role else "",
        "can": {action.value: may(user, action) for action in Action},
    }
