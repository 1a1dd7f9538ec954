"""Evaluation of generated samples: FID, KID, Inception Score, precision/recall,
density/coverage (streaming ``keras.metrics.Metric`` objects fed with reference and
generated images), their feature extractors and domain evaluators, class and stacked-MNIST
mode counts, and the toy-2D mode coverage. Every score carries its ``Protocol``."""

from keras_gans.metrics.anomaly import AnomalyScorer, auroc
from keras_gans.metrics.callback import EvaluationCallback
from keras_gans.metrics.class_coverage import (class_coverage, classify_stacked_mnist,
                                               make_stacked_mnist, stacked_mnist_coverage,
                                               stacked_mnist_modes)
from keras_gans.metrics.density_coverage import DensityCoverage, density_coverage
from keras_gans.metrics.evaluate import evaluate, reference_images
from keras_gans.metrics.evaluators import build_evaluator, load_evaluator
from keras_gans.metrics.extractors import (ClassifierExtractor, FeatureExtractor,
                                           InceptionV3Extractor)
from keras_gans.metrics.fid import FID, frechet_distance
from keras_gans.metrics.inception_score import InceptionScore
from keras_gans.metrics.kid import KID, kernel_distance, mmd2_biased, mmd2_unbiased
from keras_gans.metrics.precision_recall import PrecisionRecall, precision_recall
from keras_gans.metrics.protocol import Protocol
from keras_gans.metrics.tabular import (augmentation_gain, correlation_difference,
                                         marginal_distances, tstr)
from keras_gans.metrics.toy import mode_coverage

__all__ = [
    "FID", "KID", "InceptionScore", "PrecisionRecall", "DensityCoverage", "Protocol",
    "FeatureExtractor", "InceptionV3Extractor", "ClassifierExtractor", "EvaluationCallback",
    "evaluate", "reference_images", "load_evaluator", "build_evaluator", "frechet_distance",
    "kernel_distance", "mmd2_unbiased", "mmd2_biased", "precision_recall", "density_coverage",
    "class_coverage", "stacked_mnist_modes", "classify_stacked_mnist", "make_stacked_mnist",
    "stacked_mnist_coverage",
    "mode_coverage", "tstr", "augmentation_gain", "marginal_distances",
    "correlation_difference", "AnomalyScorer", "auroc",
]
