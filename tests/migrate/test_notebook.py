"""Notebooks (spec migrate-rules §6.4): per-cell migration, magics, layout kept."""

import json

from compatkeras.migrate import cli
from compatkeras.migrate.runner import migrate_file


def notebook(cells, indent=1):
    nb = {
        "cells": [
            {
                "cell_type": kind,
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            if kind == "code"
            else {"cell_type": kind, "metadata": {}, "source": source}
            for kind, source in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 — ü"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=indent, ensure_ascii=False) + "\n"


CELLS = [
    ("markdown", ["# Training — a Keras 2 notebook\n"]),
    ("code", ["%matplotlib inline\n", "import keras\n", "from keras import backend as K\n"]),
    (
        "code",
        [
            "model.compile(keras.optimizers.Adam(lr=0.01), 'mean_squared_error')\n",
            "!nvidia-smi\n",
            "files = !ls\n",
            "for i in range(2):\n",
            "    %time model.fit_generator(gen, 10, workers=2)\n",
            "model.fit?",
        ],
    ),
    ("code", ["%%bash\n", "echo model.fit_generator(x)\n"]),
    ("code", ["def broken(:\n"]),
    ("code", "%%time\nh = model.fit_generator(gen, steps_per_epoch=3)\ny = K.sum(x)\n"),
]


def test_cells_are_migrated_with_the_notebooks_imports(tmp_path):
    path = tmp_path / "train.ipynb"
    raw = notebook(CELLS)
    path.write_text(raw, encoding="utf-8")
    outcome = migrate_file(str(path))
    new = json.loads(outcome.new)
    old = json.loads(raw)
    assert new["cells"][2]["source"] == [
        "model.compile(keras.optimizers.Adam(learning_rate=0.01), 'mean_squared_error')\n",
        "!nvidia-smi\n",
        "files = !ls\n",
        "for i in range(2):\n",
        "    %time model.fit_generator(gen, 10, workers=2)\n",
        "model.fit?",
    ]
    # a %%bash cell is not Python; a broken cell is reported by index and left alone
    assert new["cells"][3] == old["cells"][3] and new["cells"][4] == old["cells"][4]
    assert outcome.problems == ["cell 4: cannot parse: " + outcome.problems[0].split(": ", 2)[2]]
    # a %%time cell is Python below its first line; `K` comes from cell 1
    assert new["cells"][5]["source"] == (
        "%%time\nfrom keras import ops\nh = model.fit(gen, steps_per_epoch=3)\ny = ops.sum(x)\n"
    )
    # only the changed sources differ: the rest of the JSON is byte-identical
    old["cells"][2]["source"] = new["cells"][2]["source"]
    old["cells"][5]["source"] = new["cells"][5]["source"]
    assert outcome.new.decode() == json.dumps(old, indent=1, ensure_ascii=False) + "\n"
    assert {(f.cell, f.rule) for f in outcome.findings} >= {
        (2, "KRS030"),
        (5, "KRS001"),
        (5, "KRS090"),
    }


def test_magic_lines_inside_blocks_are_masked_at_their_indentation(tmp_path):
    path = tmp_path / "m.ipynb"
    path.write_text(
        notebook(
            [("code", ["import keras\n", "if True:\n", "    !ls\n", "    m.fit(x, nb_epoch=2)\n"])],
            indent=2,
        )
    )
    outcome = migrate_file(str(path))
    assert json.loads(outcome.new)["cells"][0]["source"] == [
        "import keras\n",
        "if True:\n",
        "    !ls\n",
        "    m.fit(x, epochs=2)\n",
    ]
    assert outcome.new.decode().startswith('{\n  "cells"')  # indent 2 kept


def test_cli_reports_cells_and_exit_3_for_a_bad_cell(tmp_path, capsys):
    path = tmp_path / "n.ipynb"
    path.write_text(notebook(CELLS), encoding="utf-8")
    assert cli.main(["--inplace", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert f"{path}:cell 2:1:" in err and "KRS030" in err
    assert f"{path}: ERROR: cell 4: cannot parse" in err
    assert "learning_rate=0.01" in path.read_text(encoding="utf-8")
    assert cli.main(["--no-ipynb", "--check", str(tmp_path)]) == 0


def test_a_layout_that_cannot_be_reproduced_is_not_rewritten(tmp_path):
    path = tmp_path / "odd.ipynb"
    raw = notebook([("code", ["import keras\n", "m.fit(x, nb_epoch=2)\n"])]).replace(
        '"cells": [', '"cells":   ['
    )
    path.write_text(raw)
    outcome = migrate_file(str(path))
    assert outcome.new == outcome.old and not outcome.changed
    assert outcome.problems == ["the notebook's JSON layout cannot be reproduced: not rewritten"]
    assert [f.rule for f in outcome.findings] == ["KRS005"]


def test_notebooks_are_idempotent(tmp_path):
    path = tmp_path / "train.ipynb"
    path.write_text(notebook(CELLS), encoding="utf-8")
    first = migrate_file(str(path))
    path.write_bytes(first.new)
    assert migrate_file(str(path)).new == first.new
