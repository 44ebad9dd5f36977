"""The command line: exit codes, reports, and file safety (spec migrate-rules §6.1–6.3)."""

import json
import os
import stat
import subprocess
import sys

import pytest

from compatkeras.migrate import cli, runner

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERAS2 = "import keras\nopt = keras.optimizers.Adam(lr=0.1)\n"
KERAS3 = "import keras\nopt = keras.optimizers.Adam(learning_rate=0.1)\n"


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


def test_inplace_rewrites_and_second_run_is_clean(tmp_path, capsys):
    f = write(tmp_path / "a.py", KERAS2)
    assert cli.main(["--inplace", f]) == 1
    assert (tmp_path / "a.py").read_text() == KERAS3
    assert cli.main(["--inplace", f]) == 0


def test_diff_is_the_default_and_writes_nothing(tmp_path, capsys):
    f = write(tmp_path / "a.py", KERAS2)
    assert cli.main([f]) == 1
    out = capsys.readouterr().out
    assert "-opt = keras.optimizers.Adam(lr=0.1)" in out
    assert "+opt = keras.optimizers.Adam(learning_rate=0.1)" in out
    assert (tmp_path / "a.py").read_text() == KERAS2


def test_check_writes_nothing_and_prints_no_diff(tmp_path, capsys):
    f = write(tmp_path / "a.py", KERAS2)
    assert cli.main(["--check", f]) == 1
    assert capsys.readouterr().out == ""
    assert (tmp_path / "a.py").read_text() == KERAS2
    clean = write(tmp_path / "b.py", KERAS3)
    assert cli.main(["--check", clean]) == 0


def test_syntax_error_file_is_untouched_and_exit_3(tmp_path, capsys):
    broken = b"import keras\nopt = keras.optimizers.Adam(lr=0.1\n"
    f = write(tmp_path / "broken.py", broken)
    good = write(tmp_path / "good.py", KERAS2)
    assert cli.main(["--inplace", str(tmp_path)]) == 3
    assert (tmp_path / "broken.py").read_bytes() == broken
    assert (tmp_path / "good.py").read_text() == KERAS3  # the others are still migrated
    assert f"{f}: ERROR: cannot parse" in capsys.readouterr().err
    assert good


def test_error_findings_exit_4_and_fail_on(tmp_path, capsys):
    f = write(tmp_path / "t.py", "import keras\nm.compile('sgd', 'mse', target_tensors=[y])\n")
    assert cli.main(["--check", f]) == 4
    info = write(tmp_path / "i.py", KERAS2)
    assert cli.main(["--check", info]) == 1
    assert cli.main(["--check", "--fail-on", "info", info]) == 4


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("crlf.py", b"import keras\r\nopt = keras.optimizers.Adam(lr=0.1)\r\n"),
        (
            "latin1.py",
            "# -*- coding: latin-1 -*-\nimport keras\n# caf\xe9\nopt = keras.optimizers.Adam(lr=0.1)\n".encode(
                "latin-1"
            ),
        ),
        ("bom.py", b"\xef\xbb\xbfimport keras\nopt = keras.optimizers.Adam(lr=0.1)\n"),
    ],
)
def test_encodings_and_newlines_are_kept(tmp_path, name, data):
    f = write(tmp_path / name, data)
    assert cli.main(["--inplace", f]) == 1
    expected = data.replace(b"(lr=", b"(learning_rate=")
    assert (tmp_path / name).read_bytes() == expected


def test_mode_bits_and_symlinks_are_kept(tmp_path):
    target = tmp_path / "real.py"
    write(target, KERAS2)
    os.chmod(target, 0o755)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    assert cli.main(["--inplace", str(link)]) == 1
    assert link.is_symlink()
    assert target.read_text() == KERAS3
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o755
    assert not [p for p in os.listdir(tmp_path) if "migrate-tmp" in p]


def test_json_report_to_file(tmp_path):
    f = write(tmp_path / "a.py", KERAS2)
    report = tmp_path / "report.json"
    cli.main(["--check", "--report-format", "json", "--reportfile", str(report), f])
    entries = json.loads(report.read_text())
    assert entries == [
        {
            "path": f,
            "line": 2,
            "col": 6,
            "level": "INFO",
            "rule": "KRS030",
            "message": "`lr` is `learning_rate` in Keras 3",
            "applied": True,
            "cell": None,
        }
    ]


def test_select_and_ignore(tmp_path):
    f = write(tmp_path / "a.py", KERAS2)
    assert cli.main(["--check", "--ignore", "KRS03", f]) == 0
    assert cli.main(["--check", "--select", "KRS001", f]) == 0
    assert cli.main(["--check", "--select", "KRS030", f]) == 1


def test_list_and_explain(capsys):
    assert cli.main(["--list-rules"]) == 0
    listing = capsys.readouterr().out
    for rule_id in ("KRS001", "KRS002", "KRS020", "KRS022", "KRS030", "KRS031", "KRS032"):
        assert rule_id in listing
    assert cli.main(["--explain", "krs031"]) == 0
    assert "InverseTimeDecay" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown rule"):
        cli.main(["--explain", "KRS999"])


def test_no_path_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2


