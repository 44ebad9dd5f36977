"""Keras 2 `keras.preprocessing.image`: tf-keras's, with the Keras 2.2.4 helpers it no longer
exports."""

import os as _os
import re as _re

from tf_keras.preprocessing.image import *
from tf_keras.src.preprocessing.image import flip_axis, transform_matrix_offset_center


def list_pictures(directory, ext="jpg|jpeg|bmp|png|ppm"):
    """Keras 2.2.4: the paths of the pictures below `directory` (recursively), by extension."""
    pattern = _re.compile(r"([\w]+\.(?:" + ext + "))")
    return [
        _os.path.join(root, f)
        for root, _, files in _os.walk(directory)
        for f in files
        if pattern.match(f.lower())
    ]
