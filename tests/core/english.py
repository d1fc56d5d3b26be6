"""For tests that read English messages: the organisation's default language becomes English (the real
default is Chinese). Import the fixture into a test module: ``from tests.core.english import make_app``."""
import pytest

from core.models import Organisation


@pytest.fixture
def make_app(make_app):
    def factory(*args, **kwargs):
        app = make_app(*args, **kwargs)
        with app.app_context():
            Organisation.update(default_language="en").where(Organisation.id == 1).execute()
        return app
    return factory


def fresh():
    """A setting no other test uses, so ``make_app(**fresh())`` builds a new app even where the fixture reuses
    apps between tests: for tests about what happens at start-up (hooks, a restart, the environment) or that
    add routes of their own."""
    import uuid
    return {"TEST_BUILD": uuid.uuid4().hex}
