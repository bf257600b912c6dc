//! Checks that README.md shows the current diagram, statuses and events.
//!
//! Run `UPDATE_README=1 cargo test -p ip-status --test readme` to rewrite the
//! README's Mermaid block from `mermaid_diagram()`. The tables are written by
//! hand.

use std::path::PathBuf;

use ip_status::{mermaid_diagram, Status, TRANSITIONS};

const FENCE_START: &str = "```mermaid\n";
const FENCE_END: &str = "```";

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

fn read_readme() -> String {
    let path = readme_path();
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("failed to read {}: {err}", path.display()))
}

/// Finds the byte range of the first Mermaid block's contents, from after its
/// opening fence to the start of its closing fence.
fn mermaid_block_range(readme: &str) -> std::ops::Range<usize> {
    let start = readme
        .find(FENCE_START)
        .expect("README.md has no ```mermaid block")
        + FENCE_START.len();
    let length = readme[start..]
        .find(FENCE_END)
        .expect("the ```mermaid block in README.md is not closed");
    start..start + length
}

/// Finds the README table row that starts with `prefix`.
fn table_row<'a>(readme: &'a str, prefix: &str) -> Option<&'a str> {
    readme.lines().find(|line| line.starts_with(prefix))
}

#[test]
fn readme_diagram_matches_mermaid_diagram() {
    let mut readme = read_readme();
    let range = mermaid_block_range(&readme);
    let expected = mermaid_diagram();
    if readme[range.clone()] == expected {
        return;
    }

    if std::env::var_os("UPDATE_README").is_some() {
        readme.replace_range(range, &expected);
        std::fs::write(readme_path(), readme).expect("failed to write README.md");
        return;
    }
    panic!(
        "the Mermaid diagram in {} is out of date. Run \
         `UPDATE_README=1 cargo test -p ip-status --test readme` to rewrite it, \
         or replace the ```mermaid block with:\n{expected}",
        readme_path().display()
    );
}

#[test]
fn readme_lists_every_status() {
    let readme = read_readme();
    for status in Status::ALL {
        let row = table_row(&readme, &format!("| `{status}` |"));
        let Some(row) = row else {
            panic!("README.md has no table row for the status `{status}`");
        };
        let terminal = if status.is_terminal() { "yes" } else { "no" };
        assert!(
            row.ends_with(&format!("| {terminal} |")),
            "the README row of `{status}` should end in `| {terminal} |`: {row}"
        );
    }
}

#[test]
fn readme_lists_every_transition() {
    let readme = read_readme();
    for transition in TRANSITIONS {
        let prefix = format!(
            "| `{}` | `{}` | `{}` |",
            transition.event, transition.from, transition.to
        );
        assert!(
            table_row(&readme, &prefix).is_some(),
            "README.md has no events row starting with {prefix}"
        );
    }
}

/// Checks the diagram's shape against the subset of Mermaid's
/// `stateDiagram-v2` syntax it uses: `A --> B` or `A --> B: label`, where each
/// end is `[*]` or a status wire name and the label has no character that
/// Mermaid reads as syntax. `mermaid.parse` of Mermaid 11.17.2 accepted the
/// output with the eight rows of `TRANSITIONS`.
#[test]
fn mermaid_diagram_uses_state_edges() {
    let diagram = mermaid_diagram();
    let mut lines = diagram.lines();
    assert_eq!(lines.next(), Some("stateDiagram-v2"));

    let is_state = |name: &str| name == "[*]" || Status::parse(name).is_ok();
    for line in lines {
        let edge = line
            .strip_prefix("    ")
            .unwrap_or_else(|| panic!("edge not indented by four spaces: {line:?}"));
        let (states, label) = match edge.split_once(": ") {
            Some((states, label)) => (states, Some(label)),
            None => (edge, None),
        };
        let (from, to) = states
            .split_once(" --> ")
            .unwrap_or_else(|| panic!("line is not an edge: {line:?}"));
        assert!(is_state(from), "unknown start state in {line:?}");
        assert!(is_state(to), "unknown end state in {line:?}");
        if let Some(label) = label {
            assert!(
                !label.is_empty() && !label.contains([':', ';', '#', '{', '}', '%', '"']),
                "label with Mermaid syntax characters in {line:?}"
            );
        }
    }
}

#[test]
fn mermaid_diagram_has_one_edge_per_row() {
    let diagram = mermaid_diagram();
    for transition in TRANSITIONS {
        let edge = format!(
            "    {} --> {}: {}",
            transition.from, transition.to, transition.event
        );
        let count = diagram
            .lines()
            .filter(|line| line.starts_with(&edge))
            .count();
        assert_eq!(count, 1, "edges for {edge:?}");
    }
}
