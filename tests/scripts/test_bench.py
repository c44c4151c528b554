"""The benchmark's own arithmetic (scripts/bench.py): the ratios it reports, the memory
it reads, and how it serves an older checkout."""

import os

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def bench():
    return load_script("bench")


def rounds(*per_second):
    return [{"requests_per_second": r} for r in per_second]


def test_a_ratio_pairs_each_round_and_takes_the_median_of_the_rounds(bench):
    # The machine slows down in the second round and speeds up in the third: paired, a is
    # 1.2 times b in every round.
    a = rounds(1200, 600, 2400)
    b = rounds(1000, 500, 2000)
    assert bench.paired_ratio(a, b) == 1.2
    # One round far off does not move it; with an even number of rounds, the middle two.
    assert bench.paired_ratio(rounds(110, 100, 300, 90), rounds(100, 100, 100, 100)) == 1.05


def test_rounds_must_pair(bench):
    with pytest.raises(ValueError):
        bench.paired_ratio(rounds(1, 2), rounds(1))


def test_peak_memory_is_read_from_the_process_and_is_zero_once_it_has_ended(bench):
    assert bench.peak_rss_kib(os.getpid()) > 10_000  # this Python, with Django loaded
    assert bench.peak_rss_kib(2**22 + 12345) == 0  # above Linux's largest process id


def test_an_older_checkout_is_served_as_its_own_make_run_served_it(bench, tmp_path):
    # This checkout's nginx counts the limit, so its application does not.
    assert bench.nginx_counts_limit(bench.ROOT)
    # Before 65acb78 the template proxied the API without limit_req; the application counted.
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "nginx.conf.template").write_text(
        "http { server { location /api/ { proxy_pass http://portal; } } }\n"
    )
    assert not bench.nginx_counts_limit(tmp_path)
    assert not bench.nginx_counts_limit(tmp_path / "not a checkout")
