from app_backend.__main__ import ROLE_NAMES
from app_backend.models import Role


def test_create_user_offers_every_role():
    assert set(ROLE_NAMES) == {r.value for r in Role}
