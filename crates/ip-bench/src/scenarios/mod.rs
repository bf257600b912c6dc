//! The scenarios, each a function from a [`Context`] to its figures.

pub mod ready;
pub mod scale;
pub mod sim;
pub mod throughput;

use crate::report::Figure;
use crate::{Context, Error};

/// Every scenario by name, in the order `ip-bench` runs them.
pub const NAMES: [&str; 5] = ["ready", "throughput", "scale", "sim", "status"];

/// Runs the scenario called `name`.
///
/// # Errors
///
/// For an unknown name, or when the scenario fails.
pub fn run(name: &str, context: &Context) -> Result<Vec<Figure>, Error> {
    match name {
        "ready" => ready::run(context),
        "throughput" => throughput::run(context),
        "scale" => scale::run(context),
        "sim" => sim::run(context),
        "status" => match &context.criterion_dir {
            Some(dir) => crate::criterion::figures(dir),
            None => Err("the status scenario needs --criterion-dir".into()),
        },
        other => Err(format!(
            "unknown scenario {other:?}; expected one of: {}",
            NAMES.join(", ")
        )
        .into()),
    }
}

/// A single-threaded runtime for the load generator, so that it uses at most
/// one of the cores it shares with the server under test.
pub(crate) fn client_runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
