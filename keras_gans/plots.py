"""Figures for people, with titles, axes and legends: the training history (losses,
discriminator outputs, penalties and evaluation scores against steps), 2-D samples with
their modes' centres, and real against synthetic columns of a table.

They are drawn with matplotlib when it is installed (``pip install keras-gans[plots]``;
imported only here, and only when a figure is drawn). Without it each function falls back
to the unlabelled pixel pictures of ``keras_gans.utils``, so training never fails for want
of a plotting library.
"""

import math
import os

import numpy as np

from keras_gans import utils

# Panels of the history figure: (title, y label, which logged names go in it).
HISTORY_PANELS = (
    ("Losses", "loss", lambda k: k.endswith("_loss") or k in ("mse",)),
    ("Discriminator outputs", "mean score", lambda k: k in ("d_real", "d_fake")),
    ("Penalties", "value", lambda k: k in ("gp", "r1", "r2", "pl", "ortho")),
    # Distances and fractions in panels of their own: on one axis FID's tens would flatten
    # precision and recall into a line at the bottom.
    ("Distance to the data", "lower is better", lambda k: k in ("fid", "kid", "reverse_kl")),
    ("Fidelity and coverage", "fraction", lambda k: k in ("precision", "recall", "density",
                                                          "coverage", "high_quality")),
    ("Evaluation", "score", lambda k: k in ("is", "modes_covered")),
)
LABELS = {"d_real": "D(x), real", "d_fake": "D(G(z)), generated", "d_loss": "discriminator",
          "g_loss": "generator"}
DPI = 100


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(width_px, height_px):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path):
    """Render and write as a 256-colour palette PNG: a plot's flat colours and anti-aliased
    edges look the same in 256 colours, and the file is about 2.5x smaller than in RGB,
    which matters for presets that sit near the zoo's 25 MB limit. (Pillow comes with
    matplotlib.)"""
    from PIL import Image

    figure.canvas.draw()
    pixels = np.ascontiguousarray(np.asarray(figure.canvas.buffer_rgba())[..., :3])
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    image = Image.fromarray(pixels).quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                             dither=Image.Dither.NONE)
    image.save(path, format="PNG", optimize=True)
    return path


def _finite(row, name):
    """Whether the history row logs a finite number under ``name``."""
    return isinstance(row.get(name), (int, float)) and math.isfinite(row[name])


def _x_key(rows):
    """The rows' x: the step when every row records it, else the epoch."""
    return "step" if rows and all(r.get("step") is not None for r in rows) else "epoch"


def history_series(rows):
    """``{panel title: {name: (x, y)}}`` from per-epoch (or per-evaluation) rows such as
    ``HistoryFile`` writes; x is the generator step when rows record it, else the epoch.
    Names that fit no panel, and values that are missing or not finite, are left out."""
    x_key = _x_key(rows)
    names = list(dict.fromkeys(k for r in rows for k in r if k not in ("epoch", "step")))
    panels = {}
    for title, _, belongs in HISTORY_PANELS:
        series = {}
        for name in names:
            if not belongs(name):
                continue
            points = [(r[x_key], r[name]) for r in rows if _finite(r, name)]
            if points:
                series[name] = tuple(np.asarray(v, "float64") for v in zip(*points))
        if series:
            panels[title] = series
    return x_key, panels


def save_history(rows, path, title=None, batch_size=None):
    """Write the training curves of ``rows`` (dicts with ``epoch``, optionally ``step``, and
    logged values such as ``d_loss``, ``g_loss``, ``d_real``, ``d_fake``, ``fid``) to a PNG;
    returns the path. With ``batch_size`` (real examples per generator step) and rows that
    record steps, the x axis is kimg, thousands of real examples shown. Raises a ValueError
    naming what is missing when no row has any value to draw."""
    x_key, panels = history_series(list(rows))
    if x_key == "step" and batch_size:
        x_key = "kimg"
        panels = {title: {name: (x * batch_size / 1000.0, y) for name, (x, y) in series.items()}
                  for title, series in panels.items()}
    if not panels:
        raise ValueError("No training curves to draw: the rows hold none of d_loss, g_loss, "
                         "d_real, d_fake, a penalty or an evaluation score.")
    if not have_matplotlib():
        return utils._write_png(curves_image(panels), path)
    figure = _figure(420 * len(panels), 340)
    units = {t: unit for t, unit, _ in HISTORY_PANELS}
    for i, (panel, series) in enumerate(panels.items()):
        axes = figure.add_subplot(1, len(panels), i + 1)
        for name, (x, y) in series.items():
            axes.plot(x, y, marker="o" if len(x) < 30 else None, markersize=3,
                      label=LABELS.get(name, name))
        if panel == "Distance to the data" and all(np.all(y > 0) for _, y in series.values()):
            axes.set_yscale("log")   # shows the late, small gains of a converging run
        axes.set_title(panel)
        axes.set_xlabel({"step": "generator step", "kimg": "kimg (real images shown)"}.get(
            x_key, "epoch"))
        axes.set_ylabel(units[panel])
        _readable_x_ticks(axes)
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)


