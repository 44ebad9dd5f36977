"""Keras 2 `keras.wrappers`. Its only module, `scikit_learn`, is gone from tf-keras."""
