//! A Mermaid state diagram drawn from the transition table.

use std::fmt::Write;

use crate::{Guard, TRANSITIONS};

/// Renders [`TRANSITIONS`] as a Mermaid `stateDiagram-v2`, one edge per row
/// labelled with its event (and its guard, if any). Terminal statuses get an
/// edge to the end state.
///
/// ```
/// let diagram = ip_status::mermaid_diagram();
/// assert!(diagram.starts_with("stateDiagram-v2\n"));
/// assert!(diagram.contains("draft --> waiting_to_print: confirm\n"));
/// ```
pub fn mermaid_diagram() -> String {
    let mut out = String::from("stateDiagram-v2\n");
    out.push_str("    [*] --> draft\n");

    for transition in TRANSITIONS {
        let guard = match transition.guard {
            Guard::None => "",
            Guard::TrackedService => " (tracked services only)",
            Guard::ReturnDetails => " (with date and reason)",
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "    {} --> {}: {}{}",
            transition.from, transition.to, transition.event, guard
        );
    }

    for status in crate::Status::ALL {
        if status.is_terminal() {
            let _ = writeln!(out, "    {status} --> [*]");
        }
    }
    out
}
