import pytest

from naboskap.conftest import english


@pytest.fixture
def en(world) -> dict:
    """One logged-in client per staff persona, reading the pages in English."""
    return {name: english(user) for name, user in world.users.items()}
