//! Criterion benchmarks of access reviews (SPEC §14) on a group of 100k direct members, with
//! an application assigned to it: `create_review` (the snapshot, R-14.5), and `apply_review`
//! with nothing denied (the apply itself) and with 1% denied (plus the removals and
//! their provisioning, R-14.11).
//!
//! `cargo bench --bench reviews`. Targets (issue 13): create ≤ 50 ms; apply ≤ 100 ms plus the
//! access that changes.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ssgm::{Command, DirectoryData, Tenant};

const MEMBERS: usize = 100_000;
const ADMIN: &str = "admin@contoso.com";

/// An admin, 100k users, all direct members of "Big", which is assigned an application; half
/// of the users signed in recently, so recommendations differ.
fn tenant() -> Tenant {
    let users: Vec<serde_json::Value> =
        std::iter::once(serde_json::json!({"id": "admin", "upn": ADMIN, "roles": ["global_admin"]}))
            .chain((0..MEMBERS).map(|i| {
                let mut u = serde_json::json!({"id": format!("u{i}"), "upn": format!("user{i}@contoso.com")});
                if i % 2 == 0 {
                    u["last_sign_in"] = "2016-06-01T00:00:00Z".into();
                }
                u
            }))
            .collect();
    let members: Vec<String> = (0..MEMBERS).map(|i| format!("u{i}")).collect();
    let data = serde_json::json!({
        "users": users,
        "groups": [{"id": "big", "name": "Big", "owners": ["u0"], "members": members}],
        "resources": [{"id": "app", "name": "App", "assigned": ["big"]}],
    });
    let mut t = Tenant::new("bench");
    let data = DirectoryData::from_value(data).unwrap_or_default();
    let _ = t.execute(Command::ImportDirectory { data: Box::new(data) });
    t
}

fn create(default_decision: &str) -> Command {
    Command::CreateReview {
        actor: ADMIN.into(),
        name: "Q3".into(),
        groups: vec!["Big".into()],
        reviewer_type: "owners".into(),
        reviewers: vec![],
        fallback_reviewers: vec![],
        duration_days: 14,
        default_decision: default_decision.into(),
        auto_apply: false,
        justification_required: false,
    }
}

/// A tenant whose review `rev-1` is completed: approved by default, with every
/// `deny_every`-th member denied by the owner (0: none).
fn completed(base: &Tenant, deny_every: usize) -> Tenant {
    let mut t = base.clone();
    let _ = t.execute(create("approve"));
    if deny_every > 0 {
        for i in (0..MEMBERS).step_by(deny_every) {
            let _ = t.execute(Command::DecideReview {
                actor: "u0".into(),
                review: "rev-1".into(),
                user: format!("u{i}"),
                decision: "deny".into(),
                justification: String::new(),
            });
        }
    }
    let _ = t.execute(Command::StopReview { actor: ADMIN.into(), review: "rev-1".into() });
    t
}

fn bench(c: &mut Criterion) {
    let base = tenant();
    let mut group = c.benchmark_group("reviews");
    group.sample_size(10);
    group.bench_function("create_review/group of 100k members", |b| {
        b.iter_batched(
            || base.clone(),
            |mut t| {
                let r = t.execute(create("recommendation"));
                (t, r) // dropped untimed
            },
            BatchSize::LargeInput,
        )
    });
    let apply = || Command::ApplyReview { actor: ADMIN.into(), review: "rev-1".into() };
    for (label, deny_every) in [
        ("none denied", 0),
        ("1% denied (1k removals, 1k deprovisioned)", 100),
        ("all denied (100k removals, 100k deprovisioned)", 1),
    ] {
        let done = completed(&base, deny_every);
        group.bench_function(format!("apply_review/100k items, {label}"), |b| {
            b.iter_batched(
                || done.clone(),
                |mut t| {
                    let r = t.execute(apply());
                    (t, r)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
