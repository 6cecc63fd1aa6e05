//! SPEC §8: audit, time, history, replay, snapshots, the journal, import and has_access_many.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use serde_json::json;
use ssgm::persist::{journal, snapshot};

const A: &str = "admin@contoso.com";
const BOB: &str = "bob@contoso.com";

/// A scenario with refusals, clock moves and provisioning.
fn scenario() -> T {
    let mut t = T::open_tenant();
    t.user(BOB, &[]);
    t.user("carol@contoso.com", &[]);
    t.ok("create_resource", &[A, "App"]);
    let g = t.okk("create_group", &[BOB, "Team"], &[("join_policy", s("owner_approval"))]);
    t.ok("assign", &[A, "App", &g]);
    t.t.execute(Command::Advance { micros: 3_600_000_000 }).unwrap();
    let r = t.ok("request_to_join", &["carol@contoso.com", &g, "please"]);
    assert_eq!(t.code("approve", &["carol@contoso.com", &r]), "not_owner");
    t.ok("approve", &[BOB, &r]);
    assert_eq!(t.code("add_member", &[BOB, &g, "ghost@contoso.com"]), "user_not_found");
    t.ok("block", &[A, "App", "carol@contoso.com"]);
    t
}

fn fingerprint(t: &Tenant) -> String {
    let mut out = String::new();
    for u in t.users() {
        out += &format!("{} {:?} {:?} {:?}\n", u.id, u.groups, u.owner_of, u.enabled);
    }
    for g in t.all_groups() {
        out += &format!("{} {} {:?} {:?} {:?}\n", g.id, g.name, g.owners, g.members, g.deleted);
    }
    for r in t.resources() {
        out += &format!("{} {:?} {:?}\n", r.id, r.assigned, r.blocked);
    }
    for q in t.requests() {
        out += &format!("{} {:?} {:?} {:?}\n", q.id, q.status, q.decided_by, q.decided_at);
    }
    out += &format!("{:?}\n{:?}\n{:?}\n{}\n", t.settings(), t.audit_log(), t.provisioning_log(), t.now());
    out
}

#[test]
fn r8_1_every_command_is_audited_with_entra_names() {
    let t = scenario();
    let log = t.t.audit_log();
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=log.len() as u64).collect::<Vec<_>>());
    assert_eq!(log[0].actor, "system");
    assert_eq!(log[0].activity, "Add user");
    assert_eq!(log[1].activity, "Update group settings");
    let refused: Vec<_> = log.iter().filter(|e| !e.success).collect();
    assert_eq!(refused.len(), 2);
    assert_eq!(refused[0].code, Some(Code::NotOwner));
    assert_eq!(refused[1].targets.last().unwrap(), "ghost@contoso.com");
    assert!(log.iter().any(|e| e.activity == "Approve a pending request to join a group"));
}

#[test]
fn r8_2_refused_commands_change_nothing_but_the_audit_log() {
    let mut t = scenario();
    let before = fingerprint(&t.t);
    assert_eq!(t.code("delete_group", &["carol@contoso.com", "Team"]), "not_owner");
    let after = fingerprint(&t.t);
    let strip = |s: &str| s.lines().filter(|l| !l.starts_with('[')).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&before), strip(&after));
    assert_eq!(t.t.audit_log().len(), scenario().t.audit_log().len() + 1);
}

#[test]
fn r8_3_r10_7_the_clock_is_logical() {
    let mut t = T::new();
    assert_eq!(ssgm::model::format_time(t.t.now()), "2016-06-14T00:00:00Z");
    t.t.execute(Command::Advance { micros: 0 }).unwrap();
    let e = t.t.execute(Command::Advance { micros: -1 }).unwrap_err();
    assert_eq!(e.code(), Some(Code::InvalidTime));
    let now = t.t.now();
    assert_eq!(t.t.execute(Command::SetTime { micros: now - 1 }).unwrap_err().code(), Some(Code::InvalidTime));
    t.t.execute(Command::SetTime { micros: now }).unwrap();
    // Not past the last instant a datetime can show.
    assert_eq!(
        t.t.execute(Command::SetTime { micros: ssgm::model::LATEST + 1 }).unwrap_err().code(),
        Some(Code::InvalidTime)
    );
    // Refused clock moves are not in the history; clock moves are not audited.
    assert_eq!(t.t.history().len(), 2);
    assert!(t.t.audit_log().is_empty());
    t.user(BOB, &[]);
    assert_eq!(t.last_audit().time, now);
}

