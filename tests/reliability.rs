//! Reliability: crashes while journaling, damaged files, concurrent commands, and owners that
//! cannot be bypassed. Short forms run in the suite; `dev/reliability.sh` runs the long forms
//! (SSGM_CRASH_TRIALS, SSGM_FUZZ_CASES, SSGM_THREAD_COMMANDS).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use proptest::prelude::*;
use ssgm::model::{JoinPolicy, Principal};
use ssgm::persist::journal::{Journal, SyncPolicy};
use ssgm::persist::snapshot;
use ssgm::Store;
use std::io::{BufRead, BufReader};
use std::process::{Command as Process, Stdio};
use std::sync::Arc;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn add_user(i: usize) -> Command {
    Command::AddUser {
        upn: format!("user{i}@contoso.com"),
        display_name: None,
        department: None,
        roles: vec![],
        enabled: true,
        manager: None,
    }
}

/// The child side of the crash test: appends commands forever, acknowledging each on stdout.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var("SSGM_CRASH_JOURNAL") else { return };
    let opened = Journal::open(std::path::Path::new(&path), "crash", SyncPolicy::Always).unwrap();
    let start = opened.tenant.users().len();
    let store = Store::with_journal(opened.tenant, opened.journal);
    let mut out = std::io::stdout();
    for i in start.. {
        store.execute(add_user(i)).unwrap();
        use std::io::Write;
        writeln!(out, "ack {}", i + 1).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn r8_4_sigkill_at_random_moments_loses_no_acknowledged_command() {
    let trials = env_number("SSGM_CRASH_TRIALS", 12);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.journal");
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x9e3779b97f4a7c15u64;
    let mut acked = 0usize;
    for trial in 0..trials {
        let mut child = Process::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads", "1"])
            .env("SSGM_CRASH_JOURNAL", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let wait_for = 1 + (rng % 25) as usize;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = 0;
        while seen < wait_for {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("ack ") => {
                    acked = line[4..].parse().unwrap();
                    seen += 1;
                }
                Some(_) => {}
                None => break,
            }
        }
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        // Acknowledgements the child wrote before it died are still in the pipe.
        for line in lines.map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("ack ") {
                acked = n.parse().unwrap();
            }
        }
        // Whatever was acknowledged is there; at most the one in flight beyond it.
        let opened = Journal::open(&path, "x", SyncPolicy::Always).unwrap();
        let n = opened.tenant.users().len();
        assert!(n == acked || n == acked + 1, "trial {trial}: {n} users, {acked} acknowledged");
        for (i, u) in opened.tenant.users().iter().enumerate() {
            assert_eq!(u.upn, format!("user{i}@contoso.com"));
        }
        acked = n;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: env_number("SSGM_FUZZ_CASES", 256) as u32, ..ProptestConfig::default() })]

    /// Snapshots: any bytes give a tenant or a storage refusal, never a panic.
    #[test]
    fn r8_4_fuzz_snapshot_loader(bytes in proptest::collection::vec(any::<u8>(), 0..512), cut in 0usize..4096) {
        match snapshot::from_bytes(&bytes, "fuzz") {
            Ok(_) => {}
            Err(e) => prop_assert!(matches!(e.code(), Some(Code::CorruptSnapshot | Code::UnsupportedVersion))),
        }
        // Truncations and bit flips of a real snapshot.
        let mut t = T::open_tenant();
        t.user("bob@contoso.com", &[]);
        let good = snapshot::to_bytes(&t.t).unwrap();
        let cut = cut % (good.len() + 1);
        let _ = snapshot::from_bytes(&good[..cut], "fuzz");
        let mut flipped = good.clone();
        if let Some(b) = flipped.get_mut(cut) { *b ^= bytes.first().copied().unwrap_or(1) | 1; }
        let _ = snapshot::from_bytes(&flipped, "fuzz");
    }

    /// Journals: any bytes open or refuse with a storage code, never panic; a refusal leaves
    /// the file as it was.
    #[test]
    fn r8_4_fuzz_journal_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, &bytes).unwrap();
        match Journal::open(&path, "fuzz", SyncPolicy::Never) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(matches!(e.code(), Some(Code::CorruptJournal | Code::UnsupportedVersion | Code::IoError)));
                prop_assert_eq!(std::fs::read(&path).unwrap(), bytes);
            }
        }
    }
}

