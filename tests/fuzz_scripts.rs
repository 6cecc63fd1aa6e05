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
    "let t = tenant(\"c\");",
    "let a = t.add_user(\"a@c.com\", #{ roles: [\"global_admin\"] });",
    "t.configure(a, #{ delegated_group_management: true });",
    "t.create_group(a, \"G\")",
    "t.add_member(",
    "t.request_to_join(a, \"G\", \"x\")",
    "t.approve(a, \"req-1\")",
    "t.who_has_access(\"App\")",
    "t.create_resource(a, \"App\")",
    "t.assign(a, \"App\", \"G\")",
    "load(\"/nonexistent\")",
    "save(",
    "loop { }",
    "while true { let x = 1; }",
    "fn f(n) { f(n + 1) } f(1)",
    "\"x\" * 1000000",
    "[0; 99999999]",
    "try { t.leave(a, \"G\") } catch (e) { e.code }",
    "assert(false)",
    "assert(1 == 2, \"no\")",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    "#{",
    "\u{0}",
    "é",
    "\"",
    "'",
    "`",
    "1/0",
    "t.events()",
    "t.replay(t.events())",
    "t.check(a, \"delete_group\", [\"G\"])",
    "import \"x\";",
    "t.fork()",
    "t.has_access_many([[a, \"App\"]])",
    "t.set_time(\"garbage\")",
    "t.advance(#{ days: -1 })",
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

proptest! {
    #![proptest_config(ProptestConfig { cases: cases().min(512), ..ProptestConfig::default() })]

    /// Deep data: arrays and maps nested to random depths, returned, printed or passed to a
    /// command, never crash the runner; what is too deep is a `script_error`.
    #[test]
    fn r9_fuzz_deep_data_never_crashes(depth in 0usize..4000, map in any::<bool>(), use_ in 0u8..3) {
        let wrap = if map { "#{ a: a }" } else { "[a]" };
        let tail = match use_ {
            0 => "a",
            1 => "print(a); `${a}`.len()",
            _ => "let t = tenant(\"f\"); let u = t.add_user(\"a@f.com\", #{ roles: [\"global_admin\"] }); t.configure(u, #{ bogus: a })",
        };
        let source = format!("let a = 1; for i in 0..{depth} {{ a = {wrap}; }}\n{tail}");
        let result = run_script_json(&source, Some("deep.rhai"), None);
        if use_ == 0 && depth <= 64 {
            prop_assert!(result.is_ok(), "{:?}", result);
        }
        check(result)?;
    }
}
