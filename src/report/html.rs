//! The HTML writer of the report: escaping, elements, and the numbers as people read them
//! (the shared formatting of [`crate::figures::text`], with a true minus sign).
//!
//! Invariants: every text that comes from a journey, a file name or the engine goes
//! through [`escape`] (element text and attribute values alike), so a label such as
//! `<script>alert(1)</script>` shows as text; control characters, which HTML does not
//! allow in a document, show as their visible Unicode control pictures (ESC as `␛`).

use std::fmt::Write as _;

use crate::figures::text;

/// `text` safe inside an element or a double- or single-quoted attribute value.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(visible(c)),
        }
    }
    out
}

/// A character HTML allows in text: control characters (other than tab, line feed and
/// carriage return) become their control pictures, and noncharacters the replacement
/// character.
#[must_use]
pub fn visible(c: char) -> char {
    match u32::from(c) {
        0x09 | 0x0A | 0x0D => c,
        n @ 0x00..=0x1F => char::from_u32(0x2400 + n).unwrap_or('\u{FFFD}'),
        0x7F => '\u{2421}',
        0x80..=0x9F | 0xFDD0..=0xFDEF => '\u{FFFD}',
        n if n & 0xFFFE == 0xFFFE => '\u{FFFD}',
        _ => c,
    }
}

/// `text` with every character made [`visible`] (for text handed to a library that
/// escapes `<`, `>` and `&` itself).
#[must_use]
pub fn visible_text(text: &str) -> String {
    text.chars().map(visible).collect()
}

/// At most `max` characters of `text`, with "…" when it was cut.
#[must_use]
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An HTML document being written.
#[derive(Debug, Default)]
pub struct Html {
    out: String,
}

impl Html {
    /// An empty document.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The document's text.
    #[must_use]
    pub fn finish(self) -> String {
        self.out
    }

    /// Markup written as is: only for text this crate builds, never for user text.
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// Escaped text.
    pub fn text(&mut self, text: &str) {
        self.out.push_str(&escape(text));
    }

    /// An opening tag with escaped attribute values.
    pub fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        let _ = write!(self.out, "<{tag}");
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
        self.out.push('>');
    }

    /// A closing tag.
    pub fn close(&mut self, tag: &str) {
        let _ = write!(self.out, "</{tag}>");
    }

    /// An element holding escaped text.
    pub fn element(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(tag, attrs);
        self.text(text);
        self.close(tag);
    }

    /// A table: a header row and rows of cells.
    pub fn table(&mut self, class: &str, headers: &[&str], rows: &[Vec<Cell>]) {
        self.open("table", &[("class", class)]);
        self.raw("<thead><tr>");
        for h in headers {
            self.element("th", &[("scope", "col")], h);
        }
        self.raw("</tr></thead><tbody>");
        for row in rows {
            self.raw("<tr>");
            for cell in row {
                cell.write(self);
            }
            self.raw("</tr>");
        }
        self.raw("</tbody></table>");
    }
}

/// One table cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A label (left aligned).
    Text(String),
    /// A row heading (left aligned, bold).
    Head(String),
    /// A number as text (right aligned).
    Num(String),
    /// A headline figure: its text, and its exact value and JSON path in `data-`
    /// attributes, so that a test can compare it with `simulate --format json`.
    Figure {
        /// The report's JSON path (`conversion.target.rate`).
        key: String,
        /// The exact value (`None`: n/a).
        value: Option<f64>,
        /// What people read.
        text: String,
    },
}

impl Cell {
    /// A text cell.
    #[must_use]
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// A number cell.
    #[must_use]
    pub fn num(s: impl Into<String>) -> Self {
        Self::Num(s.into())
    }

    fn write(&self, h: &mut Html) {
        match self {
            Self::Text(s) => h.element("td", &[], s),
            Self::Head(s) => h.element("th", &[("scope", "row")], s),
            Self::Num(s) => h.element("td", &[("class", "num")], s),
            Self::Figure { key, value, text } => {
                let v = value.map_or_else(|| "n/a".to_owned(), |v| format!("{v}"));
                h.element("td", &[("class", "num"), ("data-figure", key), ("data-value", &v)], text);
            }
        }
    }
}

