"""The search tests' school: the canonical one (tests/conftest.py SCHOOL) under its own names."""
import pytest


@pytest.fixture
def as_user(app, login):
    """``as_user(user)`` → a test client logged in as ``user``, asking for English."""
    def make(user, language="en"):
        client = login(app.test_client(), user)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        return client
    return make
