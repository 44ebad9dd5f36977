"""Sequence tagging with padded batches, Keras 2 style (circa 2018).

A bidirectional LSTM tags every token of variable-length "sentences". Batches are padded to
MAXLEN and padding is kept out of the loss with 2-D sample weights
(`sample_weight_mode="temporal"`); data comes from a `keras.utils.Sequence` fed to
`fit_generator` by worker processes. The corpus is synthetic: a token's tag depends on the token
and its left neighbour, so the model has something to learn.

Run it unchanged on TensorFlow 2.16+ with:  python -m compatkeras examples/pos_tagger.py
"""

from __future__ import print_function

import argparse

import numpy as np

import keras
from keras import backend as K
from keras.callbacks import EarlyStopping
from keras.layers import LSTM, Bidirectional, Dense, Embedding, TimeDistributed
from keras.models import Sequential
from keras.optimizers import Adam
from keras.preprocessing.sequence import pad_sequences
from keras.utils import Sequence
from keras.utils.np_utils import to_categorical

VOCAB = 60
N_TAGS = 5
MAXLEN = 16


def make_corpus(n_sentences, seed):
    rng = np.random.RandomState(seed)
    sentences, tags = [], []
    for _ in range(n_sentences):
        length = rng.randint(4, MAXLEN + 1)
        tokens = rng.randint(1, VOCAB, size=length)
        previous = np.concatenate([[0], tokens[:-1]])
        sentences.append(tokens)
        tags.append((tokens + (previous > VOCAB // 2)) % N_TAGS)
    return sentences, tags


class TaggingSequence(Sequence):
    """Pads each batch and weights real tokens 1, padding 0."""

    def __init__(self, sentences, tags, batch_size):
        self.sentences, self.tags, self.batch_size = sentences, tags, batch_size

    def __len__(self):
        return int(np.ceil(len(self.sentences) / float(self.batch_size)))

    def __getitem__(self, idx):
        batch = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        x = pad_sequences(self.sentences[batch], maxlen=MAXLEN, padding="post")
        tags = pad_sequences(self.tags[batch], maxlen=MAXLEN, padding="post")
        y = to_categorical(tags, num_classes=N_TAGS)
        weights = (x > 0).astype("float32")
        return x, y, weights


def build_model():
    model = Sequential()
    model.add(Embedding(VOCAB, 32, input_length=MAXLEN))
    model.add(Bidirectional(LSTM(32, return_sequences=True)))
    model.add(TimeDistributed(Dense(N_TAGS, activation="softmax")))
    model.compile(
        optimizer=Adam(lr=0.01, decay=1e-4),
        loss="categorical_crossentropy",
        sample_weight_mode="temporal",
        metrics=["acc"],
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    np.random.seed(1)
    train = TaggingSequence(*make_corpus(960, seed=2), batch_size=32)
    val = TaggingSequence(*make_corpus(128, seed=3), batch_size=32)
    test = TaggingSequence(*make_corpus(128, seed=4), batch_size=32)

    model = build_model()
    model.summary()
    history = model.fit_generator(
        train,
        steps_per_epoch=len(train),
        epochs=args.epochs,
        validation_data=val,
        validation_steps=len(val),
        callbacks=[EarlyStopping(monitor="val_loss", patience=2)],
        workers=args.workers,
        use_multiprocessing=True,
        max_queue_size=10,
    )
    print("history keys:", sorted(history.history))

    loss, acc = model.evaluate_generator(test, steps=len(test), workers=args.workers)
    probabilities = model.predict_generator(test, steps=len(test), workers=args.workers)
    x_test = np.concatenate([test[i][0] for i in range(len(test))])
    y_test = np.concatenate([test[i][1] for i in range(len(test))])
    real = x_test > 0
    token_acc = np.mean(probabilities.argmax(-1)[real] == y_test.argmax(-1)[real])
    print("test loss %.4f  acc %.4f  accuracy on real tokens %.4f" % (loss, acc, token_acc))
    print("learning rate now %.6f" % K.get_value(model.optimizer.lr))
    print("keras namespace:", keras.__name__)


if __name__ == "__main__":
    main()
