//! The figures a run produces and the table they are printed in.

use std::fmt::Write as _;

/// Whether a figure met its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Missed,
    /// The figure is context for another one and has no target.
    NoTarget,
}

impl Verdict {
    /// `Met` when `met`, else `Missed`.
    pub fn of(met: bool) -> Verdict {
        if met {
            Verdict::Met
        } else {
            Verdict::Missed
        }
    }

    fn label(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::NoTarget => "-",
        }
    }
}

/// One measured figure: a row of the results table.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The scenario that measured it: `ready`, `throughput`, …
    pub scenario: &'static str,
    pub name: String,
    pub value: String,
    /// The target in words, such as `under 50 ms`, or `-`.
    pub target: String,
    pub verdict: Verdict,
    /// The method behind the value, or the figure it is compared with.
    pub detail: String,
}

impl Figure {
    /// Creates a figure with a target.
    pub fn with_target(
        scenario: &'static str,
        name: impl Into<String>,
        value: impl Into<String>,
        target: impl Into<String>,
        met: bool,
    ) -> Figure {
        Figure {
            scenario,
            name: name.into(),
            value: value.into(),
            target: target.into(),
            verdict: Verdict::of(met),
            detail: String::new(),
        }
    }

    /// Creates a figure without a target, given for context.
    pub fn context(
        scenario: &'static str,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Figure {
        Figure {
            scenario,
            name: name.into(),
            value: value.into(),
            target: "-".to_owned(),
            verdict: Verdict::NoTarget,
            detail: String::new(),
        }
    }

    /// Sets the detail column.
    pub fn detail(mut self, detail: impl Into<String>) -> Figure {
        self.detail = detail.into();
        self
    }
}

/// The machine and the moment of a run, printed above the table.
#[derive(Debug, Clone)]
pub struct Machine {
    /// `model name` of the first processor in `/proc/cpuinfo`.
    pub cpu_model: String,
    pub cores: usize,
    /// The first three fields of `/proc/loadavg` when the run started.
    pub load_at_start: String,
    /// The output of `date -u` when the run started.
    pub date: String,
}

impl Machine {
    /// Reads the processor model, core count, load and date. Any value that
    /// cannot be read is reported as `unknown`.
    pub fn describe() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|line| line.strip_prefix("model name"))
                    .and_then(|rest| rest.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        let date = std::process::Command::new("date")
            .arg("-u")
            .output()
            .ok()
            .and_then(|output| String::from_utf8(output.stdout).ok())
            .map(|date| date.trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        Machine {
            cpu_model,
            cores,
            load_at_start: load_average(),
            date,
        }
    }
}

/// Reads the 1, 5 and 15 minute load averages from `/proc/loadavg`, or
/// returns `unknown`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

const HEADERS: [&str; 6] = ["scenario", "figure", "value", "target", "result", "detail"];

fn cells(figure: &Figure) -> [&str; 6] {
    [
        figure.scenario,
        &figure.name,
        &figure.value,
        &figure.target,
        figure.verdict.label(),
        &figure.detail,
    ]
}

/// Renders the figures as a plain-text table with aligned columns.
pub fn render_text(figures: &[Figure]) -> String {
    let mut widths = HEADERS.map(|header| header.chars().count());
    for figure in figures {
        for (width, cell) in widths.iter_mut().zip(cells(figure)) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    let mut line = |row: [&str; 6]| {
        let padded: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(HEADERS);
    line(
        widths
            .map(|width| "-".repeat(width))
            .each_ref()
            .map(String::as_str),
    );
    for figure in figures {
        line(cells(figure));
    }
    out
}

/// Renders the figures as a Markdown table.
pub fn render_markdown(figures: &[Figure]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", HEADERS.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(HEADERS.len()));
    for figure in figures {
        let row = cells(figure).map(|cell| cell.replace('|', "\\|"));
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> Vec<Figure> {
        vec![
            Figure::with_target("ready", "median", "4.1 ms", "under 50 ms", true),
            Figure::context("ready", "baseline median", "3.0 ms").detail("a|b"),
        ]
    }

    #[test]
    fn text_table_aligns_columns() {
        let text = render_text(&figures());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("scenario"));
        assert_eq!(lines[2].find("4.1 ms"), lines[3].find("3.0 ms"));
        assert!(lines[2].contains("met"));
    }

    #[test]
    fn markdown_escapes_pipes() {
        let markdown = render_markdown(&figures());
        assert!(markdown.contains("a\\|b"));
        assert_eq!(markdown.lines().count(), 4);
    }
}
