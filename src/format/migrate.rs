//! Reads a file's format version before anything else, then hands the text to the
//! parser of that version; older versions migrate step by step to the current model.
//!
//! Version 1 files start `(format_version: 1, …`; the prototype's version 0 files start
//! `(version: 0, …` (see [`super::v0`]). The version is found by a cheap scan of the
//! first tokens; when a hand-edited file puts it elsewhere, a second pass reads just the
//! header fields from the whole file, skipping the rest.
//!
//! Invariants: the version is known before the body is parsed, so a newer file reports
//! [`FormatError::TooNew`] rather than confusing errors about fields it does not know;
//! nothing here panics on any input.

use serde::Deserialize;

use super::{FormatError, errors, ron_options};

/// The format version the text declares.
///
/// # Errors
/// [`FormatError::Parse`] when the text is not RON or declares no version.
pub(super) fn read_version(text: &str) -> Result<u64, FormatError> {
    if let Some(v) = scan_version(text) {
        return Ok(v);
    }
    header_version(text)
}

/// The fast path: `[Name](` then `format_version:` or `version:` and a whole number,
/// with whitespace and comments anywhere between.
fn scan_version(text: &str) -> Option<u64> {
    let mut s = Scanner { rest: text };
    s.skip_blank()?;
    s.ident();
    s.skip_blank()?;
    s.eat('(')?;
    s.skip_blank()?;
    let field = s.ident();
    if field != "format_version" && field != "version" {
        return None;
    }
    s.skip_blank()?;
    s.eat(':')?;
    s.skip_blank()?;
    let digits: &str = &s.rest[..s.rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.rest.len())];
    if digits.is_empty() {
        return None;
    }
    // A number too large for u64 is still a version from the future.
    Some(digits.parse().unwrap_or(u64::MAX))
}

struct Scanner<'a> {
    rest: &'a str,
}

impl Scanner<'_> {
    /// Skips whitespace and comments; `None` on an unclosed block comment.
    fn skip_blank(&mut self) -> Option<()> {
        loop {
            self.rest = self.rest.trim_start();
            if let Some(after) = self.rest.strip_prefix("//") {
                self.rest = after.find('\n').map_or("", |i| &after[i..]);
            } else if let Some(after) = self.rest.strip_prefix("/*") {
                // Nested block comments are rare in journeys; the slow path handles them.
                let end = after.find("*/")?;
                if after[..end].contains("/*") {
                    return None;
                }
                self.rest = &after[end + 2..];
            } else {
                return Some(());
            }
        }
    }

    fn ident(&mut self) -> &str {
        let end = self.rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(self.rest.len());
        let (ident, rest) = self.rest.split_at(end);
        self.rest = rest;
        ident
    }

    fn eat(&mut self, c: char) -> Option<()> {
        self.rest = self.rest.strip_prefix(c)?;
        Some(())
    }
}

/// The slow path: reads the header fields from anywhere in the top-level struct.
fn header_version(text: &str) -> Result<u64, FormatError> {
    fn some_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        u64::deserialize(d).map(Some)
    }
    #[derive(Deserialize)]
    #[serde(rename = "JourneyFile")]
    struct Header {
        #[serde(default, deserialize_with = "some_u64")]
        format_version: Option<u64>,
        #[serde(default, deserialize_with = "some_u64")]
        version: Option<u64>,
    }
    let header: Header = ron_options().from_str(text).map_err(|e| errors::from_ron_error(text, &e))?;
    header.format_version.or(header.version).ok_or_else(|| FormatError::Parse {
        line: 1,
        col: 1,
        message: "this is not a journey file: it should start with `(format_version: 1,`".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leading_version_is_scanned() {
        assert_eq!(scan_version("(format_version: 1, journey: ())"), Some(1));
        assert_eq!(scan_version("// a note\n/* more */ JourneyFile (\n  version :0,"), Some(0));
        assert_eq!(scan_version("(format_version: 99999999999999999999999,"), Some(u64::MAX));
        assert_eq!(scan_version("(journey: (), format_version: 1)"), None);
        assert_eq!(scan_version("/* unclosed"), None);
        assert_eq!(scan_version(""), None);
    }

    #[test]
    fn a_version_elsewhere_is_found_by_the_header_pass() {
        assert_eq!(read_version("(journey: (a: [1, 2], b: Some(\"x\")), format_version: 3)").unwrap(), 3);
    }

    #[test]
    fn text_without_a_version_is_not_a_journey() {
        let e = read_version("(journey: ())").unwrap_err();
        assert!(e.to_string().contains("not a journey file"), "{e}");
        let e = read_version("hello").unwrap_err();
        assert!(matches!(e, FormatError::Parse { line: 1, .. }), "{e:?}");
    }
}
