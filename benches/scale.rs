//! The scale report: import 1M users, 100k groups, 10M memberships, 10k resources and
//! 100k assignments; time it, check access, and report peak memory.
//!
//! `cargo bench --bench scale` (add `-- --users N` for another size).

mod common;

use common::{data, Rng, Shape};
use ssgm::{Command, Tenant};
use std::time::Instant;

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let mut shape = Shape::large();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--users") {
        if let Some(n) = args.get(i + 1).and_then(|v| v.parse::<usize>().ok()) {
            let f = n as f64 / shape.users as f64;
            shape.users = n;
            shape.groups = ((shape.groups as f64 * f) as usize).max(10);
            shape.resources = ((shape.resources as f64 * f) as usize).max(2);
        }
    }
    let t0 = Instant::now();
    let d = data(&shape);
    let gen = t0.elapsed();
    let before = rss_kib("VmRSS:");
    let t1 = Instant::now();
    let mut t = Tenant::new("scale");
    let outcome = t.execute(Command::ImportDirectory { data: Box::new(d) });
    let import = t1.elapsed();
    let after = rss_kib("VmRSS:");
    let counts = match outcome {
        Ok(ssgm::Outcome::Imported(c)) => c,
        other => {
            eprintln!("import failed: {other:?}");
            std::process::exit(1);
        }
    };
    let mut rng = Rng::new(3);
    let n = 1_000_000;
    let pairs: Vec<(u32, u32)> =
        (0..n).map(|_| (rng.below(t.users().len()) as u32, rng.below(t.resources().len()) as u32)).collect();
    let t2 = Instant::now();
    let granted = pairs.iter().filter(|(u, r)| t.has_access_ix(*u, *r)).count();
    let checks = t2.elapsed();
    println!("tenant: {:?}", counts.pairs());
    println!("generate data: {:.2} s", gen.as_secs_f64());
    println!("import_directory: {:.2} s", import.as_secs_f64());
    println!(
        "has_access: {:.1} ns per check over {n} random pairs ({granted} granted)",
        checks.as_nanos() as f64 / n as f64
    );
    println!(
        "memory: tenant {:.0} MiB (RSS after import - before, data dropped); peak RSS {:.0} MiB",
        (after.saturating_sub(before)) as f64 / 1024.0,
        rss_kib("VmHWM:") as f64 / 1024.0
    );
}
