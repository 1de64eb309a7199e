//! Times as servers write them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// A time as servers write it: ISO 8601 (`2026-12-06T02:10:34.123Z`) or ms since the epoch.
pub(super) fn when(value: &Value) -> Option<SystemTime> {
    if let Some(ms) = value.as_u64() {
        return UNIX_EPOCH.checked_add(Duration::from_millis(ms));
    }
    if let Some(ms) = value.as_f64().filter(|ms| ms.is_finite() && *ms >= 0.0) {
        return UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(ms / 1000.0).ok()?);
    }
    iso8601(value.as_str()?)
}

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`, as a moment.
fn iso8601(text: &str) -> Option<SystemTime> {
    let digits = |s: &str| s.parse::<i64>().ok();
    let (date, rest) = text.split_once(['T', ' '])?;
    let mut date_parts = date.splitn(3, '-');
    let (y, mo, d) = (digits(date_parts.next()?)?, digits(date_parts.next()?)?, digits(date_parts.next()?)?);
    let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let mut clock_parts = clock.splitn(3, ':');
    let (h, mi) = (digits(clock_parts.next()?)?, digits(clock_parts.next()?)?);
    let raw = clock_parts.next().unwrap_or("0");
    let (seconds, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let seconds = digits(seconds)?;
    // The fraction as nanoseconds: its first nine digits, padded.
    let nanos: u32 = format!("{:0<9}", fraction.get(..fraction.len().min(9))?).parse().ok()?;
    let offset_secs = match offset {
        "" | "Z" | "z" => 0,
        o => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let rest = o.get(1..)?;
            // `+05:30`, `+0530` or `+05`.
            let (oh, om) = match rest.split_once(':') {
                Some(pair) => pair,
                None if rest.len() == 4 => rest.split_at(2),
                None => (rest, "0"),
            };
            let (oh, om) = (digits(oh)?, digits(om)?);
            if !(0..24).contains(&oh) || !(0..60).contains(&om) {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    // Years a server means: also what keeps the arithmetic below far from overflowing.
    if !(1970..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..=60).contains(&seconds)
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), for years 0 and later.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let whole = days * 86_400 + h * 3600 + mi * 60 + seconds - offset_secs;
    let whole = u64::try_from(whole).ok().filter(|w| *w < 100_000_000_000)?;
    UNIX_EPOCH.checked_add(Duration::new(whole, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_servers_write_them() {
        let at = |s: &str| iso8601(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_millis());
        assert_eq!(at("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(at("2026-12-06T02:10:34.123Z"), Some(1_796_523_034_123));
        assert_eq!(at("2026-12-06T03:10:34.123+01:00"), Some(1_796_523_034_123));
        assert_eq!(at("2026-12-06 02:10:34"), Some(1_796_523_034_000));
        assert_eq!(at("2026-12-06T07:40:34.123+0530"), Some(1_796_523_034_123));
        // A server's text never panics the core: offsets out of range are not times.
        assert_eq!(at("2026-01-01T00:00:00+9999999999999999:00"), None);
        assert_eq!(at("2026-01-01T00:00:00+24:00"), None);
        for bad in ["", "soon", "2026-13-01T00:00:00Z", "2026-12-06", "99999999999-01-01T00:00:00Z"] {
            assert_eq!(at(bad), None, "{bad}");
        }
        assert_eq!(
            when(&serde_json::json!(1_796_523_034_123u64))
                .map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_millis()),
            Some(1_796_523_034_123)
        );
    }
}
