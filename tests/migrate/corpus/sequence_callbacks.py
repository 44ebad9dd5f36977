"""An image classifier on a keras.utils.Sequence with checkpoints and LR callbacks."""
import math
import os
import tempfile

import numpy as np
from keras.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, CSVLogger
from keras.layers import Conv2D, Dense, GlobalAveragePooling2D
from keras.models import Sequential
from keras.optimizers import SGD
from keras.utils import Sequence, to_categorical


class ImageBatches(Sequence):
    def __init__(self, images, labels, batch_size):
        self.images, self.labels = images, labels
        self.batch_size = batch_size

    def __len__(self):
        return int(math.ceil(len(self.images) / float(self.batch_size)))

    def __getitem__(self, idx):
        sl = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.images[sl], self.labels[sl]


images = np.random.rand(48, 16, 16, 3).astype("float32")
labels = to_categorical(np.random.randint(0, 3, 48), 3)
train = ImageBatches(images[:32], labels[:32], 8)
valid = ImageBatches(images[32:], labels[32:], 8)

model = Sequential([
    Conv2D(8, 3, activation="relu", input_shape=(16, 16, 3)),
    GlobalAveragePooling2D(),
    Dense(3, activation="softmax"),
])
model.compile(SGD(lr=0.01, momentum=0.9, nesterov=True), "categorical_crossentropy",
              ["accuracy"])

run_dir = tempfile.mkdtemp()
callbacks = [
    ModelCheckpoint(os.path.join(run_dir, "weights.{epoch:02d}-{val_loss:.2f}.hdf5"),
                    monitor="val_acc", save_best_only=True, save_weights_only=True),
    EarlyStopping(monitor="val_loss", patience=3),
    ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, epsilon=1e-4),
    CSVLogger(os.path.join(run_dir, "log.csv")),
]
model.fit_generator(train, steps_per_epoch=len(train), epochs=2, validation_data=valid,
                    validation_steps=len(valid), callbacks=callbacks, workers=2,
                    use_multiprocessing=False, max_queue_size=4)
print(sorted(os.listdir(run_dir)))
