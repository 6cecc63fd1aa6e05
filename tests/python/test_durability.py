"""Durability (R-8.4) through the Python face: journals that outlive forks and foreign files,
saves that destroy nothing, and one nesting bound for everything in the history (R-10.13)."""

from __future__ import annotations

import gc
import os
import pickle
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

import ssgm
from conftest import full_state


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_r8_4_a_forked_child_cannot_write_to_its_parents_journal(tmp_path: Path) -> None:
    """R-8.4: the journal's lock does not pass to a forked child, so the child may not write to
    it (io_error, nothing applied); the parent goes on as before."""
    path = tmp_path / "t.journal"
    t = ssgm.Tenant.open(path)
    t.add_user("parent@contoso.com")
    before = path.read_bytes()
    pid = os.fork()
    if pid == 0:  # the child: report what it saw in its exit status
        status = 1
        try:
            t.add_user("child@contoso.com")
        except ssgm.StorageError as e:
            forked = e.code == "io_error" and "forked" in str(e)
            status = 10 if forked and len(t.users()) == 1 else 2
        except BaseException:
            status = 3
        os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 10
    assert path.read_bytes() == before
    t.add_user("parent2@contoso.com")
    del t
    gc.collect()
    assert [u.upn for u in ssgm.Tenant.open(path).users()] == [
        "parent@contoso.com",
        "parent2@contoso.com",
    ]


def test_r8_4_open_refuses_a_snapshot_and_leaves_it_as_it_is(tmp_path: Path) -> None:
    """R-8.4: Tenant.open of a file that is not a journal (here a snapshot) is corrupt_journal
    naming the file, and changes nothing."""
    t = ssgm.Tenant("precious")
    t.add_user("bob@contoso.com")
    path = tmp_path / "precious.json"
    t.save(path)
    before = path.read_bytes()
    for content in (before, b"one line\n", b"no newline"):
        path.write_bytes(content)
        with pytest.raises(ssgm.StorageError) as e:
            ssgm.Tenant.open(path)
        assert e.value.code == "corrupt_journal"
        assert str(path) in str(e.value)
        assert path.read_bytes() == content
    path.write_bytes(before)
    assert ssgm.Tenant.load(path).users()[0].upn == "bob@contoso.com"


def test_r8_4_a_torn_tail_is_kept_beside_the_journal(tmp_path: Path) -> None:
    """R-8.4: the bytes of a torn last record are kept in `<journal>.torn`, and the warning says
    so."""
    path = tmp_path / "t.journal"
    t = ssgm.Tenant.open(path)
    t.add_user("a@contoso.com")
    del t
    gc.collect()
    with open(path, "ab") as f:
        f.write(b'0badf00d 2 0000 {"op": "add_')
    with pytest.warns(RuntimeWarning, match=r"\.torn"):
        t = ssgm.Tenant.open(path)
    assert len(t.users()) == 1
    assert Path(f"{path}.torn").read_bytes() == b'0badf00d 2 0000 {"op": "add_'


def test_r8_4_saving_over_its_own_journal_is_refused(tmp_path: Path) -> None:
    """R-8.4: saving a snapshot over the journal of an open tenant (its own or another's) is
    io_error and destroys nothing."""
    path = tmp_path / "t.journal"
    t = ssgm.Tenant.open(path)
    t.add_user("a@contoso.com")
    before = path.read_bytes()
    for tenant in (t, ssgm.Tenant("other")):
        with pytest.raises(ssgm.StorageError) as e:
            tenant.save(path)
        assert e.value.code == "io_error"
        assert "journal" in str(e.value)
    assert path.read_bytes() == before
    t.add_user("b@contoso.com")
    del t, tenant
    gc.collect()
    assert len(ssgm.Tenant.open(path).users()) == 2