def _readable_x_ticks(axes):
    """At most six x ticks with thousands separators: long runs' kimg (35000) ran into one
    another under matplotlib's default ticks."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v == int(v)
                                                 else f"{v:,.1f}"))


def curves_image(panels, panel=(200, 300)):
    """The history without matplotlib: one white panel per group, one coloured line per
    series (no text)."""
    colours = ((20, 40, 120), (240, 140, 30), (40, 150, 60), (200, 40, 40), (130, 80, 170))
    h, w = panel
    canvas = np.full((h + 16, len(panels) * (w + 8) + 8, 3), 255, "uint8")
    for p, series in enumerate(panels.values()):
        left = 8 + p * (w + 8)
        canvas[8:8 + h, left:left + w] = 245
        ys = np.concatenate([y for _, y in series.values()])
        xs = np.concatenate([x for x, _ in series.values()])
        (x0, x1), (y0, y1) = (xs.min(), xs.max()), (ys.min(), ys.max())
        for c, (x, y) in enumerate(series.values()):
            fine = np.linspace(0, len(x) - 1, 4 * w) if len(x) > 1 else np.zeros(1)
            fx = np.interp(fine, np.arange(len(x)), x)
            fy = np.interp(fine, np.arange(len(y)), y)
            cols = left + np.round((fx - x0) / max(x1 - x0, 1e-12) * (w - 1)).astype(int)
            rows = 8 + h - 1 - np.round((fy - y0) / max(y1 - y0, 1e-12) * (h - 1)).astype(int)
            canvas[rows, cols] = colours[c % len(colours)]
    return canvas


def rank_correlation(a, b):
    """Spearman's rank correlation of two equally long series (no ties expected)."""
    ranks = [np.argsort(np.argsort(np.asarray(v, "float64"))) for v in (a, b)]
    return float(np.corrcoef(*ranks)[0, 1])


def distance_tracking(rows):
    """The critic's distance estimate beside sample quality, from a run's history rows:
    ``(x_key, estimate, scores)`` where ``estimate`` is ``(x, d_real - d_fake)`` for every row
    that logs both and ``scores`` is ``(x, estimate, fid)`` at the rows that also hold an
    evaluation FID; x is the step when rows record it, else the epoch. None when fewer
    than three rows hold all three."""
    x_key = _x_key(rows)
    logged = [r for r in rows if _finite(r, "d_real") and _finite(r, "d_fake")]
    scored = [r for r in logged if _finite(r, "fid")]
    if len(scored) < 3:
        return None
    estimate = (np.array([r[x_key] for r in logged], "float64"),
                np.array([r["d_real"] - r["d_fake"] for r in logged], "float64"))
    scores = tuple(np.array(v, "float64") for v in zip(
        *[(r[x_key], r["d_real"] - r["d_fake"], r["fid"]) for r in scored]))
    return x_key, estimate, scores


