//! Figures as text (counts, shares, money, durations), with an optional baseline: "Goal met: 8.9% (was 8.1%, +0.8 pt)"; names made safe for a terminal.
//!
//! Invariants: pure formatting; counts get thousands separators; rates are shown in
//! percent with one decimal and differences of rates in percentage points; a figure with
//! no value reads "n/a".

/// `1234567` as "1,234,567".
#[must_use]
pub fn fmt_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed count difference: "+34", "-5", "±0".
#[must_use]
pub fn fmt_delta(now: u64, was: u64) -> String {
    match now.cmp(&was) {
        std::cmp::Ordering::Greater => format!("+{}", fmt_count(now - was)),
        std::cmp::Ordering::Less => format!("-{}", fmt_count(was - now)),
        std::cmp::Ordering::Equal => "±0".to_owned(),
    }
}

/// A share (0..1) in percent with one decimal, or "n/a".
#[must_use]
pub fn fmt_pct(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite()).map_or_else(|| "n/a".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

/// Money with two decimals and thousands separators: "-1,234.50".
#[must_use]
pub fn fmt_money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let text = format!("{:.2}", x.abs());
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let whole = whole.parse::<u64>().map_or_else(|_| whole.to_owned(), fmt_count);
    let sign = if x < 0.0 && text != "0.00" { "-" } else { "" };
    format!("{sign}{whole}.{cents}")
}

/// `part / whole`, `None` when `whole` is 0.
#[must_use]
pub fn share(part: u64, whole: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// "Label: 1,234" or "Label: 1,234 (was 1,200, +34)".
#[must_use]
pub fn count_line(label: &str, now: u64, was: Option<u64>) -> String {
    match was {
        Some(w) => format!("{label}: {} (was {}, {})", fmt_count(now), fmt_count(w), fmt_delta(now, w)),
        None => format!("{label}: {}", fmt_count(now)),
    }
}

/// "Label: 8.9%" or "Label: 8.9% (was 8.1%, +0.8 pt)".
#[must_use]
pub fn rate_line(label: &str, now: Option<f64>, was: Option<Option<f64>>) -> String {
    format!("{label}: {}", rate_text(now, was))
}

/// "8.9%" or "8.9% (was 8.1%, +0.8 pt)".
#[must_use]
pub fn rate_text(now: Option<f64>, was: Option<Option<f64>>) -> String {
    let base = fmt_pct(now);
    match was {
        None => base,
        Some(w) => match (now, w) {
            (Some(n), Some(w)) => format!("{base} (was {}, {:+.1} pt)", fmt_pct(Some(w)), (n - w) * 100.0),
            _ => format!("{base} (was {})", fmt_pct(w)),
        },
    }
}

/// "Label: 12.50" or "Label: 1,212.50 (was 10.00, +1,202.50)".
#[must_use]
pub fn money_line(label: &str, now: f64, was: Option<f64>) -> String {
    match was {
        Some(w) => format!("{label}: {} (was {}, {})", fmt_money(now), fmt_money(w), fmt_money_delta(now - w)),
        None => format!("{label}: {}", fmt_money(now)),
    }
}

/// A signed money difference with separators: "+1,202.50", "-3.00", "±0.00".
#[must_use]
pub fn fmt_money_delta(d: f64) -> String {
    let body = fmt_money(d.abs());
    if body == "0.00" || body == "n/a" {
        return if body == "n/a" { body } else { "±0.00".to_owned() };
    }
    if d < 0.0 { format!("-{body}") } else { format!("+{body}") }
}

/// A signed amount of an estimate: "+1,234" (a count, rounded to a whole number) or
/// "+1,234.50" (money), "-5"; an amount that rounds to zero keeps no sign ("0", "0.00").
#[must_use]
pub fn fmt_signed(x: f64, money: bool) -> String {
    let text = if money { fmt_money(x.abs()) } else { fmt_whole(x.abs()) };
    if x < 0.0 && text.trim_start_matches(['0', ',', '.']).is_empty() {
        text
    } else if x < 0.0 {
        format!("-{text}")
    } else {
        format!("+{text}")
    }
}

/// A non-negative amount rounded to a whole number with separators, or "n/a".
#[must_use]
pub fn fmt_whole(x: f64) -> String {
    if x.is_finite() && x < 1.8e19 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = x.round() as u64;
        fmt_count(n)
    } else {
        "n/a".to_owned()
    }
}

#[must_use]
/// A duration in seconds for people: `5.8 s`, `3 min 05 s`, `2 h 07 min`.
pub fn fmt_duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "?".to_owned();
    }
    if secs < 59.95 {
        return format!("{secs:.1} s");
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = secs.round() as u64;
    if whole < 3600 {
        format!("{} min {:02} s", whole / 60, whole % 60)
    } else {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let minutes = (secs / 60.0).round() as u64;
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    }
}

/// `text` safe for a terminal: control characters (escape sequences, newlines, carriage
/// returns in a name) are shown escaped (`\u{1b}`, `\n`) instead of acting on the screen.
#[must_use]
pub fn terminal_safe(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_seconds_minutes_or_hours() {
        assert_eq!(fmt_duration(5.84), "5.8 s");
        assert_eq!(fmt_duration(59.96), "1 min 00 s");
        assert_eq!(fmt_duration(185.0), "3 min 05 s");
        assert_eq!(fmt_duration(2.0 * 3600.0 + 7.0 * 60.0 + 10.0), "2 h 07 min");
        assert_eq!(fmt_duration(f64::INFINITY), "?");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1_000), "1,000");
        assert_eq!(fmt_count(1_234_567), "1,234,567");
    }

    #[test]
    fn rate_with_baseline_reads_like_the_issue() {
        assert_eq!(rate_line("Goal met", Some(0.089), Some(Some(0.081))), "Goal met: 8.9% (was 8.1%, +0.8 pt)");
        assert_eq!(rate_line("Goal met", Some(0.081), Some(Some(0.089))), "Goal met: 8.1% (was 8.9%, -0.8 pt)");
        assert_eq!(rate_line("Goal met", None, None), "Goal met: n/a");
    }

    #[test]
    fn count_with_baseline() {
        assert_eq!(count_line("Entered", 1_234, Some(1_200)), "Entered: 1,234 (was 1,200, +34)");
        assert_eq!(count_line("Entered", 5, Some(9)), "Entered: 5 (was 9, -4)");
        assert_eq!(count_line("Entered", 5, None), "Entered: 5");
    }

    #[test]
    fn money_has_separators_and_two_decimals() {
        assert_eq!(fmt_money(57_412_311.714), "57,412,311.71");
        assert_eq!(fmt_money(-1_234.5), "-1,234.50");
        assert_eq!(fmt_money(0.0), "0.00");
        assert_eq!(fmt_money(-0.001), "0.00");
        assert_eq!(fmt_money(f64::NAN), "n/a");
        assert_eq!(money_line("Cost", 1_500.0, Some(1_000.0)), "Cost: 1,500.00 (was 1,000.00, +500.00)");
        assert_eq!(
            money_line("Revenue", 2_000_000.0, Some(3_234_567.891)),
            "Revenue: 2,000,000.00 (was 3,234,567.89, -1,234,567.89)"
        );
        assert_eq!(fmt_money_delta(0.001), "±0.00");
    }
}
