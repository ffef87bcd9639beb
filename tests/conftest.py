import pytest

from tests.factories import CustomerFactory, ProductFactory


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
