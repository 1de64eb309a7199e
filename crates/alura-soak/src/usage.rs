//! What a trader process holds: resident memory and open file descriptors, read from `/proc`
//! (the soak runs on Linux; elsewhere both read as zero and the flatness checks pass vacuously).

use std::time::Duration;

/// One reading.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Since the run started.
    pub at: Duration,
    /// Resident memory, in KiB.
    pub rss_kib: u64,
    /// Open file descriptors.
    pub fds: u64,
}

/// `None` once the process has gone.
pub fn sample(pid: u32, at: Duration) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count() as u64).unwrap_or(0);
    Some(Sample { at, rss_kib, fds })
}
