"""A DQN agent library in the keras-rl style: the agent has its own `metrics_names`."""
import numpy as np
from keras.models import Sequential, clone_model
from keras.layers import Dense, Flatten
from keras.optimizers import Adam


class Agent(object):
    def __init__(self, nb_actions):
        self.nb_actions = nb_actions
        self.step = 0

    @property
    def metrics_names(self):
        return []

    def report(self, metrics):
        return dict(zip(self.metrics_names, metrics))


class DQNAgent(Agent):
    def __init__(self, model, nb_actions, gamma=0.99):
        super(DQNAgent, self).__init__(nb_actions)
        self.model = model
        self.gamma = gamma
        self.target_model = clone_model(model)
        self.target_model.set_weights(model.get_weights())

    def compile(self, optimizer, metrics=[]):
        self.model.compile(optimizer=optimizer, loss="mse", metrics=metrics)
        self.target_model.compile(optimizer="sgd", loss="mse")
        self.compiled = True

    @property
    def metrics_names(self):
        model_metrics = [name for idx, name in enumerate(self.model.metrics_names) if idx > 0]
        return ["loss"] + model_metrics + ["mean_q"]

    def backward(self, states, actions, rewards, next_states):
        q_next = self.target_model.predict_on_batch(next_states)
        targets = self.model.predict_on_batch(states)
        targets[np.arange(len(actions)), actions] = rewards + self.gamma * q_next.max(axis=1)
        loss = self.model.train_on_batch(states, targets)
        self.step += 1
        return [loss, float(targets.mean())]


model = Sequential()
model.add(Flatten(input_shape=(1, 4)))
model.add(Dense(16, activation="relu"))
model.add(Dense(2, activation="linear"))
dqn = DQNAgent(model=model, nb_actions=2)
dqn.compile(Adam(lr=1e-3))
for _ in range(3):
    s = np.random.rand(8, 1, 4)
    metrics = dqn.backward(s, np.random.randint(0, 2, 8), np.random.rand(8), s)
print(dqn.report(metrics))
print("agent metrics", dqn.metrics_names[:1])
