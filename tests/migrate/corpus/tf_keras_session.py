"""tf.keras 2.x code from the TF 1.x/2.x migration years: a session config, then a model."""
import numpy as np
import tensorflow as tf
from tensorflow.compat.v1.keras.backend import set_session
from tensorflow.keras import layers
from tensorflow.keras.callbacks import TensorBoard

config = tf.compat.v1.ConfigProto()
config.gpu_options.allow_growth = True
set_session(tf.compat.v1.Session(config=config))

model = tf.keras.Sequential([
    layers.Dense(16, activation="relu", input_shape=(10,)),
    layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=tf.keras.optimizers.Adam(lr=0.01),
              loss="sparse_categorical_crossentropy", metrics=["acc"])
x = np.random.rand(30, 10)
y = np.random.randint(0, 3, 30)
model.fit(x, y, epochs=1, callbacks=[TensorBoard(log_dir="logs", write_grads=True)])
model.save("exported_model")
