from tables import table_tests

FIXES = [
    (  # KRS040 + KRS041 + KRS042
        "import keras\n\n"
        "class Batches(keras.utils.Sequence):\n"
        '    """Docs."""\n'
        "    def __init__(self, x, batch_size=32):\n"
        "        self.x = x\n\n"
        "model.fit_generator(Batches(x), 10, workers=4, use_multiprocessing=True)\n",
        "import keras\n\n"
        "class Batches(keras.utils.PyDataset):\n"
        '    """Docs."""\n'
        "    def __init__(self, x, batch_size=32, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.x = x\n\n"
        "model.fit(Batches(x, workers=4, use_multiprocessing=True), steps_per_epoch=10)\n",
    ),
    (  # no __init__: PyDataset's own takes the options; Keras 1 names mapped
        "from keras.utils import Sequence\nclass S(Sequence):\n    def __len__(self):\n        return 1\n"
        "model.fit_generator(S(), nb_worker=2, pickle_safe=True)\n",
        "from keras.utils import Sequence\nclass S(Sequence):\n    def __len__(self):\n        return 1\n"
        "model.fit(S(workers=2, use_multiprocessing=True))\n",
    ),
    (  # a dataset held in a variable: the options are dropped (KRS002)
        "from keras.utils import Sequence\nclass S(Sequence):\n    pass\nseq = S()\nmodel.fit(seq, workers=2)\n",
        "from keras.utils import Sequence\nclass S(Sequence):\n    pass\nseq = S()\nmodel.fit(seq)\n",
    ),
]

NOOPS = [
    # already forwarding
    "import keras\nclass S(keras.utils.PyDataset):\n    def __init__(self, x, **kwargs):\n"
    "        super().__init__(**kwargs)\n        self.x = x\n",
    # not a dataset
    "import keras\nclass S(object):\n    def __init__(self, x):\n        self.x = x\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


def test_init_calling_super_without_kwargs_is_reported(fix, findings):
    source = (
        "import keras\nclass S(keras.utils.PyDataset):\n    def __init__(self, x):\n"
        "        super().__init__()\n        self.x = x\n"
    )
    assert fix(source) == source.replace("keras.utils.PyDataset", "keras.utils.PyDataset")
    assert ("KRS041", False) in findings(source)
