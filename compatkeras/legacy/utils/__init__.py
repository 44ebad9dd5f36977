"""Keras 2 `keras.utils`."""

from tf_keras.utils import (
    CustomObjectScope,
    Progbar,
    Sequence,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_file,
    get_source_inputs,
    model_to_dot,
    normalize,
    pad_sequences,
    plot_model,
    serialize_keras_object,
    to_categorical,
)

from compatkeras.legacy import tf_keras_names
from compatkeras.legacy.utils import (
    conv_utils,
    data_utils,
    generic_utils,
    io_utils,
    layer_utils,
    np_utils,
    training_utils,
    vis_utils,
)
from compatkeras.legacy.utils.data_utils import (
    GeneratorEnqueuer,
    OrderedEnqueuer,
    SequenceEnqueuer,
)
from compatkeras.legacy.utils.io_utils import HDF5Matrix
from compatkeras.legacy.utils.layer_utils import convert_all_kernels_in_model, print_summary
from compatkeras.legacy.utils.training_utils import multi_gpu_model

__getattr__ = tf_keras_names.fallback(__name__, "tf_keras.utils")
