//! Criterion benchmarks of access packages (SPEC §15) at 100k assignments.
//!
//! `cargo bench --bench packages`:
//! - `deliver and expire/100k assignments, 3 groups`: 100k `assign_package` commands of a
//!   package of 3 groups (one assigned an application), then one `advance` past their expiry,
//!   which fires 100k expiry events (budget: 2 s in total);
//! - `decide/check approve at 100k assignments`: the decision of an `approve_package_request`
//!   (a dry run, R-10.11) on a tenant holding 100k active assignments (budget: 10 µs);
//! - `decide/approve and deliver at 100k assignments`: the same approval executed, delivery
//!   and audit included.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use ssgm::call::{build, Arg};
use ssgm::DirectoryData;
use ssgm::{Command, Tenant};
use std::time::{Duration, Instant};

const N: usize = 100_000;
const ADMIN: &str = "admin@c.com";
const DAY: i64 = 86_400_000_000;

fn s(x: &str) -> Arg {
    Arg::Str(x.to_string())
}

fn run(t: &mut Tenant, name: &str, args: &[Arg], kw: &[(&str, Arg)]) {
    let kw: Vec<(String, Arg)> = kw.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let done = build(name, args, &kw).and_then(|cmd| t.execute(cmd));
    assert!(done.is_ok(), "{name}: {done:?}");
}

/// Admin, `users` users, dave (the approver), groups A, B, C (A assigned to App), a package
/// of the three with a direct policy expiring after 30 days and a one-stage policy for all.
fn base(users: usize) -> Tenant {
    let mut t = Tenant::new("bench");
    let entries: Vec<serde_json::Value> = std::iter::once(serde_json::json!({"upn": ADMIN, "roles": ["global_admin"]}))
        .chain(std::iter::once(serde_json::json!({"upn": "dave@c.com"})))
        .chain((0..users).map(|i| serde_json::json!({"upn": format!("u{i}@c.com")})))
        .collect();
    if let Ok(data) = DirectoryData::from_value(serde_json::json!({
        "users": entries,
        "groups": [{"id": "gA", "name": "A"}, {"id": "gB", "name": "B"}, {"id": "gC", "name": "C"}],
        "resources": [{"name": "App", "assigned": ["gA"]}],
    })) {
        let imported = t.execute(Command::ImportDirectory { data: Box::new(data) });
        assert!(imported.is_ok(), "{imported:?}");
    }
    let groups = Arg::List(vec![s("A"), s("B"), s("C")]);
    run(&mut t, "create_package", &[s(ADMIN), s("Kit")], &[("groups", groups)]);
    run(&mut t, "create_policy", &[s(ADMIN), s("Kit"), s("Direct")], &[("expires", Arg::Int(30))]);
    let stage = Arg::Map(vec![("approvers".into(), Arg::List(vec![s("dave@c.com")]))]);
    run(
        &mut t,
        "create_policy",
        &[s(ADMIN), s("Kit"), s("Ask")],
        &[("requestors", s("all")), ("stages", Arg::List(vec![stage])), ("justification_required", Arg::Bool(false))],
    );
    t
}

fn assign_all(t: &mut Tenant, from: usize, to: usize) {
    for i in from..to {
        let cmd = Command::AssignPackage {
            actor: ADMIN.into(),
            package: "Kit".into(),
            user: format!("u{i}@c.com"),
            policy: "Direct".into(),
            justification: String::new(),
        };
        let _ = t.execute(cmd);
    }
}

fn bench_deliver_and_expire(c: &mut Criterion) {
    let start = base(N);
    let mut group = c.benchmark_group("deliver and expire");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.bench_function("100k assignments, 3 groups", |b| {
        b.iter_batched(
            || start.fork(),
            |mut t| {
                assign_all(&mut t, 0, N);
                let _ = t.execute(Command::Advance { micros: 31 * DAY });
                assert_eq!(t.package_data().assignments.len(), N);
                assert_eq!(t.provisioning_log().len(), 2 * N, "each user gains and loses App");
                black_box(t.audit_log().len())
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn bench_decide(c: &mut Criterion) {
    // 100k active assignments, and pending requests of users without one.
    const POOL: usize = 20_000;
    let mut t = base(N + POOL);
    assign_all(&mut t, 0, N);
    assert_eq!(t.package_data().assignments.len(), N);
    let mut pending = Vec::with_capacity(POOL);
    for i in N..N + POOL {
        let cmd = Command::RequestPackage {
            actor: format!("u{i}@c.com"),
            package: "Kit".into(),
            justification: String::new(),
            policy: None,
        };
        if let Ok(ssgm::Outcome::PackageRequest(id)) = t.execute(cmd) {
            pending.push(id);
        }
    }
    assert_eq!(pending.len(), POOL);
    let approve = |id: &str| Command::ApprovePackageRequest {
        actor: "dave@c.com".into(),
        request: id.to_string(),
        justification: String::new(),
    };
    let mut group = c.benchmark_group("decide");
    let mut i = 0;
    group.bench_function("check approve at 100k assignments", |b| {
        b.iter(|| {
            i = (i + 1) % pending.len().max(1);
            black_box(t.check(&approve(&pending[i])).allowed)
        })
    });
    group.bench_function("approve and deliver at 100k assignments", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0u64;
            while done < iters {
                let mut x = t.fork();
                for id in pending.iter().take((iters - done) as usize) {
                    let cmd = approve(id);
                    let at = Instant::now();
                    let ok = x.execute(cmd).is_ok();
                    total += at.elapsed();
                    black_box(ok);
                    done += 1;
                }
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench_deliver_and_expire, bench_decide);
criterion_main!(benches);
