//! Criterion benchmarks of the core paths at 10k users (and has_access at 1M users).
//!
//! `cargo bench --bench core`; the 1M-user check is skipped unless `SSGM_BENCH_LARGE=1`.

mod common;

use common::{data, tenant, Rng, Shape};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ssgm::persist::snapshot;
use ssgm::{Command, Tenant};

fn pairs(t: &Tenant, n: usize) -> Vec<(u32, u32)> {
    let mut rng = Rng::new(7);
    let (users, resources) = (t.users().len(), t.resources().len());
    (0..n).map(|_| (rng.below(users) as u32, rng.below(resources) as u32)).collect()
}

fn bench_queries(c: &mut Criterion) {
    let t = tenant(&Shape::small());
    let ps = pairs(&t, 4096);
    let mut i = 0;
    c.bench_function("has_access/10k users", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            let (u, r) = ps[i];
            black_box(t.has_access_ix(u, r))
        })
    });
    c.bench_function("has_access by reference/10k users", |b| {
        b.iter(|| {
            let u = t.find_user(black_box("u1234")).unwrap_or(0);
            let r = t.find_resource(black_box("r7")).unwrap_or(0);
            black_box(t.has_access_ix(u, r))
        })
    });
    c.bench_function("who_has_access/all staff (10k)", |b| b.iter(|| black_box(t.who_has_access(0).len())));
    c.bench_function("access_of/10k users", |b| b.iter(|| black_box(t.access_of(1234).len())));
    if std::env::var("SSGM_BENCH_LARGE").is_ok() {
        let big = tenant(&Shape::large());
        let ps = pairs(&big, 4096);
        let mut i = 0;
        c.bench_function("has_access/1M users", |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                let (u, r) = ps[i];
                black_box(big.has_access_ix(u, r))
            })
        });
    }
}

fn bench_build(c: &mut Criterion) {
    let shape = Shape::small();
    let d = data(&shape);
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("import_directory/10k users", |b| {
        b.iter(|| {
            let mut t = Tenant::new("b");
            black_box(t.execute(Command::ImportDirectory { data: Box::new(d.clone()) }).is_ok())
        })
    });
    // Replay: a history of many small commands.
    let mut t = Tenant::new("r");
    let admin = Command::AddUser {
        upn: "admin@c.com".into(),
        display_name: None,
        department: None,
        roles: vec!["global_admin".into()],
        enabled: true,
        manager: None,
    };
    let _ = t.execute(admin);
    let _ = t.execute(Command::CreateResource {
        actor: "admin@c.com".into(),
        name: "App".into(),
        kind: "application".into(),
        owners: vec![],
    });
    let _ = t.execute(Command::CreateGroup {
        actor: "admin@c.com".into(),
        name: "G".into(),
        kind: "security".into(),
        join_policy: None,
        description: String::new(),
        owners: vec![],
        members: vec![],
        on_premises: false,
    });
    let _ = t.execute(Command::Assign { actor: "admin@c.com".into(), resource: "App".into(), principal: "G".into() });
    for i in 0..20_000 {
        let upn = format!("u{i}@c.com");
        let _ = t.execute(Command::AddUser {
            upn: upn.clone(),
            display_name: None,
            department: None,
            roles: vec![],
            enabled: true,
            manager: None,
        });
        let _ = t.execute(Command::AddMember { actor: "admin@c.com".into(), group: "G".into(), member: upn });
    }
    let history: Vec<Command> = t.history().to_vec();
    group.throughput(criterion::Throughput::Elements(history.len() as u64));
    group.bench_function("replay/40k commands", |b| {
        b.iter(|| black_box(Tenant::replay(history.iter().cloned(), None, "x").users().len()))
    });
    let big = tenant(&shape);
    let bytes = snapshot::to_bytes(&big).unwrap_or_default();
    group.throughput(criterion::Throughput::Bytes(bytes.len() as u64));
    group
        .bench_function("snapshot save/10k users", |b| b.iter(|| black_box(snapshot::to_bytes(&big).map(|b| b.len()))));
    group.bench_function("snapshot load/10k users", |b| {
        b.iter(|| black_box(snapshot::from_bytes(&bytes, "x").map(|t| t.users().len())))
    });
    group.finish();
}

criterion_group!(benches, bench_queries, bench_build);
criterion_main!(benches);
