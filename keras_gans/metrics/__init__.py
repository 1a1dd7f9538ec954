"""Evaluation of generated samples."""

from keras_gans.metrics.toy import mode_coverage

__all__ = ["mode_coverage"]
