"""Train on the GPU layer, save the weights, reload them by name into the CPU model to serve."""
import numpy as np

from model import build

TIMESTEPS, FEATURES = 8, 3

x = np.random.rand(48, TIMESTEPS, FEATURES).astype("float32")
y = x[:, -4:, 0].sum(axis=1, keepdims=True)

trainer = build(TIMESTEPS, FEATURES, for_training=True)
trainer.compile(optimizer="adam", loss="mse")
trainer.fit(x, y, batch_size=16, epochs=2, verbose=2)
trainer.save_weights("encoder_weights.h5")

server = build(TIMESTEPS, FEATURES, for_training=False)
server.load_weights("encoder_weights.h5", by_name=True)
print("served", server.predict(x[:4]).ravel())
