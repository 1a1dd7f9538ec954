"""A bfloat16 run warns where bfloat16 convolutions are measured slower than float32's."""

import keras_gans.bfloat16_speed as bfloat16_speed


def test_the_rates_are_measured_in_both_precisions():
    rates = bfloat16_speed.convolution_rates(repeats=1, batch=1, size=8, channels=8)
    assert set(rates) == {"float32", "bfloat16"}
    assert all(rate > 0 for rate in rates.values())


def test_the_warning_names_both_rates_and_the_fix_only_when_bfloat16_is_slower():
    warning = bfloat16_speed.slower_bfloat16_warning({"float32": 90.0, "bfloat16": 50.0})
    assert "50 GFLOP/s in bfloat16 against 90 in float32" in warning
    assert "--set precision=float32" in warning
    assert bfloat16_speed.slower_bfloat16_warning({"float32": 90.0, "bfloat16": 180.0}) is None
