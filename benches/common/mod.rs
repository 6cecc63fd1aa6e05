//! Deterministic tenants for the benchmarks.
#![allow(dead_code)]

use ssgm::model::{DirectoryData, GroupEntry, ResourceEntry, UserEntry};

/// A small deterministic generator (xorshift), so runs are repeatable without extra crates.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Shape of a generated tenant.
pub struct Shape {
    pub users: usize,
    pub groups: usize,
    pub groups_per_user: usize,
    pub resources: usize,
    pub groups_per_resource: usize,
    /// One "All staff" group holding every user, assigned to resource 0.
    pub all_staff: bool,
}

impl Shape {
    /// The comparison data of the performance issue: 10k users, 1k groups, 100 apps.
    pub fn small() -> Shape {
        Shape {
            users: 10_000,
            groups: 1_000,
            groups_per_user: 5,
            resources: 100,
            groups_per_resource: 10,
            all_staff: true,
        }
    }
    /// The scale target: 1M users, 100k groups, 10M memberships, 10k resources, 100k assignments.
    pub fn large() -> Shape {
        Shape {
            users: 1_000_000,
            groups: 100_000,
            groups_per_user: 10,
            resources: 10_000,
            groups_per_resource: 10,
            all_staff: false,
        }
    }
}

/// Import data for a shape; 1% of users are blocked from resource 0.
pub fn data(shape: &Shape) -> DirectoryData {
    let mut rng = Rng::new(42);
    let users: Vec<UserEntry> = (0..shape.users)
        .map(|i| UserEntry {
            id: Some(format!("u{i}")),
            upn: format!("user{i}@contoso.com"),
            display_name: None,
            department: None,
            roles: vec![],
            enabled: true,
            last_sign_in: None,
            manager: None,
        })
        .collect();
    let mut members: Vec<Vec<String>> = vec![Vec::new(); shape.groups];
    for i in 0..shape.users {
        let mut picked: Vec<usize> = Vec::with_capacity(shape.groups_per_user);
        while picked.len() < shape.groups_per_user.min(shape.groups) {
            let g = rng.below(shape.groups);
            if !picked.contains(&g) {
                picked.push(g);
            }
        }
        for g in picked {
            members[g].push(format!("u{i}"));
        }
    }
    let mut groups: Vec<GroupEntry> = members
        .into_iter()
        .enumerate()
        .map(|(i, m)| GroupEntry {
            id: Some(format!("g{i}")),
            name: format!("Group {i}"),
            description: String::new(),
            kind: "security".into(),
            join_policy: "owners_only".into(),
            owners: vec![],
            members: m,
            on_premises: false,
            created_by: None,
            renewed_at: None,
            expires_at: None,
            deleted_at: None,
        })
        .collect();
    if shape.all_staff {
        groups.push(GroupEntry {
            id: Some("all".into()),
            name: "All staff".into(),
            description: String::new(),
            kind: "security".into(),
            join_policy: "owners_only".into(),
            owners: vec![],
            members: (0..shape.users).map(|i| format!("u{i}")).collect(),
            on_premises: false,
            created_by: None,
            renewed_at: None,
            expires_at: None,
            deleted_at: None,
        });
    }
    let resources = (0..shape.resources)
        .map(|r| {
            let mut assigned: Vec<String> = Vec::new();
            while assigned.len() < shape.groups_per_resource.min(shape.groups) {
                let g = format!("g{}", rng.below(shape.groups));
                if !assigned.contains(&g) {
                    assigned.push(g);
                }
            }
            if r == 0 && shape.all_staff {
                assigned.push("all".into());
            }
            let blocked =
                if r == 0 { (0..shape.users / 100).map(|i| format!("u{}", i * 100)).collect() } else { vec![] };
            ResourceEntry {
                id: Some(format!("r{r}")),
                name: format!("App {r}"),
                kind: "application".into(),
                owners: vec![],
                assigned,
                blocked,
            }
        })
        .collect();
    DirectoryData { users, groups, resources, settings: None, report: None }
}

/// A tenant built from `data(shape)`.
pub fn tenant(shape: &Shape) -> ssgm::Tenant {
    let mut t = ssgm::Tenant::new("bench");
    let _ = t.execute(ssgm::Command::ImportDirectory { data: Box::new(data(shape)) });
    t
}
