//! SPEC §12: capabilities, routes, exposure, gatekeepers, diff and the tenant as a graph,
//! on the two scenarios of §0 and on random tenants.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;
use proptest::prelude::*;
use ssgm::analysis::{diff, step_command, Right, RouteKind, Status, Step};
use ssgm::persist::snapshot;
use std::collections::BTreeSet;

const A: &str = "admin@contoso.com";

/// §0's first scenario: two business owners, each with a group assigned to Salesforce.
fn delegated() -> T {
    let mut t = T::with_admin(&[("delegated_group_management", b(true))]);
    for u in ["owner", "manager", "ann", "dee", "zoe"] {
        t.user(&format!("{u}@contoso.com"), &[]);
    }
    t.ok("create_resource", &[A, "Salesforce"]);
    t.okk(
        "create_group",
        &[A, "Salesforce users"],
        &[("owners", l(&["owner@contoso.com"])), ("members", l(&["ann@contoso.com"]))],
    );
    t.okk(
        "create_group",
        &[A, "Salesforce EMEA"],
        &[("owners", l(&["manager@contoso.com"])), ("members", l(&["dee@contoso.com"]))],
    );
    t.ok("assign", &[A, "Salesforce", "Salesforce users"]);
    t.ok("assign", &[A, "Salesforce", "Salesforce EMEA"]);
    t
}

/// §0's second scenario: one owner-approval group gives two sites.
fn self_service() -> T {
    let mut t = T::open_tenant();
    for u in ["sitea", "siteb", "joe", "kim"] {
        t.user(&format!("{u}@contoso.com"), &[]);
    }
    t.okk("create_resource", &[A, "Site A"], &[("kind", s("site")), ("owners", l(&["sitea@contoso.com"]))]);
    t.okk("create_resource", &[A, "Site B"], &[("kind", s("site")), ("owners", l(&["siteb@contoso.com"]))]);
    t.okk("create_group", &["sitea@contoso.com", "Project X"], &[("join_policy", s("owner_approval"))]);
    t.ok("add_owner", &["sitea@contoso.com", "Project X", "siteb@contoso.com"]);
    t.ok("assign", &["sitea@contoso.com", "Site A", "Project X"]);
    t.ok("assign", &["siteb@contoso.com", "Site B", "Project X"]);
    t
}

fn id(t: &T, upn_or_name: &str) -> String {
    match t.t.object(upn_or_name) {
        Some(_) => upn_or_name.to_string(),
        None => {
            if let Ok(u) = t.t.find_user(upn_or_name) {
                return t.t.user(u).unwrap().id.clone();
            }
            if let Ok(g) = t.t.find_group(upn_or_name) {
                return t.t.group(g).unwrap().id.clone();
            }
            t.t.resource(t.rix(upn_or_name)).unwrap().id.clone()
        }
    }
}

fn caps(t: &T, user: &str) -> Vec<(&'static str, String)> {
    t.t.capabilities(t.uix(user)).into_iter().map(|c| (c.right.as_str(), c.object)).collect()
}

