"""Is a dataset updated as often as its frequency says? Always with a fixed ``now``."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ckanext.internalportal.quality import freshness

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
EU = "http://publications.europa.eu/resource/authority/frequency/"


def ago(**kwargs) -> datetime:
    return (NOW - timedelta(**kwargs)).replace(tzinfo=None)


@pytest.mark.parametrize("value", [EU + "ANNUAL", "ANNUAL", "annual", EU + "ANNUAL/"])
def test_frequency_code_reads_eu_uris_and_codes(value):
    assert freshness.frequency_code(value) == "ANNUAL"


def test_frequency_code_maps_other_spellings_to_the_eu_code():
    assert freshness.frequency_code("http://purl.org/cld/freq/semiannual") == "ANNUAL_2"
    assert freshness.frequency_code("irregular") == "IRREG"
    assert freshness.frequency_code("") is None and freshness.frequency_code(None) is None


def test_annual_data_becomes_stale_after_about_thirteen_months():
    assert not freshness.is_stale(EU + "ANNUAL", ago(days=365), NOW)
    assert not freshness.is_stale("ANNUAL", ago(days=390), NOW)
    assert freshness.is_stale("ANNUAL", ago(days=400), NOW)
    assert freshness.is_stale("ANNUAL", ago(days=14 * 31), NOW)


def test_monthly_and_daily_data():
    assert not freshness.is_stale("MONTHLY", ago(days=30), NOW)
    assert freshness.is_stale("MONTHLY", ago(days=45), NOW)
    assert not freshness.is_stale("DAILY", ago(days=1), NOW)
    assert freshness.is_stale("DAILY", ago(days=5), NOW)


@pytest.mark.parametrize("frequency", ["IRREG", "NEVER", "UNKNOWN", EU + "IRREG", "AS_NEEDED",
                                       "NOT_PLANNED", "OTHER", None, "", "SOMETIMES"])
def test_data_without_a_schedule_is_never_stale(frequency):
    assert not freshness.is_stale(frequency, ago(days=20 * 365), NOW)


def test_without_a_date_nothing_is_stale():
    assert not freshness.is_stale("DAILY", None, NOW)


def test_aware_and_naive_datetimes_compare_in_utc():
    last = datetime(2025, 5, 31, 23, 0, tzinfo=timezone(timedelta(hours=2)))  # 21:00 UTC
    assert not freshness.is_stale("DAILY", last, NOW.replace(tzinfo=None))


def test_every_eu_code_of_the_portal_s_vocabulary_has_a_tolerance_growing_with_its_period():
    ordered = ["HOURLY", "DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY", "BIMONTHLY", "QUARTERLY",
               "ANNUAL_3", "ANNUAL_2", "ANNUAL", "BIENNIAL", "TRIENNIAL", "QUADRENNIAL",
               "QUINQUENNIAL", "DECENNIAL"]
    tolerances = [freshness.tolerance(code) for code in ordered]
    assert tolerances == sorted(tolerances)
    for code in ordered:
        assert freshness.is_declared(code)
    assert not freshness.is_declared("UNKNOWN") and not freshness.is_declared(None)


def test_every_frequency_the_schema_offers_is_in_the_tolerance_table():
    from pathlib import Path
    import yaml
    import ckanext.internalportal
    vocab = Path(ckanext.internalportal.__file__).parent / "schemas/vocabularies/frequency.yaml"
    codes = {c["code"] for c in yaml.safe_load(vocab.read_text(encoding="utf-8"))["concepts"]}
    assert codes <= set(freshness.TOLERANCES)