#[test]
fn r8_4_replay_of_every_prefix_equals_the_state_at_that_point() {
    let full = scenario();
    for n in 0..=full.t.history().len() {
        let replayed = Tenant::replay(full.t.history().iter().cloned(), Some(n), "r");
        let mut step = Tenant::new("s");
        for cmd in full.t.history().iter().take(n) {
            let _ = step.execute(cmd.clone());
        }
        assert_eq!(fingerprint(&replayed), fingerprint(&step), "prefix {n}");
    }
    assert_eq!(fingerprint(&Tenant::replay(full.t.history().iter().cloned(), None, "r")), fingerprint(&full.t));
    // The history survives JSON.
    let json: Vec<serde_json::Value> = full.t.history().iter().map(Command::to_value).collect();
    let back: Vec<Command> = json.into_iter().map(|v| Command::from_value(v).unwrap()).collect();
    assert_eq!(back, full.t.history());
    assert!(Command::from_value(json!({"op": "fly"})).is_err());
}

#[test]
fn r8_4_check_is_not_history_and_forks_are_independent() {
    let mut t = scenario();
    let n = t.t.history().len();
    assert_eq!(t.check("delete_group", &["carol@contoso.com", "Team"]), "not_owner");
    assert_eq!(t.check("delete_group", &[BOB, "Team"]), "");
    assert_eq!(t.t.history().len(), n);
    let fork = t.t.fork();
    t.ok("delete_group", &[BOB, "Team"]);
    assert!(fork.find_group("Team").is_ok());
    assert!(t.t.find_group("Team").is_err());
}

#[test]
fn r8_4_snapshot_round_trip() {
    let t = scenario();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    snapshot::save(&t.t, &path).unwrap();
    let back = snapshot::load(&path).unwrap();
    assert_eq!(fingerprint(&back), fingerprint(&t.t));
    assert_eq!(back.name(), "contoso");
    // No temp files are left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    std::fs::write(&path, b"{\"format\": \"ssgm-snapshot\", \"version\": 1, \"name\": \"x\", \"history\": [").unwrap();
    assert_eq!(snapshot::load(&path).unwrap_err().code(), Some(Code::CorruptSnapshot));
    assert_eq!(snapshot::load(&dir.path().join("missing.json")).unwrap_err().code(), Some(Code::IoError));
}

#[test]
fn r8_4_journal_replays_and_truncates_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant.journal");
    let full = scenario();
    {
        let opened = journal::Journal::open(&path, "contoso", journal::SyncPolicy::Always).unwrap();
        assert!(opened.recovered.is_none());
        let store = ssgm::Store::with_journal(opened.tenant, opened.journal);
        for cmd in full.t.history() {
            let _ = store.execute(cmd.clone());
        }
        // A second writer is refused while the first holds it.
        let err = journal::Journal::open(&path, "contoso", journal::SyncPolicy::Always).unwrap_err();
        assert_eq!(err.code(), Some(Code::IoError));
    }
    let opened = journal::Journal::open(&path, "x", journal::SyncPolicy::Always).unwrap();
    assert_eq!(fingerprint(&opened.tenant), fingerprint(&full.t));
    assert_eq!(opened.tenant.name(), "contoso");
    drop(opened);
    // A crash mid-write: half a record at the end is truncated, the rest kept.
    let mut bytes = std::fs::read(&path).unwrap();
    let good = bytes.len();
    bytes.extend_from_slice(b"0badc0de {\"op\": \"add_us");
    std::fs::write(&path, &bytes).unwrap();
    let opened = journal::Journal::open(&path, "x", journal::SyncPolicy::Always).unwrap();
    assert!(opened.recovered.is_some());
    assert_eq!(fingerprint(&opened.tenant), fingerprint(&full.t));
    drop(opened);
    assert_eq!(std::fs::read(&path).unwrap().len(), good);
    // Damage in the middle refuses to open and changes nothing.
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.iter().position(|b| *b == b'\n').unwrap() + 12;
    bytes[mid] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    let err = journal::Journal::open(&path, "x", journal::SyncPolicy::Always).unwrap_err();
    assert_eq!(err.code(), Some(Code::CorruptJournal));
    assert!(err.message().contains("line 2"), "{}", err.message());
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

