"""The engine's public contract (its package docstring): the surfaces import only the names it
lists and touch no engine-private attribute of a model."""

import ast
import pathlib

import compatkeras.engine

ROOT = pathlib.Path(compatkeras.engine.__file__).parent.parent
SURFACES = [p for d in ("legacy", "v3") for p in sorted((ROOT / d).rglob("*.py"))]

# Names the engine lists as its API, per module (the docstring says the same in prose).
PUBLIC = {
    "compatkeras.engine": {
        "config",
        "enqueuer",
        "loss_graph",
        "Model",
        "Runner",
        "Sequential",
        "rebuild_as",
    },
    "compatkeras.engine.model": {
        "CompileContainerStandIn",
        "Model",
        "Sequential",
        "rebuild_as",
        "with_loss_scaling",
    },
    "compatkeras.engine.config": None,  # every public name
    "compatkeras.engine.feeds": {"DatasetFeed", "PythonFeed", "INFINITE", "pull"},
    "compatkeras.engine.data": {
        "ArraySource",
        "Batch",
        "make_batches",
        "batch_shuffle",
        "is_sparse_matrix",
        "tensor_batch",
    },
    "compatkeras.engine.passes": {"DatasetPasses"},
    "compatkeras.engine.progress": {"BatchLogs"},
    "compatkeras.engine.losses": {"reduce_loss", "prepare"},
    "compatkeras.engine.loss_graph": {"trace", "live_value"},
    "compatkeras.engine.enqueuer": {"open_stream", "GeneratorEnqueuer"},
}
# Model attributes that belong to the engine's implementation.
PRIVATE_ATTRIBUTES = {
    "_train_config",
    "_steps",
    "_metric_state",
    "_predictor",
    "_run_feed",
    "_engine_spe",
    "_batch_logs",
    "_progress",
    "_engine_running",
}


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "compatkeras.engine"
        ):
            yield node.module, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("compatkeras.engine."):
                    yield alias.name, None, node.lineno


def test_there_are_surface_modules_to_check():
    assert len(SURFACES) > 20


def test_surfaces_import_only_the_engines_listed_names():
    wrong = []
    for path in SURFACES:
        for module, names, line in _imports(ast.parse(path.read_text())):
            if module not in PUBLIC:
                wrong.append(f"{path.name}:{line} imports {module}")
                continue
            allowed = PUBLIC[module]
            for name in names or []:
                if name.startswith("_") or (allowed is not None and name not in allowed):
                    wrong.append(f"{path.name}:{line} imports {module}.{name}")
    assert wrong == []


def test_surfaces_touch_no_engine_private_attribute():
    wrong = []
    for path in SURFACES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert wrong == []


def test_the_listed_engine_calls_exist():
    from compatkeras.engine.trainer import Trainer

    doc = compatkeras.engine.__doc__
    for name in (
        "_engine_compile",
        "_engine_compile_own",
        "_engine_own_steps",
        "_engine_reset",
        "_engine_compiled",
        "_engine_config",
        "_engine_jit_compile",
        "_engine_fit",
        "_engine_evaluate",
        "_engine_batch",
        "_engine_predict",
        "_engine_callbacks",
    ):
        assert hasattr(Trainer, name), name
        assert name in doc, name
