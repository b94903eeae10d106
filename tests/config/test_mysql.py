"""MySQL/MariaDB sessions are strict, READ COMMITTED and utf8mb4 (reliability-checklist I8, I9)."""

import pytest
from django.db import DataError, connection

from accounts.models import Team
from accounts.services import create_team
from tests.factories import UserFactory

pytestmark = [pytest.mark.mysql, pytest.mark.django_db]


def test_session_is_strict_read_committed_utf8mb4():
    # MariaDB before 11.1 names the variable tx_isolation; MySQL 8 transaction_isolation.
    isolation_var = "tx_isolation" if connection.mysql_is_mariadb else "transaction_isolation"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT @@sql_mode, @@{isolation_var}, @@character_set_connection")
        sql_mode, isolation, charset = cursor.fetchone()
    assert "STRICT_TRANS_TABLES" in sql_mode
    assert isolation == "READ-COMMITTED"
    assert charset == "utf8mb4"


def test_over_long_values_fail_instead_of_being_truncated():
    with pytest.raises(DataError):
        Team.objects.create(name="x" * 300, slug="too-long")


def test_four_byte_characters_round_trip():
    team = create_team(creator=UserFactory(), name="Owls 🦉 森のフクロウ", description="🦉" * 50)
    team.refresh_from_db()
    assert team.name == "Owls 🦉 森のフクロウ"
    assert team.description == "🦉" * 50
