"""Where an incremental harvest resumes: the watermark kept on the resource. Pure."""
from __future__ import annotations

import datetime as dt
import decimal

import pytest

from ckanext.internalportal.harvesters.sql import incremental


@pytest.mark.parametrize("value", [
    42, 1.5, decimal.Decimal("12.30"), "B-0012", dt.date(2024, 2, 29),
    dt.datetime(2024, 5, 1, 12, 30, 5, 123), dt.datetime(2024, 5, 1, 12, 30,
                                                          tzinfo=dt.timezone.utc),
])
def test_a_watermark_comes_back_with_its_type(value):
    stored = incremental.encode("maj", value)
    back = incremental.decode(stored, "maj")
    assert back == value and type(back) is type(value)


def test_a_watermark_of_another_column_or_unreadable_means_a_full_harvest():
    stored = incremental.encode("id", 10)
    assert incremental.decode(stored, "maj") is None
    assert incremental.decode("pas du json", "id") is None
    assert incremental.decode("", "id") is None
    assert incremental.encode("id", None) is None


def test_the_last_value_read_is_the_database_s_greatest_nulls_aside():
    rows = [(1, "a"), (3, "b"), (None, "c")]   # PostgreSQL: NULLs last
    assert incremental.last_value(rows, 0) == 3
    assert incremental.last_value([(None,)], 0) is None