#[test]
fn r12_1_capabilities_of_the_delegated_scenario() {
    let t = delegated();
    let (users, emea, app) = (id(&t, "Salesforce users"), id(&t, "Salesforce EMEA"), id(&t, "Salesforce"));
    // R-12.1: the business owner may manage and decide their own group and list its
    // members; creation is off for users, the groups are owners_only (no join).
    assert_eq!(
        caps(&t, "owner@contoso.com"),
        [("manage_members", users.clone()), ("decide", users.clone()), ("list_members", users.clone())]
    );
    assert_eq!(caps(&t, "manager@contoso.com")[0], ("manage_members", emea.clone()));
    assert!(caps(&t, "zoe@contoso.com").is_empty());
    // The global admin may do all of it, objects in creation order.
    let admin = caps(&t, A);
    let create: Vec<_> = admin.iter().filter(|c| c.0 == "create").map(|c| c.1.as_str()).collect();
    assert_eq!(create, ["security", "microsoft365", "mail_enabled_security", "distribution"]);
    let changes: Vec<_> = admin.iter().filter(|c| c.0 == "change").map(|c| c.1.clone()).collect();
    assert_eq!(changes, [users.clone(), emea.clone()]);
    assert!(admin.contains(&("manage_access", app.clone())) && admin.contains(&("list_access", app)));
    // R-12.1 rights in order.
    let order: Vec<_> = admin.iter().map(|c| Right::ALL.iter().position(|r| r.as_str() == c.0).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{admin:?}");
}

#[test]
fn r12_1_a_disabled_user_has_no_capabilities() {
    let mut t = delegated();
    t.enable("owner@contoso.com", false);
    assert!(caps(&t, "owner@contoso.com").is_empty());
}

#[test]
fn r12_1_change_follows_the_creation_settings_and_join_follows_the_policy() {
    let mut t = T::open_tenant();
    t.user("bob@contoso.com", &[]);
    t.user("cat@contoso.com", &[]);
    let g = t.okk("create_group", &["bob@contoso.com", "Open one"], &[]);
    let bob = caps(&t, "bob@contoso.com");
    assert!(bob.contains(&("create", "security".into())) && bob.contains(&("create", "microsoft365".into())));
    assert!(!bob.iter().any(|c| c.1 == "distribution"));
    assert!(bob.contains(&("change", g.clone())));
    // The creator is a member already: no join; cat may join the open group.
    assert!(!bob.contains(&("join", g.clone())));
    assert_eq!(
        caps(&t, "cat@contoso.com"),
        [("create", "security".into()), ("create", "microsoft365".into()), ("join", g.clone())]
    );
    // R-4.7: without creation, an owner keeps members but loses changes.
    t.okk("configure", &[A], &[("users_can_create_security_groups", b(false))]);
    let bob = caps(&t, "bob@contoso.com");
    assert!(!bob.contains(&("change", g.clone())) && bob.contains(&("manage_members", g)));
}

#[test]
fn r12_2_r12_3_a_user_in_neither_group_needs_a_business_owner() {
    let t = delegated();
    let (zoe, app) = (t.uix("zoe@contoso.com"), t.rix("Salesforce"));
    let routes = t.t.routes(zoe, app);
    // R-12.2: one added_by_owner route through each business owner's group.
    assert_eq!(routes.len(), 2, "{routes:?}");
    for (r, (group, owner)) in
        routes.iter().zip([("Salesforce users", "owner@contoso.com"), ("Salesforce EMEA", "manager@contoso.com")])
    {
        assert_eq!(r.kind, RouteKind::AddedByOwner);
        assert_eq!(r.group.as_deref(), Some(id(&t, group).as_str()));
        assert_eq!(r.via, [id(&t, group)]);
        assert_eq!(r.helpers, [id(&t, owner)]);
        assert_eq!(
            r.steps,
            [Step {
                actor: id(&t, owner),
                command: "add_member".into(),
                args: vec![id(&t, group).into(), id(&t, "zoe@contoso.com").into()]
            }]
        );
    }
    // R-12.3: zoe's status is helper; ann has access; the admin holds a role.
    let exposure = t.t.exposure(app);
    let status = |upn: &str| exposure.iter().find(|e| e.user == id(&t, upn)).unwrap().status;
    assert_eq!(status("zoe@contoso.com"), Status::Helper);
    assert_eq!(exposure.iter().find(|e| e.user == id(&t, "zoe@contoso.com")).unwrap().route.as_ref(), routes.first());
    assert_eq!(status("ann@contoso.com"), Status::HasAccess);
    assert_eq!(status(A), Status::Role);
    // The owner of one group reaches the app through the other's owner, or adds themselves.
    let owner_routes = t.t.routes(t.uix("owner@contoso.com"), app);
    assert_eq!(owner_routes[0].kind, RouteKind::AddSelf);
    assert!(owner_routes[0].helpers.is_empty());
    assert_eq!(status("owner@contoso.com"), Status::OnTheirOwn);
    // R-12.3: users in creation order.
    let ids: Vec<_> = exposure.iter().map(|e| e.user.clone()).collect();
    let all: Vec<_> = t.t.users().iter().map(|u| u.id.clone()).collect();
    assert_eq!(ids, all);
}

#[test]
fn r12_4_each_business_owner_keeps_the_gate_of_their_own_group_only() {
    let t = delegated();
    let gk: Vec<_> =
        t.t.gatekeepers(t.rix("Salesforce")).into_iter().map(|g| (g.user, g.right.as_str(), g.object)).collect();
    let (users, emea) = (id(&t, "Salesforce users"), id(&t, "Salesforce EMEA"));
    let (owner, manager) = (id(&t, "owner@contoso.com"), id(&t, "manager@contoso.com"));
    assert_eq!(
        gk,
        [
            (owner.clone(), "manage_members", users.clone()),
            (owner, "decide", users),
            (manager.clone(), "manage_members", emea.clone()),
            (manager, "decide", emea),
        ]
    );
}

#[test]
fn r12_2_r12_3_the_self_service_scenario() {
    let mut t = self_service();
    let (joe, site_a) = (t.uix("joe@contoso.com"), t.rix("Site A"));
    // R-12.2: joe asks, either site owner approves; the approve step waits for the request.
    let routes = t.t.routes(joe, site_a);
    // Order: all need a helper; one step before two; assign kinds before group kinds.
    let kinds: Vec<_> = routes.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RouteKind::AssignedByOwner, RouteKind::AddedByOwner, RouteKind::Request]);
    assert_eq!(routes[0].helpers, [id(&t, "sitea@contoso.com")]);
    assert!(routes[0].group.is_none() && routes[0].via.is_empty());
    assert_eq!(routes[1].helpers, [id(&t, "sitea@contoso.com"), id(&t, "siteb@contoso.com")]);
    let request = &routes[2];
    assert_eq!(request.kind, RouteKind::Request);
    assert_eq!(request.helpers, [id(&t, "sitea@contoso.com"), id(&t, "siteb@contoso.com")]);
    assert_eq!(request.steps.len(), 2);
    assert_eq!(request.steps[0].args, [serde_json::json!(id(&t, "Project X")), serde_json::json!("Access to Site A")]);
    assert_eq!(
        request.steps[1],
        Step { actor: id(&t, "sitea@contoso.com"), command: "approve".into(), args: vec![serde_json::Value::Null] }
    );
    // Applied to a fork, the steps give access; the tenant is untouched.
    let mut fork = t.t.fork();
    fork.apply_steps(&request.steps).unwrap();
    assert!(fork.has_access_ix(joe, site_a) && !t.t.has_access_ix(joe, site_a));
    // With a request pending, only the approve step remains (R-12.2).
    let q = t.ok("request_to_join", &["joe@contoso.com", "Project X", "please"]);
    let routes = t.t.routes(joe, site_a);
    let pending = routes.iter().find(|r| r.kind == RouteKind::Request).unwrap();
    assert_eq!(
        pending.steps,
        [Step { actor: id(&t, "sitea@contoso.com"), command: "approve".into(), args: vec![q.into()] }]
    );
    // siteb owns Site B and Project X (but is no member of it): self routes first, the
    // assign kind before the group kind.
    let own = t.t.routes(t.uix("siteb@contoso.com"), t.rix("Site B"));
    let kinds: Vec<_> = own.iter().map(|r| (r.kind, r.helpers.len())).collect();
    assert_eq!(
        kinds,
        [(RouteKind::AssignSelf, 0), (RouteKind::AddSelf, 0), (RouteKind::AddedByOwner, 1), (RouteKind::Request, 1)]
    );
    // sitea is a member of Project X: access already, so no routes (R-12.2).
    assert!(t.t.routes(t.uix("sitea@contoso.com"), t.rix("Site B")).is_empty());
}

