"""The warm process: ``transcript-audit daemon`` and ``check --server``.

Fast tests drive the socket protocol with a daemon loop in a thread (no model);
the slow ones start the real daemon in a subprocess, load the model once and
check that its reports are byte for byte those of a run in a new process.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading

import pytest

from transcript_audit import __version__, warm

from .conftest import SAMPLES

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder / "transcript-audit"


def echo(message):
    return {"stdout": " ".join(message["argv"]), "stderr": message["cwd"], "code": 3}


@pytest.fixture
def thread_daemon(runtime):
    ready = threading.Event()
    thread = threading.Thread(target=warm.serve, args=(echo,), kwargs={"idle_timeout": 60, "on_ready": lambda _: ready.set()}, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield warm.socket_path()
    warm.request({"command": "stop"})
    thread.join(10)


def test_the_socket_lives_in_a_per_user_folder_of_the_runtime_dir(runtime):
    assert warm.socket_path() == runtime / f"daemon-{__version__}.sock"


def test_the_runtime_folder_falls_back_to_the_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("TRANSCRIPT_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    assert warm.runtime_dir() == tmp_path / "cache"


def test_a_request_is_answered_with_output_and_exit_code(thread_daemon):
    answer = warm.request({"argv": ["check", "a.yaml"], "cwd": "/somewhere"})
    assert (answer["stdout"], answer["stderr"], answer["code"]) == ("check a.yaml", "/somewhere", 3)


def test_only_the_owner_can_reach_the_socket(thread_daemon):
    assert stat.S_IMODE(thread_daemon.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(thread_daemon.stat().st_mode) == 0o600
    assert stat.S_ISSOCK(thread_daemon.stat().st_mode)


def test_a_group_readable_runtime_folder_is_made_private(runtime):
    runtime.mkdir(parents=True, mode=0o755)
    runtime.chmod(0o755)
    warm.private_folder(runtime)
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="Linux peer credentials")
def test_the_peer_uid_is_checked(thread_daemon):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(str(thread_daemon))
        assert warm._same_user(client)  # the peer of a socket of this process is this user


def test_without_a_daemon_the_client_gets_nothing(runtime):
    assert warm.request({"command": "ping"}) is None


def test_a_stale_socket_is_removed_and_the_daemon_starts(runtime):
    warm.private_folder(runtime)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(warm.socket_path()))
    stale.close()  # the file stays, nobody listens: a daemon killed with SIGKILL
    assert warm.request({"command": "ping"}) is None
    ready = threading.Event()
    thread = threading.Thread(target=warm.serve, args=(echo,), kwargs={"on_ready": lambda _: ready.set()}, daemon=True)
    thread.start()
    assert ready.wait(10)
    assert warm.request({"command": "ping"})["code"] == 0
    warm.request({"command": "stop"})
    thread.join(10)
    assert not warm.socket_path().exists()


def test_a_second_daemon_refuses_to_replace_a_live_one(thread_daemon):
    with pytest.raises(warm.WarmError, match="already listening"):
        warm.serve(echo, idle_timeout=1)


def test_the_daemon_exits_when_idle(runtime):
    warm.serve(echo, idle_timeout=0.2)
    assert not warm.socket_path().exists()


def test_a_bad_request_is_an_error_reply_not_a_dead_daemon(thread_daemon):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(str(thread_daemon))
        client.sendall(b"not json\n")
        client.shutdown(socket.SHUT_WR)
        assert b'"code": 2' in client.recv(65536)
    assert warm.request({"command": "ping"})["code"] == 0


def test_an_edited_pack_gets_a_new_auditor(tmp_path):
    pack = tmp_path / "acme.yaml"
    pack.write_text(_PACK, encoding="utf-8")
    from transcript_audit.engine import AuditOptions

    options = AuditOptions(rule_dirs=[pack], builtin_rules=False)
    pool = warm.AuditorPool()
    first = pool.auditor(options, None)
    assert pool.auditor(options, None) is first
    pack.write_text(_PACK.replace("rembourser", "dédommager"), encoding="utf-8")
    os.utime(pack, ns=(pack.stat().st_mtime_ns + 10**9,) * 2)
    assert pool.auditor(options, None) is not first


_PACK = """\
rules:
  - id: acme.no-refund
    category: promesse
    check: forbidden
    severity: warning
    speaker: agent
    message: "Pas de promesse de remboursement."
    rationale: "Une promesse que le service ne peut pas tenir."
    match:
      phrases: ["rembourser"]
    examples:
      flag: ["Nous allons vous rembourser."]
      pass: ["Nous étudions votre demande."]
