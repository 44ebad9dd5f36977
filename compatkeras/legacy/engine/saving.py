"""Keras 2 `keras.engine.saving`: saving and loading, and tf-keras's HDF5 weight conversions
(`preprocess_weights_for_loading`, which turns Keras 1, Theano and CuDNN weight layouts into the
layer's own)."""

from tf_keras.src.saving.legacy.hdf5_format import (
    load_attributes_from_hdf5_group,
    load_weights_from_hdf5_group,
    load_weights_from_hdf5_group_by_name,
    preprocess_weights_for_loading,
    save_attributes_to_hdf5_group,
    save_weights_to_hdf5_group,
)

from compatkeras.legacy.models import (
    load_model,
    model_from_config,
    model_from_json,
    model_from_yaml,
    save_model,
)