def save_distance_tracking(rows, path, title=None):
    """Draw how the critic's distance estimate (d_real - d_fake) tracked the evaluation FID
    over a run: both against steps (FID on its own log axis), and FID against the estimate
    at the evaluated epochs, titled with their rank correlation. Returns ``(path, rho,
    number of evaluations)``; raises a ValueError when fewer than three epochs hold both."""
    tracked = distance_tracking(list(rows))
    if tracked is None:
        raise ValueError("No distance tracking to draw: fewer than three history rows hold "
                         "d_real, d_fake and an evaluation fid (add callbacks.evaluation "
                         "with fid to the recipe).")
    x_key, (x, estimate), (x_scored, estimate_scored, fid) = tracked
    rho = rank_correlation(estimate_scored, fid)
    if not have_matplotlib():
        panels = {"estimate": {"estimate": (x, estimate)}, "fid": {"fid": (x_scored, fid)}}
        return utils._write_png(curves_image(panels), path), rho, len(fid)
    figure = _figure(900, 360)
    left = figure.add_subplot(1, 2, 1)
    left.plot(x, estimate, color="tab:blue", label="critic: d_real - d_fake")
    left.set_xlabel({"step": "generator step"}.get(x_key, "epoch"))
    left.set_ylabel("critic's estimate", color="tab:blue")
    if np.all(estimate > 0):
        left.set_yscale("log")
    right = left.twinx()
    right.plot(x_scored, fid, color="tab:orange", marker="o", markersize=3, label="FID")
    right.set_yscale("log")
    right.set_ylabel("FID (lower is better)", color="tab:orange")
    left.set_title("Over the run")
    left.grid(alpha=0.3)
    scatter = figure.add_subplot(1, 2, 2)
    scatter.plot(estimate_scored, fid, marker="o", markersize=4, color="tab:purple")
    scatter.set_yscale("log")
    if np.all(estimate_scored > 0):
        from matplotlib.ticker import NullFormatter

        scatter.set_xscale("log")   # the late, small changes would sit in one corner
        scatter.xaxis.set_minor_formatter(NullFormatter())
    scatter.set_xlabel("critic's estimate (d_real - d_fake)")
    scatter.set_ylabel("FID")
    scatter.set_title(f"Evaluations: Spearman rho {rho:+.3f}")
    scatter.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path), rho, len(fid)


def save_scatter(points, path, centres=None, title=None, size=400):
    """2-D samples as a scatter plot with axes, and the modes' ``centres`` (when given) as
    red circles; ``size`` pixels square. Returns the path."""
    points = np.asarray(points, "float64")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"Expected points of shape (n, 2); received {points.shape}.")
    if not have_matplotlib():
        return utils.save_scatter(points, path)
    figure = _figure(size, size)
    axes = figure.add_subplot(1, 1, 1)
    axes.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, color="#14287a",
                 label=f"{len(points):,} samples")
    if centres is not None:  # open circles, so that the points at a centre stay visible
        centres = np.asarray(centres, "float64")
        axes.scatter(centres[:, 0], centres[:, 1], marker="o", s=90, facecolors="none",
                     edgecolors="#d62020", linewidths=1.2, label=f"{len(centres)} mode centres")
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
                frameon=False)
    if title:
        axes.set_title(title, fontsize="medium")
    figure.tight_layout()
    return _save(figure, path)


def save_samples(samples, path, centres=None):
    """A grid for images, a labelled scatter plot for 2-D points."""
    samples = np.asarray(samples)
    if samples.ndim == 2 and samples.shape[1] == 2:
        return save_scatter(samples, path, centres=centres)
    return utils.save_grid(samples, path)


def save_marginals(real, synthetic, path, categorical=(), ncols=4, labels=("real", "synthetic"),
                   title=None):
    """One panel per column of two tables (dicts of columns): histograms of numbers (20
    bins of equal real mass) or shares of each category, real beside synthetic, each panel
    titled with its column and with labelled axes. Returns the path."""
    categorical = set(categorical)
    if not have_matplotlib():
        return utils.save_marginals(real, synthetic, path, categorical, ncols)
    names = list(real)
    nrows = math.ceil(len(names) / ncols)
    figure = _figure(330 * ncols, 250 * nrows + 60)
    for k, name in enumerate(names):
        axes = figure.add_subplot(nrows, ncols, k + 1)
        is_cat = name in categorical
        a = utils._histogram(real[name], is_cat, real[name], 20)
        b = utils._histogram(synthetic[name], is_cat, real[name], 20)
        slots = np.arange(len(a))
        axes.bar(slots - 0.2, a, width=0.4, color="#14287a", label=labels[0])
        axes.bar(slots + 0.2, b, width=0.4, color="#f08c1e", label=labels[1])
        axes.set_title(name, fontsize="medium")
        axes.set_ylabel("share of rows", fontsize="small")
        if is_cat:
            cats = sorted({str(v).strip() for v in real[name]})
            axes.set_xticks(slots)
            axes.set_xticklabels(cats if len(cats) <= 8 else [""] * len(cats), rotation=45,
                                 ha="right", fontsize="x-small")
            axes.set_xlabel(f"{len(cats)} categories" if len(cats) > 8 else "",
                            fontsize="small")
        else:
            edges = utils.bin_edges(real[name], 20)
            ticks = [0, len(a) // 2, len(a) - 1]
            axes.set_xticks(ticks)
            axes.set_xticklabels([f"{edges[t]:.4g}" for t in ticks], fontsize="x-small")
            axes.set_xlabel("bins of equal real mass (lower edges)", fontsize="small")
        axes.tick_params(axis="y", labelsize="x-small")
        if k == 0:
            axes.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)
