"""Keras 2 `keras.layers`: tf-keras's layers plus the Keras 2 names that tf-keras dropped."""

from tf_keras.layers import *
from tf_keras.layers import Conv2DTranspose, Conv3DTranspose

# Keras 2 aliases that tf-keras no longer exports.
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose
