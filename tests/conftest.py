"""Shared test set-up: quiet TensorFlow logs here and in every subprocess the tests start."""

import os
import sys

# Before TensorFlow is imported anywhere; subprocesses inherit the environment.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")

sys.path.insert(0, os.path.dirname(__file__))  # tests/oracles.py as `oracles`
