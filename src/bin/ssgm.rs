//! The `ssgm` command: argv and the terminal only; the CLI is [`ssgm::scripting::cli_main`],
//! which `python -m ssgm` shares.

fn main() {
    let args = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    std::process::exit(ssgm::scripting::cli_main(args));
}
