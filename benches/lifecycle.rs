//! Benchmarks of timed events and the group lifecycle (SPEC §13).
//!
//! `cargo bench --bench lifecycle`:
//! - a clock move that fires nothing, on a tenant with 100k scheduled groups and (unless
//!   `SSGM_BENCH_SMALL=1`) on the 1M-user scale tenant: O(1), target ≤ 1 µs;
//! - `advance(days=365)` on 100k Microsoft 365 groups under `expiration_scope = all`, half of
//!   them active (so renewed automatically), firing every notice, renewal and expiry: ≤ 2 s.

mod common;

use common::{Shape, tenant};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use ssgm::import::{DirectoryData, GroupEntry, UserEntry};
use ssgm::{Command, Tenant};
use std::time::Instant;

const DAY: i64 = 86_400_000_000;

/// 100k Microsoft 365 groups of 10k users (one owner, three members each) under
/// `expiration_scope = all`; every other group has recorded activity.
fn lifecycle_tenant(groups: usize) -> Tenant {
    let users = 10_000;
    let data = DirectoryData {
        users: (0..users)
            .map(|i| UserEntry {
                id: Some(format!("u{i}")),
                upn: format!("user{i}@contoso.com"),
                display_name: None,
                department: None,
                roles: vec![],
                enabled: true,
            })
            .collect(),
        groups: (0..groups)
            .map(|g| GroupEntry {
                id: Some(format!("g{g}")),
                name: format!("Team {g}"),
                description: String::new(),
                kind: "microsoft365".into(),
                join_policy: "owners_only".into(),
                owners: vec![format!("u{}", g % users)],
                members: (1..4).map(|k| format!("u{}", (g * 7 + k) % users)).collect(),
                on_premises: false,
                created_by: None,
                renewed_at: None,
                expires_at: None,
                deleted_at: None,
            })
            .collect(),
        resources: vec![],
        settings: Some(serde_json::from_value(serde_json::json!({"expiration_scope": "all"})).unwrap_or_default()),
        report: None,
    };
    let mut t = Tenant::new("lifecycle");
    let _ = t.execute(Command::ImportDirectory { data: Box::new(data) });
    for g in (0..groups).step_by(2) {
        let _ = t.execute(Command::RecordActivity { group: format!("g{g}") });
    }
    t
}

fn quiet_moves(c: &mut Criterion) {
    let mut t = lifecycle_tenant(100_000);
    c.bench_function("lifecycle/clock move firing nothing/100k scheduled groups", |b| {
        b.iter(|| black_box(t.execute(Command::Advance { micros: 1 }).is_ok()))
    });
    if std::env::var("SSGM_BENCH_SMALL").is_err() {
        let mut big = tenant(&Shape::large());
        c.bench_function("lifecycle/clock move firing nothing/1M users", |b| {
            b.iter(|| black_box(big.execute(Command::Advance { micros: 1 }).is_ok()))
        });
    }
}

fn year_of_events(c: &mut Criterion) {
    let t = lifecycle_tenant(100_000);
    let before = t.audit_log().len();
    let mut once = t.fork();
    let t0 = Instant::now();
    let _ = once.execute(Command::Advance { micros: 365 * DAY });
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "lifecycle: advance(days=365) over 100k covered groups: {secs:.3} s, {} audit entries, {} notices, {} groups left",
        once.audit_log().len() - before,
        once.notification_log().len(),
        once.groups().count()
    );
    let mut group = c.benchmark_group("lifecycle");
    group.sample_size(10);
    group.bench_function("advance 365 days/100k Microsoft 365 groups (scope all)", |b| {
        b.iter_batched(|| t.fork(), |mut f| black_box(f.execute(Command::Advance { micros: 365 * DAY }).is_ok()), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, quiet_moves, year_of_events);
criterion_main!(benches);
