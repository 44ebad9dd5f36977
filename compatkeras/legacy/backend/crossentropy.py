"""`K.categorical_crossentropy`, `K.sparse_categorical_crossentropy`, `K.binary_crossentropy`:
tf-keras's, or under the "keras-2.2" flavor (when called) Keras 2.2.4's.

tf-keras (TV1 too) computes the loss of a softmax or sigmoid output from the logits that the
output layer kept (`_keras_logits`): a confidently wrong prediction costs its full logit
difference (60 for logits 30 and -30). Keras 2.2.4 always worked on the probabilities, clipped
to [epsilon, 1 - epsilon]: the same prediction costs -log(1e-7) = 16.12 and passes no gradient
back. Training that reaches saturated predictions follows different numbers; the "keras-2.2"
flavor promises 2.2.4's.
"""

import tensorflow as tf
from tf_keras import backend as _K

from compatkeras.legacy import flavors


def keras22_applies(*extra):
    """Whether 2.2.4's formula applies: the "keras-2.2" flavor, and none of `extra` (arguments
    2.2.4 did not have) is set."""
    return flavors.is_keras22() and not any(extra)


def _epsilon(output):
    return tf.constant(_K.epsilon(), output.dtype)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not keras22_applies() or axis != -1:
        return _K.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)
    return categorical_224(target, output, from_logits)


def categorical_224(target, output, from_logits=False):
    output = tf.convert_to_tensor(output)
    target = tf.cast(target, output.dtype)
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output)
    output = output / tf.reduce_sum(output, -1, keepdims=True)
    output = tf.clip_by_value(output, _epsilon(output), 1.0 - _epsilon(output))
    return -tf.reduce_sum(target * tf.math.log(output), -1)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if not keras22_applies() or axis != -1:
        return _K.sparse_categorical_crossentropy(
            target, output, from_logits=from_logits, axis=axis
        )
    return sparse_categorical_224(target, output, from_logits)


def sparse_categorical_224(target, output, from_logits=False):
    output = tf.convert_to_tensor(output)
    if not from_logits:
        output = tf.math.log(tf.clip_by_value(output, _epsilon(output), 1 - _epsilon(output)))
    shape = tf.shape(output)
    labels = tf.cast(tf.reshape(target, [-1]), tf.int64)
    logits = tf.reshape(output, [-1, shape[-1]])
    values = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return tf.reshape(values, shape[:-1])


def binary_crossentropy(target, output, from_logits=False):
    if not keras22_applies():
        return _K.binary_crossentropy(target, output, from_logits=from_logits)
    return binary_224(target, output, from_logits)


def binary_224(target, output, from_logits=False):
    output = tf.convert_to_tensor(output)
    target = tf.cast(target, output.dtype)
    if not from_logits:
        output = tf.clip_by_value(output, _epsilon(output), 1 - _epsilon(output))
        output = tf.math.log(output / (1 - output))
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
