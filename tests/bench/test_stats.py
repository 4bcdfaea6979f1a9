"""Figures from repeats: medians for even counts, spread, pooled percentiles."""

from cer_live.bench.stats import median, spread, summarise


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_spread_names_the_range_relative_to_the_median():
    s = spread([90.0, 100.0, 110.0, 100.0])
    assert s["median"] == 100.0 and s["spread_pct"] == 20.0


def test_summary_pools_repeats_and_keeps_their_own_medians():
    s = summarise([[1.0, 2.0], [3.0, 4.0]])
    assert s["n"] == 4 and s["mean"] == 2.5 and s["throughput_per_s"] == 400.0
    assert s["repeat_p50"]["values"] == [1.5, 3.5]
