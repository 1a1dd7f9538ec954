"""Non-GAN baselines for one-class anomaly detection (issue 20), beside anomaly_mnist.py.

The protocol is anomaly_mnist.py's: for each class d, a detector is fitted on the training
images of d alone; a fixed random subset of the test set (``--num-test`` images drawn with
``np.random.default_rng(seed).choice``, seed 0, all classes) is scored; test images of d are
normal, all others anomalies; ``kg.metrics.auroc`` per class, then the mean over classes.
Every score is "higher = more anomalous". The baselines:

* ``ocsvm``: scikit-learn's OneClassSVM (RBF, gamma="scale", nu=0.1) on PCA features (50
  components fitted on the normal training images); at most 2,000 of those images (a seeded
  subsample) train the SVM. Score: minus its decision function.
* ``iforest``: IsolationForest (200 trees, seeded) on the same features; minus
  ``score_samples``.
* ``knn``: mean Euclidean distance to the 5 nearest normal training images in PCA space.
* ``autoencoder``: a small convolutional autoencoder (images in [-1, 1]), Adam 1e-3,
  batch 128, ``--epochs`` epochs, seeded; the per-image mean squared reconstruction error.

Each detector is fitted once per class and scores the whole test set, so extra
``--subset-seeds`` (other random test subsets of the same size) cost only an AUROC each.
Needs scikit-learn (keras-gans already depends on it; ``kg.metrics.auroc`` uses it).
Results are written to ``--out`` after each class; a rerun skips the classes already there.

    python benchmarks/anomaly_baselines.py --dataset mnist --data ../shared/data/mnist.npz
    python benchmarks/anomaly_baselines.py --dataset fashion_mnist \\
        --data ../shared/data/fashion_mnist.npz --subset-seeds 0 1 2
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

METHODS = ("ocsvm", "iforest", "knn", "autoencoder")
LABELS = {"ocsvm": "One-class SVM (PCA 50)", "iforest": "Isolation forest (PCA 50)",
          "knn": "5-NN distance (PCA 50)", "autoencoder": "Conv. autoencoder MSE"}
# The options that change the numbers: a rerun into the same --out must share them.
RESULT_OPTIONS = ("dataset", "num_test", "seed", "subset_seeds", "pca_components",
                  "svm_max_train", "epochs")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", choices=("mnist", "fashion_mnist"), default="mnist")
    p.add_argument("--data", help="the npz (keras.datasets layout); default "
                   "../shared/data/<dataset>.npz")
    p.add_argument("--classes", type=int, nargs="+", default=list(range(10)))
    p.add_argument("--num-test", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0, help="seeds the detectors")
    p.add_argument("--subset-seeds", type=int, nargs="+", default=[0],
                   help="seeds of the random test subsets; the first is the main table's")
    p.add_argument("--pca-components", type=int, default=50)
    p.add_argument("--svm-max-train", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=3, help="autoencoder epochs")
    p.add_argument("--out", help="results.json; default "
                   "runs/benchmarks/anomaly_baselines/<dataset>/results.json")
    args = p.parse_args(argv)
    args.data = args.data or os.path.join("..", "shared", "data", f"{args.dataset}.npz")
    args.out = args.out or os.path.join("runs", "benchmarks", "anomaly_baselines",
                                        args.dataset, "results.json")
    return args


def load_npz(path):
    """``(x_train, y_train, x_test, y_test)`` of a keras.datasets-style npz."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} does not exist; pass the npz with --data.")
    with np.load(path) as data:
        missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in data]
        if missing:
            raise ValueError(f"{path} has no {missing} array(s); expected the keras.datasets "
                             f"layout (x_train, y_train, x_test, y_test).")
        return tuple(data[k] for k in ("x_train", "y_train", "x_test", "y_test"))


def to_unit_range(images):
    """uint8 images (N, H, W) to float32 (N, H, W, 1) in [-1, 1], as the GAN saw them."""
    return np.asarray(images, "float32")[..., None] / 127.5 - 1.0


def test_subset(num_images, num_test, seed):
    """anomaly_mnist.py's fixed test subset: indices into the test set."""
    return np.random.default_rng(seed).choice(num_images, num_test, replace=False)


def pca_features(train_images, test_images, n_components=50, seed=0):
    """Flattened images projected on the ``n_components`` principal axes of the training
    (normal) images: ``(train_features, test_features)``."""
    from sklearn.decomposition import PCA

    flat_train = train_images.reshape(len(train_images), -1)
    pca = PCA(n_components=n_components, random_state=seed).fit(flat_train)
    return pca.transform(flat_train), pca.transform(test_images.reshape(len(test_images), -1))


def ocsvm_scores(train_features, test_features, max_train=2000, seed=0):
    from sklearn.svm import OneClassSVM

    if len(train_features) > max_train:
        keep = np.random.default_rng(seed).choice(len(train_features), max_train, replace=False)
        train_features = train_features[keep]
    svm = OneClassSVM(kernel="rbf", gamma="scale", nu=0.1).fit(train_features)
    return -svm.decision_function(test_features)   # positive inside the learned region


def iforest_scores(train_features, test_features, seed=0):
    from sklearn.ensemble import IsolationForest

    forest = IsolationForest(n_estimators=200, random_state=seed).fit(train_features)
    return -forest.score_samples(test_features)   # score_samples is higher for normal points


def knn_scores(train_features, test_features, k=5):
    from sklearn.neighbors import NearestNeighbors

    distances, _ = NearestNeighbors(n_neighbors=k).fit(train_features).kneighbors(test_features)
    return distances.mean(axis=1)


