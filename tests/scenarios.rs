//! The two scenarios of SPEC §0, end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;
use common::*;

#[test]
fn s0_delegated_group_management() {
    // the first scenario of §0.
    let mut t = T::with_admin(&[("delegated_group_management", b(true))]);
    t.user("owner@contoso.com", &[]);
    t.user("manager@contoso.com", &[]);
    for u in ["ann", "ben", "cid", "dee", "eve"] {
        t.user(&format!("{u}@contoso.com"), &[]);
    }
    let a = "admin@contoso.com";
    t.ok("create_resource", &[a, "Salesforce"]);
    // The admin creates a group owned by the business owner, with the current users.
    t.okk(
        "create_group",
        &[a, "Salesforce users"],
        &[("owners", l(&["owner@contoso.com"])), ("members", l(&["ann@contoso.com", "ben@contoso.com"]))],
    );
    t.ok("assign", &[a, "Salesforce", "Salesforce users"]);
    assert_eq!(t.who("Salesforce"), ["ann@contoso.com", "ben@contoso.com"]);
    // The business owner adds a user, who is provisioned at once.
    let before = t.t.provisioning_log().len();
    t.ok("add_member", &["owner@contoso.com", "Salesforce users", "cid@contoso.com"]);
    assert_eq!(
        t.provisioning_since(before),
        [("cid@contoso.com".to_string(), "Salesforce".to_string(), "provisioned")]
    );
    assert_eq!(t.t.provisioning_log().last().unwrap().cause, t.last_audit().seq);
    // A manager in another business group manages their own users.
    t.okk(
        "create_group",
        &[a, "Salesforce EMEA"],
        &[("owners", l(&["manager@contoso.com"])), ("members", l(&["dee@contoso.com"]))],
    );
    t.ok("assign", &[a, "Salesforce", "Salesforce EMEA"]);
    t.ok("add_member", &["manager@contoso.com", "Salesforce EMEA", "eve@contoso.com"]);
    // Neither can view or manage the other's users.
    assert_eq!(t.code("list_members", &["owner@contoso.com", "Salesforce EMEA"]), "not_owner");
    assert_eq!(t.code("list_members", &["manager@contoso.com", "Salesforce users"]), "not_owner");
    assert_eq!(t.code("add_member", &["manager@contoso.com", "Salesforce users", "eve@contoso.com"]), "not_owner");
    assert_eq!(t.code("remove_member", &["owner@contoso.com", "Salesforce EMEA", "dee@contoso.com"]), "not_owner");
    assert!(matches!(
        t.run("list_members", &["owner@contoso.com", "Salesforce users"]),
        Ok(Outcome::Members(m)) if m.len() == 3
    ));
    // The administrator sees everyone, and can block.
    assert_eq!(
        t.who("Salesforce"),
        ["ann@contoso.com", "ben@contoso.com", "cid@contoso.com", "dee@contoso.com", "eve@contoso.com"]
    );
    assert_eq!(t.code("list_access", &["owner@contoso.com", "Salesforce"]), "not_resource_owner");
    let before = t.t.provisioning_log().len();
    t.ok("block", &[a, "Salesforce", "eve@contoso.com"]);
    assert!(!t.has("eve@contoso.com", "Salesforce"));
    assert_eq!(
        t.provisioning_since(before),
        [("eve@contoso.com".to_string(), "Salesforce".to_string(), "deprovisioned")]
    );
    assert!(matches!(
        t.run("list_access", &[a, "Salesforce"]),
        Ok(Outcome::Users(u)) if u.len() == 4
    ));
}

#[test]
fn s0_self_service_group_management() {
    // the second scenario of §0.
    let mut t = T::open_tenant();
    t.user("sitea@contoso.com", &[]);
    t.user("siteb@contoso.com", &[]);
    t.user("appadmin@contoso.com", &["application_admin"]);
    t.user("joe@contoso.com", &[]);
    t.user("kim@contoso.com", &[]);
    let a = "admin@contoso.com";
    t.okk("create_resource", &[a, "Site A"], &[("kind", s("site")), ("owners", l(&["sitea@contoso.com"]))]);
    t.okk("create_resource", &[a, "Site B"], &[("kind", s("site")), ("owners", l(&["siteb@contoso.com"]))]);
    // Two site owners create one group and each gives it access to their site.
    t.okk("create_group", &["sitea@contoso.com", "Project X"], &[("join_policy", s("owner_approval"))]);
    t.ok("add_owner", &["sitea@contoso.com", "Project X", "siteb@contoso.com"]);
    t.ok("assign", &["sitea@contoso.com", "Site A", "Project X"]);
    t.ok("assign", &["siteb@contoso.com", "Site B", "Project X"]);
    // Anyone may ask; after approval they reach both sites.
    let r1 = t.ok("request_to_join", &["joe@contoso.com", "Project X", "I work on X"]);
    let r2 = t.ok("request_to_join", &["kim@contoso.com", "Project X", "me too"]);
    assert!(!t.has("joe@contoso.com", "Site A"));
    t.ok("approve", &["siteb@contoso.com", &r1]);
    t.ok("deny", &["sitea@contoso.com", &r2, "not on the project"]);
    assert!(t.has("joe@contoso.com", "Site A") && t.has("joe@contoso.com", "Site B"));
    assert!(!t.has("kim@contoso.com", "Site A"));
    // Later a SaaS application is assigned to the same group.
    t.ok("create_resource", &["appadmin@contoso.com", "Jira"]);
    let before = t.t.provisioning_log().len();
    t.ok("assign", &["appadmin@contoso.com", "Jira", "Project X"]);
    let got = t.provisioning_since(before);
    assert_eq!(got.len(), 2, "{got:?}"); // sitea (creator, member) and joe
    let r3 = t.ok("request_to_join", &["kim@contoso.com", "Project X", "now on the project"]);
    let before = t.t.provisioning_log().len();
    t.ok("approve", &["sitea@contoso.com", &r3]);
    assert_eq!(
        t.provisioning_since(before),
        [
            ("kim@contoso.com".to_string(), "Site A".to_string(), "provisioned"),
            ("kim@contoso.com".to_string(), "Site B".to_string(), "provisioned"),
            ("kim@contoso.com".to_string(), "Jira".to_string(), "provisioned"),
        ]
    );
}