def test_tool_imports_neither_tensorflow_nor_keras(tmp_path):
    f = write(tmp_path / "a.py", KERAS2)
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['migrate.py', '--check', {f!r}]\n"
        "try:\n"
        f"    runpy.run_path({os.path.join(ROOT, 'tools', 'migrate.py')!r}, run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 1, e.code\n"
        "loaded = [m for m in ('tensorflow', 'keras', 'tf_keras') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_console_script_is_installed():
    script = os.path.join(os.path.dirname(sys.executable), "compatkeras-migrate")
    proc = subprocess.run([script, "--list-rules"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "KRS001" in proc.stdout


def test_jobs_give_the_same_results_as_one_process(tmp_path, capsys):
    for i in range(12):
        write(tmp_path / f"m{i}.py", KERAS2 if i % 3 else "import os\n")
    assert cli.main(["--check", "-j", "1", str(tmp_path)]) == 1
    serial = capsys.readouterr().err
    assert cli.main(["--check", "-j", "2", str(tmp_path)]) == 1
    assert capsys.readouterr().err == serial
    assert "8 changed" in serial


def test_check_counts_the_files_a_rewrite_changes_without_writing_them(tmp_path, capsys):
    # `--check` never generates the new code: its count must still be the files that change.
    for i in range(6):
        write(tmp_path / f"m{i}.py", KERAS2 if i % 2 else "import keras\nx = 1\n")
    for jobs in ("1", "2"):
        assert cli.main(["--check", "-j", jobs, str(tmp_path)]) == 1
        assert "3 changed" in capsys.readouterr().err
    outcomes = runner.migrate_files(sorted(str(p) for p in tmp_path.iterdir()))
    assert sum(o.new != o.old for o in outcomes) == 3


def test_jobs_must_be_positive():
    with pytest.raises(SystemExit) as exc:
        cli.main(["-j", "0", "x.py"])
    assert exc.value.code == 2


def test_stdin_to_stdout(monkeypatch, capfdbinary):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(KERAS2.encode())))
    assert cli.main(["-"]) == 1
    out, err = capfdbinary.readouterr()
    assert out.decode() == KERAS3
    assert b"KRS030" in err


def test_infile_outfile(tmp_path, capsys):
    src = write(tmp_path / "a.py", KERAS2)
    os.chmod(src, 0o751)
    out = str(tmp_path / "b.py")
    assert cli.main(["--infile", src, "--outfile", out]) == 1
    assert (tmp_path / "b.py").read_text() == KERAS3
    assert (tmp_path / "a.py").read_text() == KERAS2
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o751


def test_infile_with_a_syntax_error_writes_nothing(tmp_path, capsys):
    src = write(tmp_path / "a.py", "import keras\ndef broken(:\n")
    out = tmp_path / "b.py"
    assert cli.main(["--infile", src, "--outfile", str(out)]) == 3
    assert not out.exists()


def test_usage_errors():
    for argv in (["--intree", "x"], ["--outfile", "y"], ["a.py", "--infile", "b.py"]):
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        assert exc.value.code == 2


def _tree(root):
    (root / "pkg").mkdir(parents=True)
    write(root / "pkg" / "train.py", KERAS2)
    write(root / "pkg" / "plain.py", "x = 1\n")
    write(root / "pkg" / "broken.py", "import keras\ndef f(:\n")
    write(root / "data.csv", "a,b\n1,2\n")
    os.chmod(root / "pkg" / "train.py", 0o755)
    os.symlink("pkg/train.py", root / "link.py")
    return root


def test_intree_outtree(tmp_path, capsys):
    src = _tree(tmp_path / "src")
    out = tmp_path / "out"
    assert cli.main(["--intree", str(src), "--outtree", str(out), "-j", "1"]) == 3  # broken.py
    assert (out / "pkg" / "train.py").read_text() == KERAS3
    assert stat.S_IMODE(os.stat(out / "pkg" / "train.py").st_mode) == 0o755
    assert (out / "pkg" / "plain.py").read_text() == "x = 1\n"
    assert (out / "pkg" / "broken.py").read_text() == "import keras\ndef f(:\n"  # copied unchanged
    assert (out / "data.csv").read_text() == "a,b\n1,2\n"
    assert os.readlink(out / "link.py") == "pkg/train.py"
    assert (src / "pkg" / "train.py").read_text() == KERAS2  # the source tree is untouched
    assert "broken.py: ERROR: cannot parse" in capsys.readouterr().err


def test_copyotherfiles_is_a_real_boolean(tmp_path, capsys):
    src = _tree(tmp_path / "src")
    for flag in (["--copyotherfiles", "False"], ["--no-copyotherfiles"]):
        out = tmp_path / f"out{len(flag)}"
        cli.main(["--intree", str(src), "--outtree", str(out), *flag])
        assert not (out / "data.csv").exists()
        assert (out / "pkg" / "train.py").read_text() == KERAS3
    with pytest.raises(SystemExit) as exc:
        cli.main(
            ["--intree", str(src), "--outtree", str(tmp_path / "x"), "--copyotherfiles", "maybe"]
        )
    assert exc.value.code == 2


def test_outtree_must_be_empty_unless_forced(tmp_path, capsys):
    src = _tree(tmp_path / "src")
    out = tmp_path / "out"
    out.mkdir()
    write(out / "keep.txt", "mine")
    with pytest.raises(SystemExit) as exc:
        cli.main(["--intree", str(src), "--outtree", str(out)])
    assert "not empty" in str(exc.value)
    assert sorted(os.listdir(out)) == ["keep.txt"]
    cli.main(["--intree", str(src), "--outtree", str(out), "--force"])
    assert (out / "keep.txt").read_text() == "mine" and (out / "pkg" / "train.py").exists()
    with pytest.raises(SystemExit):
        cli.main(["--intree", str(src), "--outtree", str(src / "pkg" / "inner")])


def test_progress_line_only_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert cli._progress(10) is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    done = cli._progress(2)
    done(1)
    done(2)
    assert capsys.readouterr().err == "\rmigrate: 1/2 files\rmigrate: 2/2 files\n"


def test_pre_commit_hook_definition():
    text = open(os.path.join(ROOT, ".pre-commit-hooks.yaml")).read()
    assert "id: compatkeras-migrate" in text
    assert "entry: compatkeras-migrate --check" in text
    assert "types_or: [python, jupyter]" in text