def build_autoencoder(image_shape, bottleneck=32):
    """Conv 32 s2 -> Conv 64 s2 -> Dense ``bottleneck`` -> the mirror image, tanh output.
    Height and width must be multiples of 4."""
    import keras
    from keras import layers

    height, width, channels = image_shape
    if height % 4 or width % 4:
        raise ValueError(f"the autoencoder needs height and width divisible by 4, got "
                         f"{image_shape}.")
    inner = (height // 4, width // 4, 64)
    return keras.Sequential([
        keras.Input(image_shape),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(bottleneck),
        layers.Dense(int(np.prod(inner)), activation="relu"),
        layers.Reshape(inner),
        layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="tanh"),
    ], name="autoencoder")


def autoencoder_scores(train_images, test_images, epochs=3, seed=0, batch_size=128):
    """Per-image mean squared reconstruction error of an autoencoder fitted to
    ``train_images`` ((N, H, W, C) in [-1, 1])."""
    import keras

    keras.utils.set_random_seed(seed)
    model = build_autoencoder(train_images.shape[1:])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    model.fit(train_images, train_images, batch_size=batch_size, epochs=epochs, shuffle=True,
              verbose=0)
    reconstructed = model.predict(test_images, batch_size=500, verbose=0)
    return np.mean((reconstructed - test_images) ** 2, axis=(1, 2, 3))


def score_class(train_images, test_images, args):
    """Every baseline's scores on ``test_images`` and the wall time (s) of each step: the
    shared PCA, then each method's fit and score."""
    scores = {}
    t0 = time.perf_counter()
    train_f, test_f = pca_features(train_images, test_images, args.pca_components, args.seed)
    wall = {"pca": round(time.perf_counter() - t0, 2)}
    runs = {"ocsvm": lambda: ocsvm_scores(train_f, test_f, args.svm_max_train, args.seed),
            "iforest": lambda: iforest_scores(train_f, test_f, args.seed),
            "knn": lambda: knn_scores(train_f, test_f),
            "autoencoder": lambda: autoencoder_scores(train_images, test_images, args.epochs,
                                                      args.seed)}
    for method in METHODS:
        t0 = time.perf_counter()
        scores[method] = np.asarray(runs[method]())
        wall[method] = round(time.perf_counter() - t0, 2)
    return scores, wall


def read_results(path, args):
    """The per-class results already in ``path`` (``[]`` when none), after checking that
    they were made with the same options."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        saved = json.load(f)
    current = {k: getattr(args, k) for k in RESULT_OPTIONS}
    old = {k: saved["config"].get(k) for k in RESULT_OPTIONS}
    if old != current:
        raise ValueError(f"{path} holds results made with {old}, not {current}; pass another "
                         f"--out or delete it.")
    return saved["results"]


def markdown(results, dataset, subset_seed):
    """One row per method, one column per class, plus the mean, for one test subset."""
    head = "Normal digit" if dataset == "mnist" else "Normal class"
    key = str(subset_seed)
    lines = [f"| {head} | " + " | ".join(str(r["class"]) for r in results) + " | mean |",
             "|---" * (len(results) + 2) + "|"]
    for method in METHODS:
        values = [r["auroc"][method][key] for r in results]
        lines.append(f"| {LABELS[method]} | " + " | ".join(f"{v:.3f}" for v in values)
                     + f" | **{np.mean(values):.3f}** |")
    return "\n".join(lines)


def seed_summary(results, subset_seeds):
    """Per method: the class-mean AUROC on each test subset, and their mean and std."""
    summary = {}
    for method in METHODS:
        means = [float(np.mean([r["auroc"][method][str(s)] for r in results]))
                 for s in subset_seeds]
        summary[method] = {"per_seed": means, "mean": float(np.mean(means)),
                           "std": float(np.std(means))}
    return summary


def main(argv=None):
    import keras_gans as kg

    args = parse_args(argv)
    x_train, y_train, x_test, y_test = load_npz(args.data)
    x_test = to_unit_range(x_test)
    subsets = {s: test_subset(len(x_test), args.num_test, s) for s in args.subset_seeds}
    results = [r for r in read_results(args.out, args) if r["class"] in args.classes]
    done = {r["class"] for r in results}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    for cls in args.classes:
        if cls in done:
            print(f"class {cls}: already in {args.out}, skipped", flush=True)
            continue
        train = to_unit_range(x_train[y_train == cls])
        scores, wall = score_class(train, x_test, args)
        auroc = {m: {str(s): kg.metrics.auroc(scores[m][idx], y_test[idx] != cls)
                     for s, idx in subsets.items()} for m in METHODS}
        entry = {"class": cls, "num_train": len(train), "auroc": auroc, "wall_s": wall}
        results.append(entry)
        print(json.dumps(entry), flush=True)
        with open(args.out, "w") as f:
            json.dump({"config": vars(args), "results": results}, f, indent=1)
    results.sort(key=lambda r: r["class"])
    print(markdown(results, args.dataset, args.subset_seeds[0]))
    if len(args.subset_seeds) > 1:
        print(f"\nClass-mean AUROC over test subsets {args.subset_seeds}:")
        for method, s in seed_summary(results, args.subset_seeds).items():
            print(f"| {LABELS[method]} | {s['mean']:.3f} ± {s['std']:.3f} |")
    totals = {m: round(sum(r["wall_s"][m] for r in results), 1) for m in results[0]["wall_s"]}
    print(f"\nwall time (s, all classes; the PCA serves the three scikit-learn methods): "
          f"{totals}")
    return results


if __name__ == "__main__":
    main()