#[test]
fn r12_2_site_routes_go_through_nested_groups() {
    let mut t = T::open_tenant();
    t.user("sue@contoso.com", &[]);
    t.user("tom@contoso.com", &[]);
    t.okk("create_resource", &[A, "Wiki"], &[("kind", s("site"))]);
    t.okk("create_group", &["sue@contoso.com", "Outer"], &[("join_policy", s("owners_only"))]);
    t.okk("create_group", &["sue@contoso.com", "Inner"], &[("join_policy", s("open"))]);
    t.ok("add_member", &["sue@contoso.com", "Outer", "Inner"]);
    t.ok("assign", &[A, "Wiki", "Outer"]);
    t.ok("leave", &["sue@contoso.com", "Inner"]);
    t.ok("leave", &["sue@contoso.com", "Outer"]);
    let (inner, outer) = (id(&t, "Inner"), id(&t, "Outer"));
    let routes = t.t.routes(t.uix("tom@contoso.com"), t.rix("Wiki"));
    // tom may join the open inner group (via [Inner, Outer]), or sue adds him to either.
    let got: Vec<_> = routes.iter().map(|r| (r.kind, r.via.clone())).collect();
    assert_eq!(
        got,
        [
            (RouteKind::Join, vec![inner.clone(), outer.clone()]),
            (RouteKind::AddedByOwner, vec![outer.clone()]),
            (RouteKind::AddedByOwner, vec![inner.clone(), outer.clone()]),
        ]
    );
    // The owner adds themselves to either group: no helpers first, by group creation order.
    let sue = t.t.routes(t.uix("sue@contoso.com"), t.rix("Wiki"));
    let kinds: Vec<_> = sue.iter().map(|r| (r.kind, r.group.clone().unwrap())).collect();
    assert_eq!(
        kinds,
        [(RouteKind::AddSelf, outer.clone()), (RouteKind::Join, inner.clone()), (RouteKind::AddSelf, inner)]
    );
    // An application reaches direct members only: the inner group is not considered.
    t.ok("create_resource", &[A, "App"]);
    t.ok("assign", &[A, "App", "Outer"]);
    let app = t.t.routes(t.uix("tom@contoso.com"), t.rix("App"));
    assert!(app.iter().all(|r| r.group.as_deref() == Some(outer.as_str())), "{app:?}");
}

