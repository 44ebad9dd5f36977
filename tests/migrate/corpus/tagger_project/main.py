"""Trains the tagger; this file never imports Keras itself."""
import numpy as np

import config
from layers import build_tagger


def sentences(n):
    words = np.random.randint(1, config.VOCAB, (n, config.MAXLEN))
    tags = np.eye(config.TAGS)[np.random.randint(0, config.TAGS, (n, config.MAXLEN))]
    return words, tags


def batches(words, tags):
    while True:
        for i in range(0, len(words), config.BATCH):
            yield words[i:i + config.BATCH], tags[i:i + config.BATCH]


tagger = build_tagger()
words, tags = sentences(32)
tagger.fit_generator(batches(words, tags), steps_per_epoch=4, epochs=1)
scores = tagger.evaluate(words, tags, verbose=0)
print(dict(zip(tagger.metrics_names, scores)))
predicted = tagger.predict_classes(words[:2])
print(predicted.shape)
tagger.save_weights("tagger_weights.h5")
