//! Benchmarks of timed events and the group lifecycle (SPEC §13).
//!
//! `cargo bench --bench lifecycle`:
//! - a clock move that fires nothing, on a tenant with 100k scheduled groups and (unless
//!   `SSGM_BENCH_SMALL=1`) on the 1M-user scale tenant: O(1), target ≤ 1 µs;
//! - `advance(days=365)` on 100k Microsoft 365 groups under `expiration_scope = all`, half of
//!   them active (so renewed automatically), firing every notice, renewal and expiry: ≤ 2 s.

mod common;

use common::{tenant, Shape};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use ssgm::{Command, Tenant};
use std::time::Instant;

const DAY: i64 = 86_400_000_000;

/// `groups` Microsoft 365 groups of 10k users (one owner, about three members each) under
/// `expiration_scope = all`; every other group has recorded activity.
fn lifecycle_tenant(groups: usize) -> Tenant {
    let shape = Shape {
        users: 10_000,
        groups,
        groups_per_user: 3 * groups / 10_000,
        resources: 0,
        groups_per_resource: 0,
        all_staff: false,
    };
    let mut data = common::data(&shape);
    for (g, entry) in data.groups.iter_mut().enumerate() {
        entry.kind = "microsoft365".into();
        entry.owners = vec![format!("u{}", g % shape.users)];
    }
    data.settings = serde_json::from_value(serde_json::json!({"expiration_scope": "all"})).ok();
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
        b.iter_batched(
            || t.fork(),
            |mut f| black_box(f.execute(Command::Advance { micros: 365 * DAY }).is_ok()),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, quiet_moves, year_of_events);
criterion_main!(benches);
