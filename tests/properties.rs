//! Property tests: random sequences of commands by random actors keep the invariants of
//! SPEC §4, §5, R-8.2 and R-8.4.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use proptest::prelude::*;
use ssgm::model::{JoinPolicy, Principal};

const USERS: [&str; 5] = ["admin@c.com", "ga@c.com", "bob@c.com", "carol@c.com", "dan@c.com"];
const GROUPS: [&str; 4] = ["Alpha", "Beta", "Gamma", "Delta"];
const POLICIES: [&str; 3] = ["owner_approval", "open", "owners_only"];
const KINDS: [&str; 3] = ["security", "microsoft365", "distribution"];

fn base() -> Tenant {
    let mut t = T::new();
    t.user(USERS[0], &["global_admin"]);
    t.user(USERS[1], &["groups_admin"]);
    for u in &USERS[2..] {
        t.user(u, &[]);
    }
    t.okk(
        "configure",
        &[USERS[0]],
        &[
            ("delegated_group_management", b(true)),
            ("users_can_create_security_groups", b(true)),
            ("users_can_create_microsoft365_groups", b(true)),
        ],
    );
    t.ok("create_resource", &[USERS[0], "App"]);
    t.okk("create_resource", &[USERS[0], "Site"], &[("kind", s("site"))]);
    t.t
}

/// A command from small numbers.
fn command(op: u8, a: usize, x: usize, y: usize, t: &Tenant) -> Command {
    let actor = USERS[a % USERS.len()].to_string();
    let group = GROUPS[x % GROUPS.len()].to_string();
    let user = USERS[y % USERS.len()].to_string();
    let other_group = GROUPS[y % GROUPS.len()].to_string();
    let request = format!("req-{}", 1 + y % (t.requests().len() + 1));
    match op % 16 {
        0 => Command::CreateGroup {
            actor,
            name: group,
            kind: KINDS[y % KINDS.len()].into(),
            join_policy: Some(POLICIES[y % POLICIES.len()].into()),
            description: String::new(),
            owners: vec![],
            members: vec![],
            on_premises: false,
        },
        1 => Command::AddMember { actor, group, member: user },
        2 => Command::AddMember { actor, group, member: other_group },
        3 => Command::RemoveMember { actor, group, member: user },
        4 => Command::AddOwner { actor, group, user },
        5 => Command::RemoveOwner { actor, group, user },
        6 => {
            Command::RequestToJoin { actor, group, justification: if y % 2 == 0 { "x".into() } else { String::new() } }
        }
        7 => Command::Approve { actor, request, reason: String::new() },
        8 => Command::Deny { actor, request, reason: String::new() },
        9 => Command::Cancel { actor, request },
        10 => Command::Leave { actor, group },
        11 => Command::UpdateGroup {
            actor,
            group,
            name: None,
            description: None,
            join_policy: Some(POLICIES[y % 3].into()),
        },
        12 => Command::DeleteGroup { actor, group },
        13 => {
            Command::Assign { actor, resource: if y % 2 == 0 { "App".into() } else { "Site".into() }, principal: group }
        }
        14 => Command::Block { actor, resource: "Site".into(), user },
        _ => Command::SetEnabled { user, enabled: y % 3 != 0 },
    }
}

/// Everything but the audit log and history.
fn state(t: &Tenant) -> String {
    let mut out = format!("{:?}\n", t.settings());
    for u in t.users() {
        // The order of a user's own group lists is not observable: compare them as sets.
        let (mut groups, mut owns) = (u.groups.clone(), u.owner_of.clone());
        groups.sort_unstable();
        owns.sort_unstable();
        out += &format!("{} {:?} {:?} {} {:?}\n", u.id, groups, owns, u.enabled, u.roles);
    }
    for g in t.all_groups() {
        out += &format!("{} {:?} {:?} {:?} {:?} {}\n", g.id, g.owners, g.members, g.parents, g.join_policy, g.deleted);
    }
    for r in t.resources() {
        out += &format!("{} {:?} {:?}\n", r.id, r.assigned, r.blocked);
    }
    for q in t.requests() {
        out += &format!("{} {:?} {:?}\n", q.id, q.status, q.decided_by);
    }
    out += &format!("{:?}", t.provisioning_log());
    out
}

fn members(t: &Tenant) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for (gi, g) in t.groups() {
        for m in &g.members {
            if let Principal::User(u) = m {
                out.push((*u, gi));
            }
        }
    }
    out
}

