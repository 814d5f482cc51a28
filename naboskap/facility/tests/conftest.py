import pytest

from naboskap.conftest import make_staff
from naboskap.tenancy.models import Role


@pytest.fixture
def caretaker(world):
    """An environmental caretaker whose membership is limited to Lindeveien."""
    return make_staff(world.municipality, Role.CARETAKER, project=world.project, username="vakt")
