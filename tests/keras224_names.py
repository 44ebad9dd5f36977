"""The public names of Keras 2.2.4's modules that Keras 2 programs import, module by module (read
from Keras 2.2.4's `__init__.py` files and module `__all__`-less public functions). Used by
test_legacy_namespace.py: every one must resolve under the drop-in."""

BACKEND = """
epsilon set_epsilon floatx set_floatx cast_to_floatx image_data_format set_image_data_format
image_dim_ordering set_image_dim_ordering normalize_data_format get_uid reset_uids clear_session
manual_variable_initialization learning_phase set_learning_phase get_session set_session
is_sparse to_dense variable constant is_keras_tensor is_tensor placeholder is_placeholder shape
int_shape ndim dtype eval zeros ones eye zeros_like ones_like identity random_uniform_variable
random_normal_variable count_params cast update update_add update_sub moving_average_update dot
batch_dot transpose gather max min sum prod cumsum cumprod var std mean any all argmax argmin
square abs sqrt exp log logsumexp round sign pow clip equal not_equal greater greater_equal less
less_equal maximum minimum sin cos normalize_batch_in_training batch_normalization concatenate
reshape permute_dimensions resize_images resize_volumes repeat_elements repeat arange tile
flatten batch_flatten expand_dims squeeze temporal_padding spatial_2d_padding
spatial_3d_padding stack one_hot reverse slice get_value batch_get_value batch_set_value
set_value get_variable_shape print_tensor function gradients stop_gradient rnn switch
in_train_phase in_test_phase relu elu softmax softplus softsign categorical_crossentropy
sparse_categorical_crossentropy binary_crossentropy sigmoid hard_sigmoid tanh dropout
l2_normalize in_top_k conv1d conv2d conv2d_transpose separable_conv1d separable_conv2d
depthwise_conv2d conv3d conv3d_transpose pool2d pool3d bias_add random_normal random_uniform
random_binomial truncated_normal ctc_label_dense_to_sparse ctc_batch_cost ctc_decode map_fn
foldl foldr local_conv1d local_conv2d backend name_scope tf control_flow_ops
"""

LAYERS = """
Layer InputSpec Input InputLayer Add Subtract Multiply Average Maximum Minimum Concatenate Dot
add subtract multiply average maximum minimum concatenate dot Masking Dropout SpatialDropout1D
SpatialDropout2D SpatialDropout3D Activation Reshape Permute Flatten RepeatVector Lambda Dense
ActivityRegularization Conv1D Conv2D SeparableConv1D SeparableConv2D DepthwiseConv2D
Conv2DTranspose Conv3D Conv3DTranspose Cropping1D Cropping2D Cropping3D UpSampling1D
UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D Convolution1D Convolution2D
Convolution3D SeparableConvolution1D SeparableConvolution2D Deconvolution2D Deconvolution3D
Deconv2D Deconv3D MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D
AveragePooling3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D MaxPool1D MaxPool2D
MaxPool3D AvgPool1D AvgPool2D AvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D
GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D LocallyConnected1D LocallyConnected2D RNN
SimpleRNN GRU LSTM SimpleRNNCell GRUCell LSTMCell StackedRNNCells CuDNNGRU CuDNNLSTM
BatchNormalization Embedding GaussianNoise GaussianDropout AlphaDropout LeakyReLU PReLU ELU
ThresholdedReLU Softmax ReLU Wrapper TimeDistributed Bidirectional ConvLSTM2D serialize
deserialize Merge merge MaxoutDense Highway AtrousConvolution1D AtrousConvolution2D Recurrent
ConvRecurrent2D
"""

MODELS = """
Model Sequential load_model save_model model_from_config model_from_json model_from_yaml
clone_model
"""

OPTIMIZERS = """
Optimizer SGD RMSprop Adagrad Adadelta Adam Adamax Nadam TFOptimizer sgd rmsprop adagrad adadelta
adam adamax nadam serialize deserialize get clip_norm
"""

CALLBACKS = """
Callback CallbackList BaseLogger TerminateOnNaN ProgbarLogger History ModelCheckpoint
EarlyStopping RemoteMonitor LearningRateScheduler TensorBoard ReduceLROnPlateau CSVLogger
LambdaCallback
"""

UTILS = """
CustomObjectScope custom_object_scope get_custom_objects serialize_keras_object
deserialize_keras_object Progbar HDF5Matrix get_file Sequence OrderedEnqueuer GeneratorEnqueuer
SequenceEnqueuer convert_all_kernels_in_model get_source_inputs print_summary plot_model
to_categorical normalize multi_gpu_model np_utils generic_utils data_utils io_utils layer_utils
vis_utils conv_utils
"""

IMAGE = """
ImageDataGenerator Iterator NumpyArrayIterator DirectoryIterator array_to_img img_to_array
load_img save_img random_rotation random_shift random_shear random_zoom random_channel_shift
random_brightness flip_axis transform_matrix_offset_center apply_affine_transform
apply_channel_shift apply_brightness_shift list_pictures
"""

SEQUENCE = "pad_sequences make_sampling_table skipgrams TimeseriesGenerator"

TEXT = "text_to_word_sequence one_hot hashing_trick Tokenizer"

LEGACY = "interfaces layers"

MODULES = {
    "keras.backend": BACKEND,
    "keras.layers": LAYERS,
    "keras.models": MODELS,
    "keras.optimizers": OPTIMIZERS,
    "keras.callbacks": CALLBACKS,
    "keras.utils": UTILS,
    "keras.preprocessing.image": IMAGE,
    "keras.preprocessing.sequence": SEQUENCE,
    "keras.preprocessing.text": TEXT,
    "keras.legacy": LEGACY,
}

NAMES = [(module, name) for module, text in MODULES.items() for name in text.split()]
