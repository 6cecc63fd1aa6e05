//! Helpers for the core's integration tests: commands by name, as the faces give them.
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub use ssgm::call::{Arg, HandleKind};
pub use ssgm::{Code, Command, Outcome, Tenant};

/// A string argument.
pub fn s(x: &str) -> Arg {
    Arg::Str(x.to_string())
}

/// A bool argument.
pub fn b(x: bool) -> Arg {
    Arg::Bool(x)
}

/// A list of strings.
pub fn l(xs: &[&str]) -> Arg {
    Arg::List(xs.iter().map(|x| s(x)).collect())
}

/// A tenant under test.
pub struct T {
    pub t: Tenant,
}

impl Default for T {
    fn default() -> Self {
        T::new()
    }
}

impl T {
    pub fn new() -> T {
        T { t: Tenant::new("contoso") }
    }

    /// Runs a command by name with positional string args.
    pub fn run(&mut self, name: &str, args: &[&str]) -> ssgm::Result<Outcome> {
        self.runk(name, args, &[])
    }

    /// Runs a command by name with positional string args and keyword args.
    pub fn runk(&mut self, name: &str, args: &[&str], kwargs: &[(&str, Arg)]) -> ssgm::Result<Outcome> {
        let args: Vec<Arg> = args.iter().map(|a| s(a)).collect();
        let kwargs: Vec<(String, Arg)> = kwargs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let cmd = ssgm::call::build(name, &args, &kwargs).expect("arguments bind");
        self.t.execute(cmd)
    }

    /// Runs a command that must succeed; returns the id it created, if any.
    pub fn ok(&mut self, name: &str, args: &[&str]) -> String {
        self.okk(name, args, &[])
    }

    pub fn okk(&mut self, name: &str, args: &[&str], kwargs: &[(&str, Arg)]) -> String {
        match self.runk(name, args, kwargs) {
            Ok(Outcome::User(id) | Outcome::Group(id) | Outcome::Resource(id) | Outcome::Request(id)) => id,
            Ok(_) => String::new(),
            Err(e) => panic!("{name}{args:?} was refused: {} ({:?})", e.message(), e.code()),
        }
    }

    /// Runs a command that must be refused; returns its code.
    pub fn code(&mut self, name: &str, args: &[&str]) -> &'static str {
        self.codek(name, args, &[])
    }

    pub fn codek(&mut self, name: &str, args: &[&str], kwargs: &[(&str, Arg)]) -> &'static str {
        match self.runk(name, args, kwargs) {
            Ok(o) => panic!("{name}{args:?} was allowed: {o:?}"),
            Err(e) => e.code().map(|c| c.as_str()).unwrap_or("type_error"),
        }
    }

    /// The dry-run decision's code ("" when allowed).
    pub fn check(&self, name: &str, args: &[&str]) -> &'static str {
        let args: Vec<Arg> = args.iter().map(|a| s(a)).collect();
        let cmd = ssgm::call::build(name, &args, &[]).expect("arguments bind");
        let d = self.t.check(&cmd);
        d.code.map(|c| c.as_str()).unwrap_or("")
    }

    pub fn enable(&mut self, user: &str, enabled: bool) {
        let cmd = ssgm::call::build("set_enabled", &[s(user), b(enabled)], &[]).expect("binds");
        self.t.execute(cmd).expect("set_enabled");
    }

    pub fn user(&mut self, upn: &str, roles: &[&str]) -> String {
        self.okk("add_user", &[upn], &[("roles", l(roles))])
    }

    /// Global admin `admin@contoso.com`, with self-service settings as given.
    pub fn with_admin(settings: &[(&str, Arg)]) -> T {
        let mut t = T::new();
        t.user("admin@contoso.com", &["global_admin"]);
        t.okk("configure", &["admin@contoso.com"], settings);
        t
    }

    /// Self-service on, users may create security and Microsoft 365 groups.
    pub fn open_tenant() -> T {
        T::with_admin(&[
            ("delegated_group_management", b(true)),
            ("users_can_create_security_groups", b(true)),
            ("users_can_create_microsoft365_groups", b(true)),
        ])
    }

    pub fn uix(&self, r: &str) -> u32 {
        self.t.find_user(r).expect("user")
    }
    pub fn gix(&self, r: &str) -> u32 {
        self.t.find_group(r).expect("group")
    }
    pub fn rix(&self, r: &str) -> u32 {
        self.t.find_resource(r).expect("resource")
    }

    pub fn has(&self, user: &str, resource: &str) -> bool {
        self.t.has_access_ix(self.uix(user), self.rix(resource))
    }

    /// Upns of the users with access to a resource.
    pub fn who(&self, resource: &str) -> Vec<String> {
        self.t.who_has_access(self.rix(resource)).into_iter().map(|u| self.t.user(u).unwrap().upn.clone()).collect()
    }

    /// Member ids of a group.
    pub fn members(&self, group: &str) -> Vec<String> {
        let g = self.t.group(self.gix(group)).unwrap();
        g.members.iter().map(|p| self.t.principal_id(*p).to_string()).collect()
    }

    pub fn last_audit(&self) -> ssgm::AuditEntry {
        self.t.audit_log().last().cloned().unwrap()
    }

    /// (user upn, resource name, change) of the provisioning log, from entry `from` on.
    pub fn provisioning_since(&self, from: usize) -> Vec<(String, String, &'static str)> {
        self.t.provisioning_log()[from..]
            .iter()
            .map(|e| {
                let u = self.t.find_user(&e.user).unwrap();
                let r = self.t.find_resource(&e.resource).unwrap();
                (self.t.user(u).unwrap().upn.clone(), self.t.resource(r).unwrap().name.clone(), e.change.as_str())
            })
            .collect()
    }
}

/// The tenant a journal holds after `history` was executed through it and it was reopened.
pub fn through_journal(history: &[Command]) -> Tenant {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.journal");
    {
        let opened = ssgm::persist::journal::Journal::open(&path, "contoso", Default::default()).unwrap();
        let store = ssgm::Store::with_journal(opened.tenant, opened.journal);
        for cmd in history {
            let _ = store.execute(cmd.clone());
        }
    }
    ssgm::persist::journal::Journal::open(&path, "contoso", Default::default()).unwrap().tenant
}

// ----- the clock and the whole state (R-8.3, R-8.4, R-8.7) -------------------------------------

/// One day of the logical clock, in microseconds.
pub const DAY: i64 = 86_400_000_000;

/// The instant `days` after the clock's start.
pub fn at(days: i64) -> ssgm::model::Timestamp {
    ssgm::model::EPOCH_START + days * DAY
}

/// Everything a tenant holds, logs and scheduled events included, as one comparable text.
pub fn state(t: &Tenant) -> String {
    serde_json::to_string(&ssgm::persist::state::State::of(t)).unwrap()
}

impl T {
    /// Moves the clock `days` on, firing what falls due.
    pub fn advance_days(&mut self, days: i64) {
        self.t.execute(Command::Advance { micros: days * DAY }).unwrap();
    }
}