#[test]
fn r12_2_role_holders_blocked_and_disabled_users_have_no_routes() {
    let mut t = delegated();
    let app = t.rix("Salesforce");
    t.ok("block", &[A, "Salesforce", "zoe@contoso.com"]);
    assert!(t.t.routes(t.uix("zoe@contoso.com"), app).is_empty());
    t.enable("dee@contoso.com", false);
    let exposure = t.t.exposure(app);
    let status = |upn: &str| exposure.iter().find(|e| e.user == id(&t, upn)).unwrap().status;
    assert_eq!(status("zoe@contoso.com"), Status::Blocked);
    assert_eq!(status("dee@contoso.com"), Status::Disabled);
    assert!(t.t.routes(t.uix(A), app).is_empty());
    // Self-service off: only an administrator can grant access.
    t.okk("configure", &[A], &[("delegated_group_management", b(false))]);
    let exposure = t.t.exposure(app);
    assert_eq!(exposure.iter().find(|e| e.user == id(&t, "manager@contoso.com")).unwrap().status, Status::AdminOnly);
}

#[test]
fn r12_5_a_what_if_change_of_settings() {
    let t = delegated();
    let mut what_if = t.t.fork();
    assert!(diff(&t.t, &what_if).is_empty());
    // Scope some: the SSGM group appears, owners are no longer eligible and lose their
    // members' management (R-2.3, R-2.4, R-4.8).
    let cmd = ssgm::call::build("configure", &[s(A)], &[("self_service_scope".into(), s("some"))]).unwrap();
    what_if.execute(cmd).unwrap();
    let d = diff(&t.t, &what_if);
    assert_eq!(d.settings.keys().collect::<Vec<_>>(), ["self_service_scope"]);
    assert_eq!(d.settings["self_service_scope"], serde_json::json!(["all", "some"]));
    let ssgm_group = what_if.groups().last().unwrap().1.id.clone();
    assert_eq!(d.objects.added, [ssgm_group]);
    assert!(d.objects.removed.is_empty() && d.access.gained.is_empty() && d.access.lost.is_empty());
    let lost: Vec<_> = d.capabilities.lost.iter().map(|(u, r, o)| (u.clone(), r.as_str(), o.clone())).collect();
    let (owner, users) = (id(&t, "owner@contoso.com"), id(&t, "Salesforce users"));
    assert!(
        lost.contains(&(owner.clone(), "manage_members", users.clone())) && lost.contains(&(owner, "decide", users)),
        "{lost:?}"
    );
    assert!(d.capabilities.gained.is_empty());
    // R-12.5: the mirror.
    let back = diff(&what_if, &t.t);
    assert_eq!(back.capabilities.gained, d.capabilities.lost);
    assert_eq!(back.objects.removed, d.objects.added);
}