#[test]
fn r8_4_eight_threads_of_mixed_commands_lose_nothing() {
    let per_thread = env_number("SSGM_THREAD_COMMANDS", 2_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threads.journal");
    let opened = Journal::open(&path, "threads", SyncPolicy::Never).unwrap();
    let store = Store::with_journal(opened.tenant, opened.journal);
    let admin = "admin@contoso.com";
    let setup = [
        Command::AddUser {
            upn: admin.into(),
            display_name: None,
            department: None,
            roles: vec!["global_admin".into()],
            enabled: true,
            manager: None,
        },
        Command::Configure {
            actor: admin.into(),
            settings: serde_json::json!({"delegated_group_management": true, "users_can_create_security_groups": true})
                .as_object()
                .unwrap()
                .clone(),
        },
        Command::CreateResource { actor: admin.into(), name: "App".into(), kind: "application".into(), owners: vec![] },
    ];
    for c in setup {
        store.execute(c).unwrap();
    }
    let handles: Vec<_> = (0..8)
        .map(|th| {
            let store: Arc<Store> = Arc::clone(&store);
            std::thread::spawn(move || {
                let me = format!("owner{th}@contoso.com");
                store.execute(add_user(1_000_000 + th)).unwrap();
                store
                    .execute(Command::AddUser {
                        upn: me.clone(),
                        display_name: None,
                        department: None,
                        roles: vec![],
                        enabled: true,
                        manager: None,
                    })
                    .unwrap();
                let g = format!("Team {th}");
                store
                    .execute(Command::CreateGroup {
                        actor: me.clone(),
                        name: g.clone(),
                        kind: "security".into(),
                        join_policy: Some("owner_approval".into()),
                        description: String::new(),
                        owners: vec![],
                        members: vec![],
                        on_premises: false,
                    })
                    .unwrap();
                store
                    .execute(Command::Assign { actor: admin.into(), resource: "App".into(), principal: g.clone() })
                    .unwrap();
                let mut added = 0;
                for i in 0..per_thread {
                    let upn = format!("t{th}u{i}@contoso.com");
                    store
                        .execute(Command::AddUser {
                            upn: upn.clone(),
                            display_name: None,
                            department: None,
                            roles: vec![],
                            enabled: true,
                            manager: None,
                        })
                        .unwrap();
                    match i % 4 {
                        0 | 1 => {
                            store
                                .execute(Command::AddMember { actor: me.clone(), group: g.clone(), member: upn })
                                .unwrap();
                            added += 1;
                        }
                        2 => {
                            // Another thread's owner: refused, changes nothing.
                            let other = format!("Team {}", (th + 1) % 8);
                            assert!(store
                                .execute(Command::AddMember { actor: me.clone(), group: other, member: upn })
                                .is_err());
                        }
                        _ => {
                            let _ = store.check(&Command::ListMembers { actor: me.clone(), group: g.clone() });
                        }
                    }
                }
                added
            })
        })
        .collect();
    let added: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let live = store.snapshot_tenant();
    for (th, n) in added.iter().enumerate() {
        let g = live.find_group(&format!("Team {th}")).unwrap();
        // The creator plus every member added: no lost update.
        assert_eq!(live.group(g).unwrap().members.len(), n + 1);
    }
    let app = live.find_resource("App").unwrap();
    assert_eq!(live.who_has_access(app).len(), added.iter().sum::<usize>() + 8);
    assert_eq!(live.provisioning_log().len(), added.iter().sum::<usize>() + 8);
    drop(store);
    let replayed = Journal::open(&path, "x", SyncPolicy::Never).unwrap().tenant;
    assert_eq!(format!("{:?}", replayed.audit_log()), format!("{:?}", live.audit_log()));
    assert_eq!(format!("{:?}", replayed.provisioning_log()), format!("{:?}", live.provisioning_log()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// no sequence of non-admin commands gives anyone membership of an
    /// owner-approval group without its owner's action, or shows a group's members to a
    /// non-owner.
    #[test]
    fn r6_1_non_admins_cannot_bypass_owners(
        steps in proptest::collection::vec((0u8..9, 0usize..4, 0usize..3, 0usize..4), 1..50)
    ) {
        let users = ["owner@c.com", "eve@c.com", "mal@c.com", "ann@c.com"];
        let mut t = T::open_tenant();
        for u in users { t.user(u, &[]); }
        t.okk("create_group", &[users[0], "Guarded"], &[("join_policy", s("owner_approval"))]);
        t.okk("create_group", &[users[1], "Eve's"], &[("join_policy", s("open"))]);
        let guarded = t.gix("Guarded");
        let owner = t.uix(users[0]);
        for (op, a, g, x) in steps {
            // Everyone but the owner acts; the owner never does anything here.
            let actor = users[1 + a % 3].to_string();
            let group = ["Guarded", "Eve's", "SSGMSecurityGroupsUsers"][g].to_string();
            let other = users[x].to_string();
            let cmd = match op {
                0 => Command::AddMember { actor, group, member: other },
                1 => Command::AddOwner { actor, group, user: other },
                2 => Command::RequestToJoin { actor, group, justification: "please".into() },
                3 => Command::Approve { actor, request: format!("req-{}", 1 + x), reason: String::new() },
                4 => Command::UpdateGroup { actor, group, name: None, description: None, join_policy: Some("open".into()) },
                5 => Command::AddMember { actor, group: "Eve's".into(), member: "Guarded".into() },
                6 => Command::ListMembers { actor, group },
                7 => Command::Cancel { actor, request: format!("req-{}", 1 + x) },
                _ => Command::CreateGroup { actor, name: "Guarded".into(), kind: "security".into(), join_policy: None, description: String::new(), owners: vec![], members: vec![], on_premises: false },
            };
            let listing = matches!(cmd, Command::ListMembers { ref group, .. } if group == "Guarded");
            let r = t.t.execute(cmd);
            if listing { prop_assert!(r.is_err(), "a non-owner listed the members of Guarded"); }
            let g = t.t.group(guarded).unwrap();
            prop_assert_eq!(g.join_policy, JoinPolicy::OwnerApproval);
            prop_assert_eq!(&g.owners, &vec![owner]);
            prop_assert_eq!(&g.members, &vec![Principal::User(owner)]);
        }
    }
}