fn data(v: serde_json::Value) -> Box<ssgm::DirectoryData> {
    Box::new(ssgm::DirectoryData::from_value(v).unwrap())
}

#[test]
fn r8_5_import_keeps_ids_resolves_references_and_counts() {
    let mut t = T::new();
    let out = t
        .t
        .execute(Command::ImportDirectory {
            data: data(json!({
                "users": [
                    {"id": "u-1", "upn": "Ann@contoso.com"},
                    {"upn": "ben@contoso.com", "roles": ["global_admin"], "enabled": false},
                ],
                "groups": [
                    {"id": "G", "name": "Team", "owners": ["ann@contoso.com", "u-1"], "members": ["u-1", "Inner2", "ben@contoso.com"]},
                    {"id": "Inner2", "name": "Inner", "created_by": "ben@contoso.com"},
                ],
                "resources": [{"name": "App", "assigned": ["G", "ann@contoso.com"], "blocked": ["u-1"], "owners": ["u-1"]}],
            })),
        })
        .unwrap();
    let Outcome::Imported(c) = out else { panic!("{out:?}") };
    assert_eq!(
        c.pairs(),
        [
            ("users", 2),
            ("groups", 2),
            ("resources", 1),
            ("memberships", 3),
            ("owners", 2),
            ("assignments", 2),
            ("blocks", 1)
        ]
    );
    // Generated ids skip the taken ones.
    assert_eq!(t.t.users()[1].id, "u-2");
    assert_eq!(t.t.resources()[0].id, "r-1");
    assert_eq!(t.t.all_groups()[1].created_by, Some(1));
    assert_eq!(t.t.all_groups()[0].join_policy.as_str(), "owners_only");
    let e = t.last_audit();
    assert_eq!((e.actor.as_str(), e.activity, e.targets.len()), ("system", "Import directory", 0));
    assert!(t.t.provisioning_log().is_empty());
    // Ids are never reused, by any kind.
    let err = t.t.execute(Command::ImportDirectory { data: data(json!({"resources": [{"id": "G", "name": "X"}]})) });
    assert_eq!(err.unwrap_err().code(), Some(Code::DuplicateId));
    let u = t.ok("add_user", &["cid@contoso.com"]);
    assert_eq!(u, "u-3");
}