#[test]
fn r12_5_membership_access_and_requests_in_a_diff() {
    let t = self_service();
    let mut after = t.t.fork();
    let mut x = T { t: after };
    let q = x.ok("request_to_join", &["joe@contoso.com", "Project X", "please"]);
    let d = diff(&t.t, &x.t);
    assert_eq!(d.objects.added, std::slice::from_ref(&q));
    assert!(d.requests.is_empty());
    let before = x.t.fork();
    x.ok("approve", &["siteb@contoso.com", &q]);
    x.ok("block", &[A, "Site B", "joe@contoso.com"]);
    after = x.t;
    let d = diff(&before, &after);
    let (joe, group) = (id(&t, "joe@contoso.com"), id(&t, "Project X"));
    assert_eq!(d.members.added, [(group, joe.clone())]);
    assert_eq!(d.access.gained, [(joe.clone(), id(&t, "Site A"))]);
    assert_eq!(d.blocks.added, [(id(&t, "Site B"), joe.clone())]);
    assert_eq!(d.requests, [(q, "pending".to_string(), "approved".to_string())]);
}

#[test]
fn r12_6_the_graph_and_its_dot_text() {
    let t = delegated();
    let (nodes, edges) = t.t.graph();
    assert_eq!(nodes.len(), t.t.users().len() + 2 + 1);
    // 2 memberships, 2 group owners, 2 assignments.
    let kinds: Vec<_> = edges.iter().map(|e| e.edge_type).collect();
    assert_eq!(kinds, ["member", "member", "owner", "owner", "assigned", "assigned"]);
    let dot = t.t.to_dot();
    let expected = format!(
        "  \"{}\" -> \"{}\" [type=\"member\", label=\"member\"];",
        id(&t, "Salesforce users"),
        id(&t, "ann@contoso.com")
    );
    assert!(dot.starts_with("digraph ssgm {\n") && dot.ends_with("}\n") && dot.contains(&expected), "{dot}");
    assert!(dot.contains(&format!(
        "\"{}\" [type=\"group\", label=\"Salesforce users\", kind=\"security\", on_premises=\"false\"];",
        id(&t, "Salesforce users")
    )));
    // The same state, the same text (a fork keeps the name; a replay renames).
    let replayed = Tenant::replay(t.t.history().iter().cloned(), None, "other name");
    assert_eq!(replayed.to_dot(), dot);
}

#[test]
fn apply_stops_at_the_first_refused_step() {
    let t = self_service();
    let mut fork = t.t.fork();
    let kim = id(&t, "kim@contoso.com");
    let steps = vec![
        Step {
            actor: kim.clone(),
            command: "request_to_join".into(),
            args: vec![id(&t, "Project X").into(), "hi".into()],
        },
        Step { actor: kim, command: "approve".into(), args: vec![serde_json::Value::Null] },
    ];
    let err = fork.apply_steps(&steps).unwrap_err();
    assert_eq!(err.code().map(|c| c.as_str()), Some("not_owner"));
    // The first step stays applied.
    assert_eq!(fork.requests().len(), t.t.requests().len() + 1);
    // An approve with no request before it is a type error naming the step.
    let lone =
        Step { actor: id(&t, "sitea@contoso.com"), command: "approve".into(), args: vec![serde_json::Value::Null] };
    assert!(matches!(step_command(&lone, None), Err(ssgm::Error::Type(m)) if m.contains("approve")));
}

// ----- properties over random tenants ------------------------------------------------------

const USERS: [&str; 6] = ["admin@c.com", "ga@c.com", "bob@c.com", "carol@c.com", "dan@c.com", "eve@c.com"];
const GROUPS: [&str; 4] = ["Alpha", "Beta", "Gamma", "Delta"];
const POLICIES: [&str; 3] = ["owner_approval", "open", "owners_only"];
const KINDS: [&str; 3] = ["security", "microsoft365", "distribution"];
const RESOURCES: [&str; 2] = ["App", "Site"];
const SETTINGS: [&str; 3] =
    ["delegated_group_management", "users_can_create_security_groups", "users_can_create_microsoft365_groups"];

