import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from crm_project.celery import app as celery_app
from customers.services import PurchaseLine, record_purchases
from tests.factories import CustomerFactory, ProductFactory


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "worker: runs its Celery jobs on the real worker when REDIS_URL is set (CI starts "
        "one on the test databases); eagerly otherwise",
    )


@pytest.fixture(autouse=True)
def _celery_mode(request, settings):
    """Tasks run in-process unless a test is marked `worker` and a broker is configured,
    so that no test hands a job to a worker that cannot see its transaction."""
    eager = not (request.node.get_closest_marker("worker") and settings.REDIS_URL)
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush every table, migrations' seed rows included; re-seed
    them with those migrations' own (idempotent) code."""
    importlib.import_module("consent.migrations.0010_notice_texts_per_language").seed(apps, None)
    importlib.import_module("disposal.migrations.0002_default_retention_policies").seed(apps, None)
    importlib.import_module("disposal.migrations.0008_unconverted_leads_policy").seed(apps, None)


@pytest.fixture
def customer():
    return CustomerFactory()


@pytest.fixture
def product():
    return ProductFactory()


@pytest.fixture
def make_customer():
    return CustomerFactory


@pytest.fixture
def make_product():
    return ProductFactory


@pytest.fixture(autouse=True)
def _second_factor_off(settings):
    """Most tests sign staff in to test something else; the second factor's own tests
    (tests/dashboard/test_two_factor.py, tests/browser/test_two_factor.py) turn it on."""
    settings.OTP_REQUIRED = False


@pytest.fixture(autouse=True)
def _loopback_webhook_receivers(settings):
    """Tests' processor endpoints listen on loopback over plain HTTP, allowed here as an
    operator allows a processor on its own network; tests/disposal/test_webhook_targets.py
    restores the production rules."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff sign in in many tests; the production hasher's 1M rounds would dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_staff(db):
    """make_staff(role, username=None): a dashboard user holding that one role."""
    from access.roles import Role
    from access.staff import save_staff_user

    counter = iter(range(1, 10_000))

    def make(role, username=None, password=None, email=""):
        name = username or f"{Role(role).value}-{next(counter)}"
        return save_staff_user(username=name, role=Role(role), password=password, email=email)[0]

    return make


@pytest.fixture
def buy(make_product):
    """buy(customer, sku, category="books", days_ago=1, order=None, price="10.00")."""
    counter = iter(range(1, 1_000_000))

    def purchase(customer, sku, *, category="books", days_ago=1, order=None, price="10.00", qty=1):
        make_product(sku=sku, category=category)
        record_purchases(
            lines=[
                PurchaseLine(
                    customer.pk,
                    order or f"o-{next(counter)}",
                    sku,
                    qty,
                    Decimal(price),
                    timezone.now() - timedelta(days=days_ago),
                )
            ],
            actor="api-key:test",
        )

    return purchase


@pytest.fixture
def no_min_support(settings):
    """Recommendation mechanics on fixtures of a handful of customers: no minimum support
    (RECS_MIN_SUPPORT 1). The floor itself is tested with its default, 5
    (tests/recommendations/test_min_support.py)."""
    settings.RECS_MIN_SUPPORT = 1


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """The locale middleware leaves a request's language active in the thread; a test
    that browsed in Bahasa Indonesia must not leave later tests' messages translated."""
    yield
    from django.utils import translation

    translation.deactivate()