"""


def run(arguments, env, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "transcript_audit", *arguments], env=env, cwd=cwd, capture_output=True, text=True, timeout=240, check=False
    )


@pytest.fixture
def isolated_env(tmp_path):
    run_dir = tmp_path / "run"
    return dict(os.environ, XDG_RUNTIME_DIR=str(run_dir), TRANSCRIPT_AUDIT_CACHE_DIR=str(tmp_path / "cache"), COLUMNS="100")


def test_check_server_without_a_daemon_runs_here_with_a_notice(isolated_env):
    arguments = ["check", str(SAMPLES), "--select", "no-such-rule", "-f", "json"]  # fails before loading the model
    direct, served = run(arguments, isolated_env), run([*arguments, "--server"], isolated_env)
    assert (served.stdout, served.returncode) == (direct.stdout, direct.returncode) == ("", 2)
    assert served.stderr == "note: no transcript-audit daemon answered; auditing in this process\n" + direct.stderr
    quiet = run([*arguments, "--server", "-q"], isolated_env)
    assert quiet.stderr == direct.stderr


# The real daemon, in a subprocess, for the module ------------------------------------------------


@pytest.fixture(scope="module")
def daemon_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("warm")
    env = dict(os.environ, XDG_RUNTIME_DIR=str(root / "run"), TRANSCRIPT_AUDIT_CACHE_DIR=str(root / "cache"), COLUMNS="100")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "transcript_audit", "daemon", "--idle-timeout", "600"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    path = root / "run" / "transcript-audit" / f"daemon-{__version__}.sock"
    assert warm.wait_for_daemon(path, timeout=60), process.stderr.read1().decode() if process.poll() is not None else "no socket"
    yield env
    run(["daemon", "--stop"], env)
    process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["rich", "json", "sarif"])
def test_the_daemon_reports_byte_for_byte_what_a_new_process_reports(daemon_env, output_format):
    arguments = ["check", str(SAMPLES), "-q", "-f", output_format]
    served = run([*arguments, "--server"], daemon_env)
    served_again = run([*arguments, "--server"], daemon_env)  # the pooled Auditor, the cache warm
    direct = run(arguments, daemon_env)
    assert served.stdout
    assert (served.stdout, served.returncode) == (direct.stdout, direct.returncode)
    assert (served_again.stdout, served_again.returncode) == (direct.stdout, direct.returncode)


@pytest.mark.slow
def test_the_daemon_runs_in_the_callers_folder_and_sees_an_edited_pack(daemon_env, tmp_path):
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "acme.yaml").write_text(_PACK, encoding="utf-8")
    (tmp_path / "reponses.yaml").write_text("reponses:\n  - titre: Remboursement\n    texte: Nous allons vous rembourser demain.\n", encoding="utf-8")
    arguments = ["check", "reponses.yaml", "--rules", "acme", "--no-builtin-rules", "-q", "-f", "json", "--no-cache"]
    first = run([*arguments, "--server"], daemon_env, cwd=tmp_path)
    assert first.returncode == 1 and '"rule": "acme.no-refund"' in first.stdout
    (tmp_path / "acme" / "acme.yaml").write_text(_PACK.replace('"rembourser"', '"dédommager"').replace("vous rembourser.", "vous dédommager."), encoding="utf-8")
    os.utime(tmp_path / "acme" / "acme.yaml", ns=((tmp_path / "acme" / "acme.yaml").stat().st_mtime_ns + 10**9,) * 2)
    second = run([*arguments, "--server"], daemon_env, cwd=tmp_path)
    direct = run(arguments, daemon_env, cwd=tmp_path)
    assert (second.stdout, second.returncode) == (direct.stdout, direct.returncode)
    assert second.returncode == 0 and '"rule": "acme.no-refund"' not in second.stdout
