use chrono::{DateTime, SecondsFormat, Utc};

/// A logical instant: microseconds since 1970-01-01T00:00:00Z.
pub type Timestamp = i64;

/// every tenant starts at 2016-06-14T00:00:00Z.
pub const EPOCH_START: Timestamp = 1_465_862_400_000_000;

/// The latest instant the clock may reach: 9999-12-31T23:59:59.999999Z (the last instant
/// Python's `datetime` and RFC 3339 can show).
pub const LATEST: Timestamp = 253_402_300_799_999_999;

/// RFC 3339 text of an instant, in UTC (`2016-06-14T00:00:00Z`).
pub fn format_time(t: Timestamp) -> String {
    match DateTime::<Utc>::from_timestamp_micros(t) {
        Some(dt) => dt.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        None => t.to_string(),
    }
}

/// Reads RFC 3339 text (an offset, or none for UTC) as an instant.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text.trim()) {
        return Some(dt.timestamp_micros());
    }
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f"))
        .ok()?;
    Some(naive.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r8_3_clock_starts_at_2016_06_14() {
        assert_eq!(format_time(EPOCH_START), "2016-06-14T00:00:00Z");
        assert_eq!(parse_time("2016-06-14T00:00:00Z"), Some(EPOCH_START));
        assert_eq!(parse_time("2016-06-14T02:00:00+02:00"), Some(EPOCH_START));
        assert_eq!(parse_time("2016-06-14T00:00:00"), Some(EPOCH_START));
        assert_eq!(parse_time("nope"), None);
    }
}
