"""compatkeras.migrate.names: what a name stands for, from the file's own imports."""

import textwrap

import libcst as cst
import pytest

from compatkeras.migrate.names import ImportTable


def table(source):
    return ImportTable.of(cst.parse_module(textwrap.dedent(source)))


def qualify(source, expression):
    return table(source).qualify(cst.parse_expression(expression))


@pytest.mark.parametrize(
    ("source", "expression", "expected"),
    [
        ("import keras", "keras.optimizers.Adam", "keras.optimizers.Adam"),
        ("from keras import backend as K", "K.get_value", "keras.backend.get_value"),
        ("import keras.backend as K", "K.epsilon", "keras.backend.epsilon"),
        ("from keras.models import *", "Sequential", "keras.models.Sequential"),
        ("import tensorflow as tf", "tf.keras.layers.Dense", "keras.layers.Dense"),
        ("from tensorflow import keras", "keras.Model", "keras.Model"),
        ("from tensorflow.keras.optimizers import Adam", "Adam", "keras.optimizers.Adam"),
        # a later import rebinds the name
        ("import keras\nfrom keras import backend as keras", "keras.mean", "keras.backend.mean"),
        # not imported, or imported from the project itself
        ("import keras", "model.fit", None),
        ("from .optimizers import Adam", "Adam", None),
        ("from mylib import *", "Adam", None),
    ],
)
def test_qualify(source, expression, expected):
    assert qualify(source, expression) == expected


def test_imports_in_nested_blocks_are_found():
    t = table(
        """
        try:
            from tensorflow.keras.optimizers import Adam
        except ImportError:
            from keras.optimizers import SGD as Adam
        finally:
            import os
        def f():
            if a:
                import numpy as np
            elif b:
                import json as j
            else:
                from keras import backend as K
        class C:
            with open(x) as f:
                from keras.models import *
        for i in y:
            import re
        else:
            import sys
        """
    )
    assert t.bindings == {
        "Adam": "keras.optimizers.SGD",
        "os": "os",
        "np": "numpy",
        "j": "json",
        "K": "keras.backend",
        "re": "re",
        "sys": "sys",
    }
    assert t.star_modules == ["keras.models"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import keras", True),
        ("import tensorflow as tf", True),
        ("from tf_keras import layers", False),
        ("import numpy", False),
        ("from keras.utils import np_utils", True),
    ],
)
def test_imports_keras(source, expected):
    assert table(source).imports_keras is expected


def test_foreign_receivers():
    t = table("import re\nimport keras\nfrom PIL import Image")
    assert t.is_foreign(cst.parse_expression("re"))
    assert t.is_foreign(cst.parse_expression("Image"))
    assert not t.is_foreign(cst.parse_expression("keras.models"))
    assert not t.is_foreign(cst.parse_expression("model"))