def test_r8_4_concurrent_saves_to_one_path_all_succeed(tmp_path: Path) -> None:
    """R-8.4: every save writes a temp file of its own, so saves racing to one path all
    succeed and leave a whole snapshot."""
    t = ssgm.Tenant("contoso")
    t.add_user("a@contoso.com")
    path = tmp_path / "shared.json"
    errors: list[BaseException] = []

    def saver() -> None:
        for _ in range(20):
            try:
                t.save(path)
            except BaseException as e:  # noqa: BLE001 - collected and asserted on
                errors.append(e)

    threads = [threading.Thread(target=saver) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert full_state(ssgm.Tenant.load(path)) == full_state(t)
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_r8_4_save_refuses_links_and_fifos_and_keeps_the_mode(tmp_path: Path) -> None:
    """R-8.4: save replaces only regular files (keeping their permission bits); a symbolic link
    or a FIFO is io_error and stays as it was."""
    t = ssgm.Tenant("x")
    target = tmp_path / "target.txt"
    target.write_text("precious")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (link, fifo, tmp_path):
        with pytest.raises(ssgm.StorageError) as e:
            t.save(path)
        assert e.value.code == "io_error"
    assert link.is_symlink() and target.read_text() == "precious"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    secret = tmp_path / "secret.json"
    secret.write_text("old")
    secret.chmod(0o600)
    t.save(secret)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert ssgm.Tenant.load(secret).name == "x"


def test_r10_9_a_setting_beyond_64_bits_is_out_of_range() -> None:
    """R-10.9: configure(max_groups_per_user=2**70) is invalid_setting saying the value is out
    of range (not that it is null); the refusal is in the history and replays the same."""
    t = ssgm.Tenant("contoso")
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    for value in (2**70, 2**63):
        with pytest.raises(ssgm.InvalidArgument) as e:
            t.configure(admin, max_groups_per_user=value)
        assert e.value.code == "invalid_setting"
        assert "out of range" in str(e.value)
        assert "null" not in str(e.value)
    decision = t.check(admin, "configure", max_groups_per_user=2**70)
    assert not decision.allowed and "out of range" in decision.message
    assert t.configure(admin, max_groups_per_user=2**63 - 1).max_groups_per_user == 2**63 - 1
    again = ssgm.Tenant.replay(t.events())
    assert full_state(again) == full_state(t)


def round_trips(t: ssgm.Tenant, tmp_path: Path) -> None:
    """The tenant reads back whole from a snapshot, a pickle, its events and a journal."""
    expected = full_state(t)
    path = tmp_path / "s.json"
    t.save(path)
    assert full_state(ssgm.Tenant.load(path)) == expected
    assert full_state(pickle.loads(pickle.dumps(t))) == expected
    assert full_state(ssgm.Tenant.replay(t.events(), name=t.name)) == expected


def test_r10_13_the_deepest_data_accepted_reads_back_everywhere(tmp_path: Path) -> None:
    """R-8.4, R-10.13: data nested as deep as the bound allows round-trips through the journal,
    save/load, pickle and replay; one level deeper is a TypeError that writes nothing."""
    path = tmp_path / "t.journal"
    t = ssgm.Tenant.open(path)
    admin = t.add_user("admin@contoso.com", roles=["global_admin"])
    before = path.read_bytes()
    with pytest.raises(TypeError):
        t.import_directory({"report": nested(64)})
    with pytest.raises(TypeError):
        t.configure(admin, bogus=nested(65))
    assert path.read_bytes() == before
    assert len(t.events()) == 1
    t.import_directory({"report": nested(63)})
    with pytest.raises(ssgm.InvalidArgument):
        t.configure(admin, bogus=nested(64))
    round_trips(t, tmp_path)
    expected = full_state(t)
    del t, admin
    gc.collect()
    assert full_state(ssgm.Tenant.open(path)) == expected


def test_r10_13_deep_data_from_a_script_writes_nothing(tmp_path: Path) -> None:
    """R-10.13: a script's data nested past the bound is a ScriptError before anything is
    written, so the journal, snapshot and pickle stay readable."""
    path = tmp_path / "t.journal"
    t = ssgm.Tenant.open(path)
    t.add_user("admin@contoso.com", roles=["global_admin"])
    before = path.read_bytes()
    for script in (
        "let a=[]; for i in 0..200 { a=[a]; } tenant.import_directory(#{report: a});",
        'let a=[]; for i in 0..200 { a=[a]; } tenant.configure("admin@contoso.com", #{bogus: a});',
    ):
        with pytest.raises(ssgm.ScriptError):
            t.run_script(script)
    assert path.read_bytes() == before
    round_trips(t, tmp_path)


def test_r8_4_load_of_a_device_or_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """R-8.4: `Tenant.load` of /dev/zero or a FIFO raises StorageError (io_error) instead of
    reading for ever or blocking; so does `from_graph` whose users.json is a device."""
    with pytest.raises(ssgm.StorageError) as e:
        ssgm.Tenant.load("/dev/zero")
    assert e.value.code == "io_error"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ssgm.StorageError):
        ssgm.Tenant.load(fifo)
    export = tmp_path / "export"
    export.mkdir()
    (export / "users.json").symlink_to("/dev/zero")
    (export / "groups.json").write_text('{"value": []}')
    with pytest.raises(ssgm.StorageError):
        ssgm.Tenant.from_graph(export)
