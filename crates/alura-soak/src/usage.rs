//! What the process holds: resident memory and open file descriptors, read from `/proc` (the
//! soak runs on Linux; elsewhere both read as zero and the flatness checks pass vacuously).

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

pub fn sample(at: Duration) -> Sample {
    let rss_kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0);
    let fds = std::fs::read_dir("/proc/self/fd").map(|d| d.count() as u64).unwrap_or(0);
    Sample { at, rss_kib, fds }
}