fn base() -> Tenant {
    let mut t = T::new();
    t.user(USERS[0], &["global_admin"]);
    t.user(USERS[1], &["groups_admin"]);
    for u in &USERS[2..] {
        t.user(u, &[]);
    }
    t.okk("configure", &[USERS[0]], &SETTINGS.map(|k| (k, b(true))));
    t.okk("create_resource", &[USERS[0], "App"], &[("owners", l(&[USERS[5]]))]);
    t.okk("create_resource", &[USERS[0], "Site"], &[("kind", s("site")), ("owners", l(&[USERS[4]]))]);
    t.t
}

/// A command from small numbers: group and membership commands, requests and decisions,
/// assignments, blocks, settings.
fn command(op: u8, a: usize, x: usize, y: usize, t: &Tenant) -> Command {
    let actor = USERS[a % USERS.len()].to_string();
    let group = GROUPS[x % GROUPS.len()].to_string();
    let user = USERS[y % USERS.len()].to_string();
    let request = format!("req-{}", 1 + y % (t.requests().len() + 1));
    let resource = RESOURCES[y % 2].to_string();
    match op % 16 {
        0 | 1 => Command::CreateGroup {
            actor,
            name: group,
            kind: KINDS[y % KINDS.len()].into(),
            join_policy: Some(POLICIES[(y + x) % POLICIES.len()].into()),
            description: String::new(),
            owners: vec![],
            members: vec![],
            on_premises: false,
        },
        2 => Command::AddMember { actor, group, member: user },
        3 => Command::AddMember { actor, group, member: GROUPS[y % GROUPS.len()].into() },
        4 => Command::RemoveMember { actor, group, member: user },
        5 => Command::AddOwner { actor, group, user },
        6 => Command::RequestToJoin { actor, group, justification: "x".into() },
        7 => Command::Approve { actor, request, reason: String::new() },
        8 => Command::Deny { actor, request, reason: String::new() },
        9 => Command::UpdateGroup {
            actor,
            group,
            name: None,
            description: None,
            join_policy: Some(POLICIES[y % 3].into()),
        },
        10 => Command::DeleteGroup { actor, group },
        11 | 12 => Command::Assign { actor: USERS[0].into(), resource, principal: group },
        13 => Command::Block { actor, resource, user },
        14 => Command::Configure {
            actor: USERS[0].into(),
            settings: serde_json::json!({ SETTINGS[y % 3]: x % 2 == 0 }).as_object().cloned().unwrap(),
        },
        _ => Command::SetEnabled { user, enabled: y % 3 != 0 },
    }
}

fn tenant_from(steps: &[(u8, usize, usize, usize)]) -> Tenant {
    let mut t = base();
    for (op, a, x, y) in steps {
        let cmd = command(*op, *a, *x, *y, &t);
        let _ = t.execute(cmd);
    }
    t
}

fn steps() -> impl Strategy<Value = Vec<(u8, usize, usize, usize)>> {
    proptest::collection::vec((any::<u8>(), 0usize..6, 0usize..4, 0usize..6), 1..50)
}

/// The commands a capability stands for, by right, for `user` and `object` (R-12.1).
fn probes(t: &Tenant, user: &str, right: Right, object: &str) -> Vec<Command> {
    let actor = user.to_string();
    let o = object.to_string();
    match right {
        Right::Create => vec![Command::CreateGroup {
            actor,
            name: "Probe".into(),
            kind: o,
            join_policy: None,
            description: String::new(),
            owners: vec![],
            members: vec![],
            on_premises: false,
        }],
        Right::Change => {
            vec![Command::UpdateGroup { actor, group: o, name: None, description: Some("d".into()), join_policy: None }]
        }
        // Adding or removing the actor: one of them is a state the rules allow.
        Right::ManageMembers => {
            let g = t.find_group(object).unwrap();
            let member = t.user(t.find_user(user).unwrap()).unwrap().groups.contains(&g);
            if member {
                vec![Command::RemoveMember { actor: actor.clone(), group: o, member: actor }]
            } else {
                vec![Command::AddMember { actor: actor.clone(), group: o, member: actor }]
            }
        }
        Right::Join => vec![Command::RequestToJoin { actor, group: o, justification: "j".into() }],
        Right::ManageAccess => {
            let r = t.find_resource(object).unwrap();
            let u = t.find_user(user).unwrap();
            let res = t.resource(r).unwrap();
            let cmd = if res.blocked.contains(&u) {
                Command::Unblock { actor: actor.clone(), resource: o, user: actor }
            } else {
                Command::Block { actor: actor.clone(), resource: o, user: actor }
            };
            vec![cmd]
        }
        Right::ListMembers => vec![Command::ListMembers { actor, group: o }],
        Right::ListAccess => vec![Command::ListAccess { actor, resource: o }],
        // Whether a pending request could be decided: make one on a fork and check approve.
        Right::Decide => Vec::new(),
    }
}

