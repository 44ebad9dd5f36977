"""KRS116: an unseeded initializer kept in a name is seeded with a `keras.random.SeedGenerator`,
so that it draws new values at every call on Keras 3 as it did on Keras 2 (checked on Keras 3:
without the rewrite two layers sharing it start identical)."""

import subprocess
import sys

from tables import table_tests

FIXES = [
    (
        "from keras.initializers import RandomNormal\nconv_init = RandomNormal(0, 0.02)\n",
        "from keras.initializers import RandomNormal\nimport keras\n"
        "conv_init = RandomNormal(0, 0.02, seed=keras.random.SeedGenerator())\n",
    ),
    (
        "import keras\ninit = keras.initializers.glorot_uniform()\n",
        "import keras\ninit = keras.initializers.glorot_uniform(seed=keras.random.SeedGenerator())\n",
    ),
    (
        "from tensorflow import keras\ng = keras.initializers.VarianceScaling(2.0, 'fan_in', 'normal')\n",
        "from tensorflow import keras\n"
        "g = keras.initializers.VarianceScaling(2.0, 'fan_in', 'normal', "
        "seed=keras.random.SeedGenerator())\n",
    ),
    (
        "from keras import initializers\ndef build():\n    o = initializers.Orthogonal(gain=1.0)\n",
        "from keras import initializers\nimport keras\ndef build():\n"
        "    o = initializers.Orthogonal(gain=1.0, seed=keras.random.SeedGenerator())\n",
    ),
]

NOOPS = [
    # seeded, by keyword or position: Keras 2 repeated those values too
    "from keras.initializers import RandomNormal\ninit = RandomNormal(0, 0.02, 3)\n",
    "from keras.initializers import RandomNormal\ninit = RandomNormal(seed=1)\n",
    "import keras\ninit = keras.initializers.he_normal(7)\n",
    # made inline: one layer each
    "import keras\nd = keras.layers.Dense(3, kernel_initializer=keras.initializers.RandomNormal())\n",
    # not random, or not Keras
    "import keras\ninit = keras.initializers.Constant(0.5)\n",
    "import numpy as np\nx = np.random.normal(0, 1)\n",
    "import keras\ninit = keras.initializers.RandomNormal(*args)\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)

_SHARED = """
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import numpy as np
import keras
from keras.initializers import RandomNormal
conv_init = RandomNormal(0, 0.02{seed})
a = keras.layers.Dense(4, kernel_initializer=conv_init)
b = keras.layers.Dense(4, kernel_initializer=conv_init)
a.build((None, 4))
b.build((None, 4))
print(np.allclose(a.kernel.numpy(), b.kernel.numpy()))
"""


def test_on_keras_3_the_rewrite_gives_each_layer_new_values(fix):
    before = _SHARED.format(seed="")
    after = fix(before)
    assert "seed=keras.random.SeedGenerator()" in after

    def identical(source):
        out = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.strip().splitlines()[-1]

    assert identical(before) == "True"  # Keras 3 repeats an unseeded initializer's values
    assert identical(after) == "False"
