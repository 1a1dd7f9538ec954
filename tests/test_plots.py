import numpy as np
import pytest
import tensorflow as tf

from keras_gans import plots

ROWS = [{"epoch": e, "step": 10 * e, "d_loss": 1.0 / e, "g_loss": 0.5 * e, "d_real": 0.6,
         "d_fake": 0.4, "fid": 50.0 - e if e % 2 == 0 else None, "lr": 1e-4}
        for e in range(1, 6)]


def _read(path):
    return tf.io.decode_png(tf.io.read_file(str(path))).numpy()


def test_history_series_groups_curves_and_skips_what_is_missing():
    x_key, panels = plots.history_series(ROWS)
    assert x_key == "step"
    assert list(panels) == ["Losses", "Discriminator outputs", "Distance to the data"]
    assert set(panels["Losses"]) == {"d_loss", "g_loss"}   # lr fits no panel
    steps, fid = panels["Distance to the data"]["fid"]
    np.testing.assert_array_equal(steps, [20, 40])        # epochs without a score left out
    np.testing.assert_array_equal(fid, [48, 46])
    x_key, _ = plots.history_series([{k: v for k, v in r.items() if k != "step"} for r in ROWS])
    assert x_key == "epoch"


@pytest.mark.parametrize("matplotlib", [True, False])
def test_history_picture_has_one_panel_per_group(tmp_path, monkeypatch, matplotlib):
    monkeypatch.setattr(plots, "have_matplotlib", lambda: matplotlib)
    picture = _read(plots.save_history(ROWS, tmp_path / "history.png"))
    assert picture.shape[2] == 3
    assert picture.shape[1] > 2.5 * picture.shape[0]  # three panels side by side
    assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 3  # curves were drawn


def test_history_in_kimg_scales_the_steps_by_the_batch(tmp_path, monkeypatch):
    drawn = {}

    def plot(self, x, y, **kwargs):
        drawn[kwargs["label"]] = np.asarray(x)

    monkeypatch.setattr("matplotlib.axes.Axes.plot", plot)
    plots.save_history(ROWS, tmp_path / "history.png", batch_size=64)
    np.testing.assert_allclose(drawn["fid"], [20 * 64 / 1000, 40 * 64 / 1000])
    np.testing.assert_allclose(drawn["generator"], np.arange(1, 6) * 10 * 64 / 1000)


def test_history_without_curves_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="No training curves to draw"):
        plots.save_history([{"epoch": 1, "lr": 0.1}], tmp_path / "h.png")


@pytest.mark.parametrize("matplotlib", [True, False])
def test_scatter_and_marginals_fall_back_to_pixel_pictures(tmp_path, monkeypatch, matplotlib):
    monkeypatch.setattr(plots, "have_matplotlib", lambda: matplotlib)
    points = np.random.default_rng(0).normal(size=(300, 2))
    picture = _read(plots.save_scatter(points, tmp_path / "s.png", centres=np.zeros((1, 2))))
    assert picture.shape == (400, 400, 3)
    real = {"age": np.arange(100.0), "sex": np.array(["a", "b"] * 50)}
    fake = {"age": np.arange(100.0) * 2, "sex": np.array(["a"] * 100)}
    picture = _read(plots.save_marginals(real, fake, tmp_path / "m.png", categorical=["sex"],
                                         ncols=2))
    assert picture.shape[1] > picture.shape[0]  # two panels in one row
    with pytest.raises(ValueError, match=r"Expected points of shape \(n, 2\)"):
        plots.save_scatter(np.zeros((3, 3)), tmp_path / "bad.png")


def _tracking_rows(fid_order=1):
    # The critic's estimate (d_real - d_fake) falls every epoch; FID is scored every other.
    return [{"epoch": e, "step": 100 * e, "d_real": 0.1, "d_fake": 0.1 - 1.0 / e,
             "fid": (100.0 / e if fid_order > 0 else float(e)) if e % 2 == 0 else None}
            for e in range(1, 11)]


@pytest.mark.parametrize("matplotlib", [True, False])
def test_distance_tracking_ranks_the_critics_estimate_against_fid(tmp_path, monkeypatch,
                                                                   matplotlib):
    monkeypatch.setattr(plots, "have_matplotlib", lambda: matplotlib)
    x_key, (x, estimate), (x_scored, estimate_scored, fid) = plots.distance_tracking(
        _tracking_rows())
    assert x_key == "step" and len(x) == 10
    np.testing.assert_array_equal(x_scored, [200, 400, 600, 800, 1000])
    np.testing.assert_allclose(estimate_scored, [0.5, 0.25, 1 / 6, 0.125, 0.1])
    path, rho, evaluations = plots.save_distance_tracking(_tracking_rows(), tmp_path / "d.png")
    assert rho == pytest.approx(1.0) and evaluations == 5
    # Curves were drawn: colours beyond the background and the (fallback) panels' grey.
    assert len(np.unique(_read(path).reshape(-1, 3), axis=0)) > 2
    _, rho, _ = plots.save_distance_tracking(_tracking_rows(-1), tmp_path / "d.png")
    assert rho == pytest.approx(-1.0)   # FID rising while the estimate falls


def test_distance_tracking_needs_three_evaluations(tmp_path):
    rows = _tracking_rows()[:5]   # two epochs with a FID
    assert plots.distance_tracking(rows) is None
    with pytest.raises(ValueError, match="fewer than three history rows"):
        plots.save_distance_tracking(rows, tmp_path / "d.png")


def test_long_runs_get_a_few_separated_kimg_ticks():
    pytest.importorskip("matplotlib")
    figure = plots._figure(420, 340)
    axes = figure.add_subplot(1, 1, 1)
    axes.plot([0, 36000], [0, 1])
    plots._readable_x_ticks(axes)
    figure.canvas.draw()
    labels = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
    inside = [v for v in axes.get_xticks() if 0 <= v <= 36000]
    assert 3 <= len(inside) <= 6
    assert "10,000" in labels and "30,000" in labels
