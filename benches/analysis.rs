//! Criterion benchmarks of the analysis queries (SPEC §12) at 10k users, and a report of
//! the 1M-user scale tenant's exposure, fork and diff.
//!
//! `cargo bench --bench analysis`; the 1M-user report runs unless `SSGM_BENCH_SMALL=1`.

mod common;

use common::{tenant, Shape};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ssgm::{Command, Tenant};
use std::time::Instant;

/// The small shape with self-service on, open and owner-approval groups and owners, so the
/// rules are asked about many allowed steps.
fn busy_tenant() -> Tenant {
    let mut shape = Shape::small();
    shape.all_staff = false;
    let mut d = common::data(&shape);
    for (i, g) in d.groups.iter_mut().enumerate() {
        g.join_policy = ["open", "owner_approval", "owners_only"][i % 3].into();
        g.owners = vec![format!("u{}", (i * 7) % shape.users), format!("u{}", (i * 13 + 1) % shape.users)];
    }
    for (i, r) in d.resources.iter_mut().enumerate() {
        r.owners = vec![format!("u{}", i * 17 % shape.users)];
    }
    let mut settings = serde_json::Map::new();
    for k in ["delegated_group_management", "users_can_create_security_groups", "users_can_create_microsoft365_groups"]
    {
        settings.insert(k.into(), true.into());
    }
    d.settings = Some(settings);
    let mut t = Tenant::new("busy");
    let _ = t.execute(Command::ImportDirectory { data: Box::new(d) });
    t
}

fn bench_small(c: &mut Criterion) {
    for (label, t) in [("busy", busy_tenant()), ("plain", tenant(&Shape::small()))] {
        let users = t.users().len() as u32;
        let mut i = 0;
        c.bench_function(&format!("routes/one user and app/10k users ({label})"), |b| {
            b.iter(|| {
                i = (i + 1) % users;
                black_box(t.routes(i, 1).len())
            })
        });
        let mut group = c.benchmark_group("analysis");
        group.sample_size(10);
        group.bench_function(format!("capabilities/every user of 10k ({label})"), |b| {
            b.iter(|| (0..users).map(|u| t.capabilities(u).len()).sum::<usize>())
        });
        group.bench_function(format!("exposure/app 1/10k users ({label})"), |b| {
            b.iter(|| black_box(t.exposure(1).len()))
        });
        group.bench_function(format!("gatekeepers/app 1 ({label})"), |b| b.iter(|| black_box(t.gatekeepers(1).len())));
        group.bench_function(format!("to_dot/10k users ({label})"), |b| b.iter(|| black_box(t.to_dot().len())));
        group.finish();
    }
}

/// The 1M-user targets, timed once each (a report, like `benches/scale.rs`).
fn scale_report(_: &mut Criterion) {
    if std::env::var("SSGM_BENCH_SMALL").is_ok() {
        return;
    }
    let t = tenant(&Shape::large());
    // The largest application: the most users with access.
    let (largest, size) = (0..t.resources().len() as u32)
        .map(|r| (r, t.who_has_access(r).len()))
        .max_by_key(|(_, n)| *n)
        .unwrap_or((0, 0));
    let t0 = Instant::now();
    let exposure = t.exposure(largest);
    let exposure_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut fork = t.fork();
    let fork_s = t1.elapsed().as_secs_f64();
    let mut settings = serde_json::Map::new();
    settings.insert("delegated_group_management".into(), true.into());
    let _ = fork.execute(Command::AddUser {
        upn: "admin@contoso.com".into(),
        display_name: None,
        department: None,
        roles: vec!["global_admin".into()],
        enabled: true,
        manager: None,
    });
    let _ = fork.execute(Command::Configure { actor: "admin@contoso.com".into(), settings });
    let t2 = Instant::now();
    let d = ssgm::analysis::diff(&t, &fork);
    let diff_s = t2.elapsed().as_secs_f64();
    println!(
        "scale: exposure of the largest app ({size} with access) over {} users: {exposure_s:.3} s",
        exposure.len()
    );
    println!("scale: fork: {fork_s:.3} s");
    println!(
        "scale: diff after one configure (and one new admin): {diff_s:.3} s ({} settings, {} objects added)",
        d.settings.len(),
        d.objects.added.len()
    );
}

criterion_group!(benches, bench_small, scale_report);
criterion_main!(benches);
