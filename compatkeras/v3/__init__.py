"""The Keras 3 surface (`compile(steps_per_execution=..., jit_compile="auto")`, `PyDataset`, ...).

Not built yet: issue 5 fills it in on top of `compatkeras.engine`.
"""
