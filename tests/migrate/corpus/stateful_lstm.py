"""A stateful LSTM that learns a moving average of a noisy signal (after stateful_lstm.py)."""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, LSTM

input_len = 64
tsteps = 2
lahead = 1
batch_size = 1
epochs = 2


def gen_uniform_amp(amp=1, xn=10000):
    data_input = np.random.uniform(-1 * amp, +1 * amp, xn)
    return data_input.reshape(-1, 1)


data_input = gen_uniform_amp(amp=0.1, xn=input_len + tsteps)
expected = np.array([data_input[i:i + tsteps].mean() for i in range(input_len)])
x = np.stack([data_input[i:i + tsteps] for i in range(input_len)])
y = expected.reshape(-1, 1)

print("Creating Stateful Model...")
model = Sequential()
model.add(LSTM(20,
               input_shape=(tsteps, 1),
               batch_size=batch_size,
               return_sequences=False,
               stateful=True))
model.add(Dense(1))
model.compile(loss="mse", optimizer="adam")

for i in range(epochs):
    print("Epoch", i + 1, "/", epochs)
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    model.reset_states()

other = Sequential()
other.add(LSTM(8, batch_input_shape=(batch_size, tsteps, 1), stateful=True,
               return_sequences=True))
other.add(LSTM(4, stateful=True))
other.add(Dense(1))
other.compile(loss="mae", optimizer="rmsprop")
for i in range(input_len):
    other.train_on_batch(x[i:i + 1], y[i:i + 1])
other.reset_states()

predicted = model.predict(x, batch_size=batch_size)
print("mean abs error", float(np.mean(np.abs(predicted - y))))
