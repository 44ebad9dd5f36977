"""Sentiment classification with an Embedding and pooling (after imdb_fasttext.py)."""
import numpy as np
from keras.preprocessing import sequence
from keras.models import Sequential
from keras.layers import Dense, Embedding, GlobalAveragePooling1D, SpatialDropout1D
from keras.callbacks import History

max_features = 200
maxlen = 20
batch_size = 8
embedding_dims = 8

x_train = [list(np.random.randint(1, max_features, np.random.randint(5, 30))) for _ in range(40)]
y_train = np.random.randint(0, 2, 40)
x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
print("x_train shape:", x_train.shape)

model = Sequential()
model.add(Embedding(max_features, embedding_dims, input_length=maxlen))
model.add(SpatialDropout1D(0.2))
model.add(GlobalAveragePooling1D())
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
history = History()
model.fit(x_train, y_train, batch_size=batch_size, epochs=2, validation_split=0.2,
          callbacks=[history])
print("acc per epoch", history.history["acc"])
probs = model.predict_proba(x_train[:3])
labels = model.predict_classes(x_train[:3])
print(probs.ravel(), labels.ravel())
