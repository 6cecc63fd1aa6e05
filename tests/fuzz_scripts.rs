//! Fuzzing the Rhai runner: arbitrary text and token soup built from the API's own names
//! never panic; every failure is a `script_error` with a position. SSGM_FUZZ_CASES sets the
//! number of cases (dev/reliability.sh runs many).
#![cfg(feature = "scripting")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use ssgm::scripting::run_script_json;
use ssgm::{Code, Store, Tenant};

fn cases() -> u32 {
    std::env::var("SSGM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128)
}

const TOKENS: &[&str] = &[
    "let t = tenant(\"c\");", "let a = t.add_user(\"a@c.com\", #{ roles: [\"global_admin\"] });",
    "t.configure(a, #{ delegated_group_management: true });", "t.create_group(a, \"G\")", "t.add_member(",
    "t.request_to_join(a, \"G\", \"x\")", "t.approve(a, \"req-1\")", "t.who_has_access(\"App\")",
    "t.create_resource(a, \"App\")", "t.assign(a, \"App\", \"G\")", "load(\"/nonexistent\")", "save(",
    "loop { }", "while true { let x = 1; }", "fn f(n) { f(n + 1) } f(1)", "\"x\" * 1000000", "[0; 99999999]",
    "try { t.leave(a, \"G\") } catch (e) { e.code }", "assert(false)", "assert(1 == 2, \"no\")", "(", ")",
    "{", "}", "[", "]", ";", ",", "#{", "\u{0}", "é", "\"", "'", "`", "1/0", "t.events()",
    "t.replay(t.events())", "t.check(a, \"delete_group\", [\"G\"])", "import \"x\";", "t.fork()",
    "t.has_access_many([[a, \"App\"]])", "t.set_time(\"garbage\")", "t.advance(#{ days: -1 })",
];

fn check(result: ssgm::Result<serde_json::Value>) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        prop_assert_eq!(e.code(), Some(Code::ScriptError), "{}", e.message());
        prop_assert!(e.message().contains(':'), "no position in {}", e.message());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn r8_4_fuzz_rhai_runner_arbitrary_text(source in ".{0,200}") {
        check(run_script_json(&source, Some("fuzz.rhai"), None))?;
    }

    #[test]
    fn r8_4_fuzz_rhai_runner_token_soup(picks in proptest::collection::vec(0usize..TOKENS.len(), 0..12)) {
        let source: String = picks.iter().map(|i| TOKENS[*i]).collect::<Vec<_>>().join("\n");
        let store = Store::new(Tenant::new("fuzz"));
        check(run_script_json(&source, Some("soup.rhai"), Some(store)))?;
    }
}
