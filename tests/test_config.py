"""The generated SECRET_KEY: made once, privately, whatever starts at the same time."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outreach import create_app
from outreach.config import instance_secret

ROOT = Path(__file__).resolve().parents[1]

# Each process waits for a byte on its standard input; all get theirs within microseconds.
# The old code's window (exists? then write, then chmod) is microseconds on a local disk, so on
# a 2-core machine this race catches it only now and then; the new code has no window at all.
RACER = """
import os, sys
from pathlib import Path
from outreach.config import instance_secret
os.umask(0)  # the most permissive umask: the file must still be private
sys.stdin.read(1)  # blocked until the start signal, without using the CPU
print(instance_secret(Path(sys.argv[1])))
"""


def test_twenty_processes_starting_at_once_all_get_the_same_private_key(tmp_path: Path) -> None:
    key_file = tmp_path / "instance" / "secret_key"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(key_file)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(20)
    ]
    time.sleep(1.5)  # let every interpreter start and wait for its byte
    for racer in racers:
        assert racer.stdin is not None
        racer.stdin.write("g")
        racer.stdin.flush()
    keys = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        keys.append(out.strip())
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
    assert keys[0] == key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"], "no temp files"


def test_a_key_file_left_readable_by_an_older_version_is_made_private(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text("an old key, written then chmod'ed")
    key_file.chmod(0o644)
    assert instance_secret(key_file) == "an old key, written then chmod'ed"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY has 9 bytes; at least 32"):
        create_app({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "too short"})
    create_app({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "k" * 32})
    create_app({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "short", "TESTING": True})
    create_app({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "short", "DEBUG": True})