/// Whether `user` could approve a pending request to join `group`: one is made on a fork
/// (self-service switched on for the moment, the policy set to owner_approval, which
/// approve does not read), the settings put back, and approve checked. None when no request
/// can be made (a group that takes no requests from users).
fn decide_check(t: &Tenant, user: &str, group: &str) -> Option<bool> {
    let mut f = t.fork();
    let configure = |on: bool| Command::Configure {
        actor: USERS[0].into(),
        settings: serde_json::json!({ "delegated_group_management": on }).as_object().cloned().unwrap(),
    };
    let _ = f.execute(Command::AddUser {
        upn: "probe@c.com".into(),
        display_name: None,
        department: None,
        roles: vec![],
        enabled: true,
        manager: None,
    });
    let _ = f.execute(configure(true));
    let _ = f.execute(Command::UpdateGroup {
        actor: USERS[1].into(),
        group: group.into(),
        name: None,
        description: None,
        join_policy: Some("owner_approval".into()),
    });
    let made = f.execute(Command::RequestToJoin {
        actor: "probe@c.com".into(),
        group: group.into(),
        justification: "j".into(),
    });
    let _ = f.execute(configure(t.settings().delegated_group_management));
    let Ok(Outcome::Request(q)) = made else { return None };
    if f.settings() != t.settings() {
        return None;
    }
    Some(f.check(&Command::Approve { actor: user.into(), request: q, reason: String::new() }).allowed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn r12_1_every_capability_agrees_with_check(steps in steps()) {
        let t = tenant_from(&steps);
        for u in t.users() {
            let listed: BTreeSet<(Right, String)> = t.capabilities(t.find_user(&u.id).unwrap()).into_iter().map(|c| (c.right, c.object)).collect();
            let mut objects: Vec<(Right, String)> = Vec::new();
            for kind in ["security", "microsoft365", "mail_enabled_security", "distribution"] {
                objects.push((Right::Create, kind.into()));
            }
            for (_, g) in t.groups() {
                for right in [Right::Change, Right::ManageMembers, Right::Decide, Right::Join, Right::ListMembers] {
                    objects.push((right, g.id.clone()));
                }
            }
            for r in t.resources() {
                objects.push((Right::ManageAccess, r.id.clone()));
                objects.push((Right::ListAccess, r.id.clone()));
            }
            for (right, object) in objects {
                let allowed = if right == Right::Decide {
                    match decide_check(&t, &u.id, &object) {
                        Some(allowed) => allowed,
                        None => continue,
                    }
                } else {
                    probes(&t, &u.id, right, &object).iter().all(|c| t.check(c).allowed)
                };
                prop_assert_eq!(listed.contains(&(right, object.clone())), allowed, "{} {:?} {}", u.upn, right, object);
            }
        }
    }

    #[test]
    fn r12_2_r12_3_every_route_applied_to_a_fork_gives_access(steps in steps()) {
        let t = tenant_from(&steps);
        for r in 0..t.resources().len() as u32 {
            let exposure = t.exposure(r);
            for (u, e) in exposure.iter().enumerate() {
                let routes = t.routes(u as u32, r);
                // R-12.3: the status and the route follow from the routes.
                let first = routes.first();
                prop_assert_eq!(e.route.as_ref(), if matches!(e.status, Status::OnTheirOwn | Status::Helper) { first } else { None });
                if e.status == Status::OnTheirOwn {
                    prop_assert!(first.is_some_and(|x| x.helpers.is_empty()));
                }
                if e.status == Status::AdminOnly || e.status == Status::Helper {
                    prop_assert!(routes.iter().all(|x| !x.helpers.is_empty()));
                }
                for route in &routes {
                    let mut fork = t.fork();
                    let mut made: Option<String> = None;
                    for step in &route.steps {
                        let cmd = step_command(step, made.as_deref()).unwrap();
                        let done = fork.execute(cmd.clone());
                        prop_assert!(done.is_ok(), "{:?} of {:?} refused: {:?}", step, route, done);
                        made = match done { Ok(Outcome::Request(q)) => Some(q), _ => None };
                    }
                    prop_assert!(fork.has_access_ix(u as u32, r), "{:?} did not give access", route);
                    // Every helper could take the helper's step.
                    for h in &route.helpers {
                        let mut fork = t.fork();
                        let mut made = None;
                        for step in &route.steps {
                            let mut step = step.clone();
                            if step.actor != t.users()[u].id {
                                step.actor = h.clone();
                            }
                            let done = fork.execute(step_command(&step, made.as_deref()).unwrap());
                            prop_assert!(done.is_ok(), "helper {} refused: {:?}", h, done);
                            made = match done { Ok(Outcome::Request(q)) => Some(q), _ => None };
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn r12_5_a_tenant_and_its_copies_do_not_differ(steps in steps()) {
        let t = tenant_from(&steps);
        prop_assert!(diff(&t, &t).is_empty());
        prop_assert!(diff(&t, &t.fork()).is_empty());
        let replayed = Tenant::replay(t.history().iter().cloned(), None, "r");
        prop_assert!(diff(&t, &replayed).is_empty(), "{:?}", diff(&t, &replayed));
        let loaded = snapshot::from_bytes(&snapshot::to_bytes(&t).unwrap(), "p").unwrap();
        prop_assert!(diff(&t, &loaded).is_empty());
        prop_assert_eq!(t.to_dot(), loaded.to_dot());
    }

    #[test]
    fn r12_5_diffs_mirror_and_access_is_the_set_difference(steps in steps(), more in steps()) {
        let a = tenant_from(&steps);
        let mut b = a.fork();
        for (op, x, y, z) in more {
            let cmd = command(op, x, y, z, &b);
            let _ = b.execute(cmd);
        }
        let ab = diff(&a, &b);
        let ba = diff(&b, &a);
        prop_assert_eq!(&ab.access.gained, &ba.access.lost);
        prop_assert_eq!(&ab.access.lost, &ba.access.gained);
        prop_assert_eq!(&ab.capabilities.gained, &ba.capabilities.lost);
        prop_assert_eq!(&ab.capabilities.lost, &ba.capabilities.gained);
        for (x, y) in [(&ab.members, &ba.members), (&ab.owners, &ba.owners), (&ab.assignments, &ba.assignments), (&ab.blocks, &ba.blocks)] {
            prop_assert_eq!(&x.added, &y.removed);
            prop_assert_eq!(&x.removed, &y.added);
        }
        prop_assert_eq!(&ab.objects.added, &ba.objects.removed);
        prop_assert_eq!(ab.settings.len(), ba.settings.len());
        prop_assert_eq!(ab.requests.len(), ba.requests.len());
        // The access part is the set difference of has_access over all pairs.
        let pairs = |t: &Tenant| -> BTreeSet<(String, String)> {
            let mut out = BTreeSet::new();
            for (u, user) in t.users().iter().enumerate() {
                for (r, res) in t.resources().iter().enumerate() {
                    if t.has_access_ix(u as u32, r as u32) {
                        out.insert((user.id.clone(), res.id.clone()));
                    }
                }
            }
            out
        };
        let (pa, pb) = (pairs(&a), pairs(&b));
        let gained: BTreeSet<_> = pb.difference(&pa).cloned().collect();
        let lost: BTreeSet<_> = pa.difference(&pb).cloned().collect();
        prop_assert_eq!(ab.access.gained.iter().cloned().collect::<BTreeSet<_>>(), gained);
        prop_assert_eq!(ab.access.lost.iter().cloned().collect::<BTreeSet<_>>(), lost);
        // Mixed-kind lists: by user creation order, then resource.
        let order = |t: &Tenant, list: &[(String, String)]| -> bool {
            let ix: Vec<(u32, u32)> = list.iter().map(|(u, r)| (t.find_user(u).unwrap(), t.find_resource(r).unwrap())).collect();
            ix.windows(2).all(|w| w[0] < w[1])
        };
        prop_assert!(order(&b, &ab.access.gained) && order(&a, &ab.access.lost));
    }
}
