import pytest

from access.roles import Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def signed_in(client, make_staff):
    """signed_in(role) -> (client, user): a client with a dashboard session for that role."""

    def sign_in(role: Role, **kwargs):
        user = make_staff(role, **kwargs)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client, user

    return sign_in
