//! `apply(steps)` (API.md): a route's steps, or any list of steps, run as commands in order.

use super::Step;
use crate::call::{self, Arg};
use crate::command::Command;
use crate::error::{Error, Result};
use crate::records::Outcome;
use crate::store::Store;
use crate::tenant::Tenant;
use serde_json::Value;

fn arg(value: &Value) -> Arg {
    match value {
        Value::Null => Arg::Null,
        Value::Bool(b) => Arg::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Arg::Int(i),
            None => Arg::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Arg::Str(s.clone()),
        Value::Array(items) => Arg::List(items.iter().map(arg).collect()),
        Value::Object(map) => Arg::Map(map.iter().map(|(k, v)| (k.clone(), arg(v))).collect()),
    }
}

/// The command of a step. `made`: the id of the request the step before made, which fills an
/// `approve` (or `deny`) step whose request is `null`. A trailing map holds keyword options.
pub fn step_command(step: &Step, made: Option<&str>) -> Result<Command> {
    let mut args: Vec<Arg> = vec![Arg::Str(step.actor.clone())];
    let mut kwargs: Vec<(String, Arg)> = Vec::new();
    for (i, value) in step.args.iter().enumerate() {
        match value {
            Value::Object(map) if i + 1 == step.args.len() => {
                kwargs = map.iter().map(|(k, v)| (k.clone(), arg(v))).collect();
            }
            Value::Null
                if i == 0
                    && matches!(
                        step.command.as_str(),
                        "approve" | "deny" | "approve_package_request" | "deny_package_request"
                    ) =>
            {
                match made {
                    Some(id) => args.push(Arg::Str(id.to_string())),
                    None => {
                        return Err(Error::type_error(format!(
                            "{} step has no request, and the step before it made none",
                            step.command
                        )))
                    }
                }
            }
            other => args.push(arg(other)),
        }
    }
    call::build(&step.command, &args, &kwargs)
}

/// The request a command's outcome names, for the step after it.
pub(crate) fn made_request(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Request(id) | Outcome::PackageRequest(id) => Some(id.clone()),
        _ => None,
    }
}

/// Runs `steps` in order through `execute`, each with the request an earlier step made.
fn run_steps(steps: &[Step], mut execute: impl FnMut(Command) -> Result<Outcome>) -> Result<Vec<Outcome>> {
    let mut out = Vec::with_capacity(steps.len());
    let mut made: Option<String> = None;
    for step in steps {
        let outcome = execute(step_command(step, made.as_deref())?)?;
        made = made_request(&outcome);
        out.push(outcome);
    }
    Ok(out)
}

impl Tenant {
    /// Runs `steps` in order (API.md `apply`); stops at the first refused step, returning its
    /// refusal (the steps before it stay applied: apply routes to a fork).
    pub fn apply_steps(&mut self, steps: &[Step]) -> Result<Vec<Outcome>> {
        run_steps(steps, |cmd| self.execute(cmd))
    }
}

impl Store {
    /// [`Tenant::apply_steps`] on a shared tenant, each step a command of its own.
    pub fn apply_steps(&self, steps: &[Step]) -> Result<Vec<Outcome>> {
        run_steps(steps, |cmd| self.execute(cmd))
    }
}