/// The report writes a true minus sign (−) where the shared text formatting writes "-".
fn true_minus(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

/// `1234567` as "1,234,567" (the shared [`text::fmt_count`]).
#[must_use]
pub fn count(n: u64) -> String {
    text::fmt_count(n)
}

/// A signed whole difference: "+34", "−5", "±0".
#[must_use]
pub fn count_delta(now: u64, was: u64) -> String {
    true_minus(text::fmt_delta(now, was))
}

/// A share (0..1) in percent with two decimals, or "n/a".
#[must_use]
pub fn pct(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite()).map_or_else(|| "n/a".to_owned(), |v| format!("{:.2}%", v * 100.0))
}

/// A difference of two shares in percentage points: "+0.84 pt", or "n/a".
#[must_use]
pub fn points(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite()).map_or_else(|| "n/a".to_owned(), |v| format!("{} pt", signed(v * 100.0, 2)))
}

/// A number with a sign and `decimals` decimals, with a true minus sign: "+1.20", "−0.35".
#[must_use]
pub fn signed(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let zero = text.chars().all(|c| c == '0' || c == '.');
    let sign = if zero {
        "±"
    } else if x < 0.0 {
        "−"
    } else {
        "+"
    };
    format!("{sign}{text}")
}

/// Money with two decimals and thousands separators: "1,234.50", "−3.00" (the shared
/// [`text::fmt_money`]).
#[must_use]
pub fn money(x: f64) -> String {
    true_minus(text::fmt_money(x))
}

/// A signed money difference: "+12.50", "−3.00", "±0.00".
#[must_use]
pub fn money_delta(x: f64) -> String {
    true_minus(text::fmt_money_delta(x))
}

/// A signed amount of an estimate: "+1,234" (a count) or "+1,234.50" (money), "−5".
#[must_use]
pub fn amount(x: f64, money: bool) -> String {
    true_minus(text::fmt_signed(x, money))
}

/// A signed difference of two estimates: "+1,234", "−5.50", "±0" when it rounds to zero.
#[must_use]
pub fn amount_delta(x: f64, money: bool) -> String {
    let text = text::fmt_signed(x, money);
    let digits = text.trim_start_matches(['+', '-']);
    if digits.chars().all(|c| matches!(c, '0' | ',' | '.')) { format!("±{digits}") } else { true_minus(text) }
}

/// `part / whole`, `None` when `whole` is 0.
#[must_use]
pub fn share(part: u64, whole: u64) -> Option<f64> {
    text::share(part, whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_and_control_characters_are_shown() {
        assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(escape("\"Tom\" & 'Jerry'"), "&quot;Tom&quot; &amp; &#39;Jerry&#39;");
        assert_eq!(escape("\u{1b}[31mred\u{7}"), "\u{241b}[31mred\u{2407}");
        assert_eq!(escape("a\tb\nc"), "a\tb\nc");
        assert_eq!(escape("\u{85}\u{fffe}\u{1fffe}é"), "\u{fffd}\u{fffd}\u{fffd}é");
        let mut h = Html::new();
        h.element("td", &[("title", "x\" onmouseover=\"y")], "<b>");
        assert_eq!(h.finish(), "<td title=\"x&quot; onmouseover=&quot;y\">&lt;b&gt;</td>");
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(count_delta(10, 12), "−2");
        assert_eq!(count_delta(12, 10), "+2");
        assert_eq!(count_delta(3, 3), "±0");
        assert_eq!(pct(Some(0.123_45)), "12.35%");
        assert_eq!(pct(None), "n/a");
        assert_eq!(points(Some(-0.0084)), "−0.84 pt");
        assert_eq!(money(-1234.5), "−1,234.50");
        assert_eq!(money(-0.001), "0.00");
        assert_eq!(money_delta(2.5), "+2.50");
        assert_eq!(money_delta(-0.001), "±0.00");
        assert_eq!(signed(0.0, 1), "±0.0");
        assert_eq!(amount(-1234.4, false), "−1,234");
        assert_eq!(amount(2.5, true), "+2.50");
        assert_eq!(amount_delta(0.0, false), "±0");
        assert_eq!(amount_delta(-0.001, true), "±0.00");
        assert_eq!(amount_delta(-3.0, true), "−3.00");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