#[test]
fn r8_5_import_validation_is_atomic_and_in_step_order() {
    let mut t = T::new();
    let code = |t: &mut T, v: serde_json::Value| {
        t.t.execute(Command::ImportDirectory { data: data(v) }).unwrap_err().code().unwrap().as_str()
    };
    // Step 1 (references) before step 2 (names).
    assert_eq!(
        code(&mut t, json!({"users": [{"upn": "bad"}], "groups": [{"name": "G", "owners": ["x@y"]}]})),
        "user_not_found"
    );
    assert_eq!(code(&mut t, json!({"groups": [{"name": "G", "members": ["Nope"]}]})), "group_not_found");
    // Within step 2: invalid_name before invalid_kind, then join policy, role, setting.
    assert_eq!(
        code(&mut t, json!({"users": [{"upn": "a@b", "roles": ["king"]}], "groups": [{"name": " ", "kind": "x"}]})),
        "invalid_name"
    );
    assert_eq!(
        code(
            &mut t,
            json!({"users": [{"upn": "a@b", "roles": ["king"]}], "groups": [{"name": "G", "join_policy": "x"}]})
        ),
        "invalid_join_policy"
    );
    assert_eq!(
        code(&mut t, json!({"users": [{"upn": "a@b", "roles": ["king"]}], "settings": {"x": 1}})),
        "invalid_role"
    );
    assert_eq!(code(&mut t, json!({"settings": {"x": 1}})), "invalid_setting");
    assert_eq!(code(&mut t, json!({"users": [{"id": " x", "upn": "a@b"}]})), "invalid_name");
    // Step 9 uses the settings the import leaves.
    assert_eq!(
        code(
            &mut t,
            json!({"users": [{"upn": "a@b"}, {"upn": "c@d"}], "groups": [{"name": "G", "owners": ["a@b", "c@d"]}], "settings": {"max_owners_per_group": 1}})
        ),
        "owner_limit"
    );
    // Step 10 then 11.
    assert_eq!(code(&mut t, json!({"users": [{"upn": "a@b"}, {"upn": "A@B"}]})), "duplicate_name");
    assert_eq!(
        code(&mut t, json!({"users": [{"id": "x", "upn": "a@b"}], "groups": [{"id": "x", "name": "G"}]})),
        "duplicate_id"
    );
    assert_eq!(
        code(
            &mut t,
            json!({"groups": [{"id": "a", "name": "A", "members": ["b"]}, {"id": "b", "name": "B", "members": ["a"]}]})
        ),
        "cycle"
    );
    assert_eq!(
        code(
            &mut t,
            json!({"groups": [{"id": "a", "name": "A", "kind": "distribution"}], "resources": [{"name": "R", "assigned": ["a"]}]})
        ),
        "not_security_principal"
    );
    assert_eq!(
        code(
            &mut t,
            json!({"groups": [{"id": "a", "name": "A", "kind": "microsoft365"}, {"name": "B", "members": ["a"]}]})
        ),
        "nested_group_not_allowed"
    );
    // Nothing changed, everything was audited.
    assert!(t.t.users().is_empty() && t.t.groups().count() == 0);
    assert_eq!(t.t.audit_log().len(), 13);
    // Unknown fields are type errors, not commands.
    assert!(matches!(
        ssgm::DirectoryData::from_value(json!({"users": [{"upn": "a@b", "age": 3}]})),
        Err(ssgm::Error::Type(_))
    ));
    assert!(matches!(ssgm::DirectoryData::from_value(json!({"people": []})), Err(ssgm::Error::Type(_))));
}

#[test]
fn r8_5_import_settings_section_and_ssgm_group() {
    let mut t = T::new();
    t.t.execute(Command::ImportDirectory {
        data: data(json!({"groups": [{"id": "g-1", "name": "G"}], "settings": {"self_service_scope": "some", "delegated_group_management": true}, "report": {"anything": 1}})),
    })
    .unwrap();
    let e = t.last_audit();
    assert_eq!(e.targets, vec!["g-2".to_string()]);
    let g = t.t.group(t.gix("SSGMSecurityGroupsUsers")).unwrap();
    assert_eq!((g.id.as_str(), g.created_by), ("g-2", None));
    assert!(t.t.settings().delegated_group_management);
}

#[test]
fn r8_6_has_access_many_via_indexes() {
    let mut t = scenario();
    t.ok("unblock", &[A, "App", "carol@contoso.com"]);
    let u = t.uix("carol@contoso.com");
    let r = t.rix("App");
    assert!(t.t.has_access_ix(u, r));
    assert!(!t.t.has_access_ix(t.uix(A), r));
}
