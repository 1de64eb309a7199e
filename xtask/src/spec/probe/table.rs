//! The probe report as the table `cargo xtask probe` prints.

use std::fmt::Write as _;

use super::{Outcome, Report};

pub fn render(report: &Report) -> String {
    let width = report.rows.iter().map(|r| r.operation.len()).chain(["operation".len()]).max().unwrap_or(0);
    let mut out = format!("probe of {}\n", report.base_url);
    if let Some(failure) = &report.login_failure {
        let _ = writeln!(out, "login failed: {failure}");
    }
    let _ = writeln!(out, "{:width$}  status  result", "operation");
    for row in &report.rows {
        let status = row.status.map_or("-".to_owned(), |s| s.to_string());
        let result = match &row.outcome {
            Outcome::Conforms => "conforms".to_owned(),
            Outcome::Mismatches { total, .. } => {
                format!("{total} mismatch{}", if *total == 1 { "" } else { "es" })
            }
            Outcome::NotJson(what) => what.clone(),
            Outcome::Unexpected(what) => format!("error: {what}"),
            Outcome::Failed(what) => format!("failed: {what}"),
            Outcome::Skipped(why) => format!("skipped: {why}"),
        };
        let _ = writeln!(out, "{:width$}  {status:6}  {result}", row.operation);
        if let Outcome::Mismatches { shown, total } = &row.outcome {
            let indent = width + 12;
            for m in shown {
                let like = if m.like > 0 { format!(" (and {} more like it)", m.like) } else { String::new() };
                let _ =
                    writeln!(out, "{:indent$}{}: expected {}, got {}{like}", "", m.path, m.expected, m.got);
            }
            let rest = total.saturating_sub(shown.iter().map(|m| 1 + m.like).sum());
            if rest > 0 {
                let _ = writeln!(out, "{:indent$}… and {rest} more", "");
            }
        }
    }
    let count = |f: fn(&Outcome) -> bool| report.rows.iter().filter(|r| f(&r.outcome)).count();
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    let conforming = count(|o| matches!(o, Outcome::Conforms));
    let probed = report.rows.len() - skipped;
    let _ = writeln!(
        out,
        "{probed} probed: {conforming} conform, {} do not; {skipped} skipped",
        probed - conforming
    );
    out
}
