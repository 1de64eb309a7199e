//! A rate as people write it: `10/s`, `100/5s`, `1000/10m`, `5/500ms`. A throttler's limit (the
//! simulator's), and a ceiling a client keeps under it.

use std::str::FromStr;
use std::time::Duration;

/// So many requests per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests a window allows.
    pub limit: u32,
    /// How long a window lasts.
    pub window: Duration,
}

impl Rate {
    /// `limit` a second.
    pub fn per_second(limit: u32) -> Self {
        Self { limit, window: Duration::from_secs(1) }
    }
}

impl FromStr for Rate {
    type Err = String;

    /// `N/s`, `N/5s`, `N/m`, `N/10m`, `N/500ms`.
    fn from_str(text: &str) -> Result<Self, String> {
        let wrong =
            || format!("expected N per window (10/s, 100/5s, 1000/10m, 5/500ms) with N > 0, got {text:?}");
        let (limit, window) = text.split_once('/').ok_or_else(wrong)?;
        let limit = limit.trim().parse().ok().filter(|n| *n > 0).ok_or_else(wrong)?;
        let window = window.trim();
        let (count, unit) =
            window.split_at(window.find(|c: char| !c.is_ascii_digit()).unwrap_or(window.len()));
        let count: u64 = if count.is_empty() { 1 } else { count.parse().map_err(|_| wrong())? };
        let window = match unit {
            "ms" => Duration::from_millis(count),
            "s" => Duration::from_secs(count),
            "m" => Duration::from_secs(count.saturating_mul(60)),
            _ => return Err(wrong()),
        };
        if window.is_zero() {
            return Err(wrong());
        }
        Ok(Self { limit, window })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_read_as_written() {
        let t = |s: &str| s.parse::<Rate>();
        assert_eq!(t("10/s"), Ok(Rate::per_second(10)));
        assert_eq!(t("100/5s").map(|t| (t.limit, t.window)), Ok((100, Duration::from_secs(5))));
        assert_eq!(t("1000/10m").map(|t| t.window), Ok(Duration::from_secs(600)));
        assert_eq!(t("5/500ms").map(|t| t.window), Ok(Duration::from_millis(500)));
        for bad in ["", "0/s", "10", "10/", "10/0s", "10/h", "x/s"] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }
}