/// Whether group `outer` contains group `inner` (or is it), through nesting.
fn reaches(t: &Tenant, outer: u32, inner: u32) -> bool {
    outer == inner
        || t.all_groups()[outer as usize].members.iter().any(|m| match m {
            Principal::Group(c) => reaches(t, *c, inner),
            Principal::User(_) => false,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn r4_8_r5_6_r8_2_r8_4_invariants_hold_for_random_commands(
        steps in proptest::collection::vec((any::<u8>(), 0usize..5, 0usize..4, 0usize..5), 1..60)
    ) {
        let mut t = base();
        for (op, a, x, y) in steps {
            let cmd = command(op, a, x, y, &t);
            let before = t.clone();
            let result = t.execute(cmd.clone());
            match result {
                Err(_) => {
                    // R-8.2: a refusal changes nothing but the audit log and the history.
                    prop_assert_eq!(state(&before), state(&t));
                    prop_assert_eq!(t.audit_log().len(), before.audit_log().len() + 1);
                }
                Ok(_) => {
                    // R-4.8, R-5.6: a new member of an owner-approval group got there through
                    // an owner, an admin or an approved request decided by one.
                    let old = members(&before);
                    for (u, g) in members(&t) {
                        if old.contains(&(u, g)) {
                            continue;
                        }
                        let group = before.group(g);
                        let Some(group) = group else { continue };
                        if group.join_policy != JoinPolicy::OwnerApproval {
                            continue;
                        }
                        let actor = match &cmd {
                            Command::AddMember { actor, .. } | Command::Approve { actor, .. } | Command::RequestToJoin { actor, .. } => actor.clone(),
                            other => panic!("{other:?} added a member to an owner-approval group"),
                        };
                        let a = before.find_user(&actor).unwrap();
                        let admin = before.user(a).unwrap().roles.group_admin();
                        let owner = group.owners.contains(&a);
                        prop_assert!(admin || owner, "{:?} by a non-owner added {} to {}", cmd, u, group.name);
                    }
                }
            }
        }
        // R-8.4: replay equals live state.
        let replayed = Tenant::replay(t.history().iter().cloned(), None, "r");
        prop_assert_eq!(state(&replayed), state(&t));
        prop_assert_eq!(format!("{:?}", replayed.audit_log()), format!("{:?}", t.audit_log()));
        // R-8.4: a snapshot loads to the same state, which goes on the same way.
        let bytes = ssgm::persist::snapshot::to_bytes(&t).unwrap();
        let mut loaded = ssgm::persist::snapshot::from_bytes(&bytes, "p").unwrap();
        prop_assert_eq!(state(&loaded), state(&t));
        prop_assert_eq!(format!("{:?}", loaded.audit_log()), format!("{:?}", t.audit_log()));
        prop_assert_eq!(loaded.history(), t.history());
        let mut original = t.clone();
        for cmd in [
            Command::CreateGroup { actor: USERS[2].into(), name: "After".into(), kind: "security".into(), join_policy: None, description: String::new(), owners: vec![], members: vec![USERS[3].into()], on_premises: false },
            Command::AddUser { upn: "later@c.com".into(), display_name: None, department: None, roles: vec![], enabled: true, manager: None },
            Command::Assign { actor: USERS[0].into(), resource: "App".into(), principal: "After".into() },
            Command::RequestToJoin { actor: USERS[4].into(), group: "Alpha".into(), justification: "x".into() },
        ] {
            let a = format!("{:?}", loaded.execute(cmd.clone()));
            let b = format!("{:?}", original.execute(cmd));
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(state(&loaded), state(&original));
        // Effective access agrees with who_has_access.
        for r in 0..t.resources().len() as u32 {
            let who = t.who_has_access(r);
            let res = t.resource(r).unwrap();
            for u in 0..t.users().len() as u32 {
                prop_assert_eq!(who.contains(&u), t.has_access_ix(u, r));
                // R-7.3, R-7.4 recomputed from the structure alone.
                let user = t.user(u).unwrap();
                let direct = res.assigned.contains(&Principal::User(u));
                let via_group = res.assigned.iter().any(|p| match p {
                    Principal::Group(g) => match res.kind.as_str() {
                        "application" => user.groups.contains(g),
                        _ => t.all_groups()[*g as usize].members.contains(&Principal::User(u))
                            || user.groups.iter().any(|ug| reaches(&t, *g, *ug)),
                    },
                    Principal::User(_) => false,
                });
                let expect = (direct || via_group) && user.enabled && !res.blocked.contains(&u);
                prop_assert_eq!(t.has_access_ix(u, r), expect, "user {} resource {}", u, r);
            }
        }
    }
}
