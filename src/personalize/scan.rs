//! A small lexical scan of Liquid source: which `Profile.*` / `Event.*` names a template
//! reads, forbidden tags, `abort`, and where an unclosed block opens. It never parses
//! Liquid itself (the crate does); it only reads the `{{ … }}` and `{% … %}` sections.

use super::TemplateError;

/// Which object a reference reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Root {
    /// `Profile.*`: the user's properties.
    Profile,
    /// `Event.*`: the event in context.
    Event,
}

/// One read of a property in a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `Profile` or `Event`.
    pub root: Root,
    /// The property name (`Product Name` for `Event["Product Name"]`).
    pub name: String,
    /// 1-based line inside the field.
    pub line: usize,
    /// 1-based column inside the line.
    pub column: usize,
    /// Used where a missing value is harmless: under a `default` filter, or as a
    /// condition (`if`, `unless`, `case`, `for`), where nil is simply false or empty.
    pub guarded: bool,
}

/// A `{{ … }}` or `{% … %}` section.
struct Section<'a> {
    /// Byte offset of the body in the text.
    start: usize,
    /// The text between the delimiters.
    body: &'a str,
    /// `{{ … }}` (else a tag).
    output: bool,
}

impl Section<'_> {
    /// A tag's name (`if`, `endif`, `assign`, …), without whitespace control dashes.
    fn tag(&self) -> &str {
        if self.output {
            return "";
        }
        self.body.trim_start_matches('-').split_whitespace().next().unwrap_or("").trim_end_matches('-')
    }
}

fn sections(text: &str) -> Vec<Section<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut skip_until: Option<&str> = None;
    while pos < text.len() {
        let rest = &text[pos..];
        let next = [rest.find("{{"), rest.find("{%")].into_iter().flatten().min();
        let Some(at) = next else { break };
        let open = pos + at;
        let output = text[open..].starts_with("{{");
        let close = if output { "}}" } else { "%}" };
        let start = open + 2;
        let (end, after) = match text[start..].find(close) {
            Some(e) => (start + e, start + e + 2),
            None => (text.len(), text.len()),
        };
        let s = Section { start, body: &text[start..end], output };
        pos = after;
        if let Some(until) = skip_until {
            if s.tag() == until {
                skip_until = None;
                out.push(s);
            }
            continue;
        }
        match s.tag() {
            "raw" => skip_until = Some("endraw"),
            "comment" => skip_until = Some("endcomment"),
            _ => {}
        }
        out.push(s);
    }
    out
}

/// Line and column (1-based, in characters) of a byte offset.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut cut = offset;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &text[..cut];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// The section body with string literals blanked (same length), so words inside quotes
/// are not read as code.
fn blank_strings(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut quote: Option<char> = None;
    for c in body.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

fn has_default_filter(blanked: &str) -> bool {
    blanked.split('|').skip(1).any(|f| f.trim_start().starts_with("default"))
}

/// Every `Profile.*` and `Event.*` read, in text order.
#[must_use]
pub fn references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    for s in sections(text) {
        let tag = s.tag();
        if matches!(tag, "raw" | "comment") {
            continue;
        }
        let blanked = blank_strings(s.body);
        let guarded = has_default_filter(&blanked)
            || matches!(tag, "if" | "elsif" | "unless" | "case" | "when" | "for" | "tablerow");
        let b = blanked.as_bytes();
        let raw = s.body;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if !(c.is_ascii_alphabetic() || c == b'_') {
                i += 1;
                continue;
            }
            let word_start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            let preceded = word_start > 0 && (b[word_start - 1] == b'.' || b[word_start - 1] == b'[');
            let root = match &blanked[word_start..i] {
                "Profile" if !preceded => Root::Profile,
                "Event" if !preceded => Root::Event,
                _ => continue,
            };
            let name = if b.get(i) == Some(&b'.') {
                let n0 = i + 1;
                let mut j = n0;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-' || b[j] >= 0x80) {
                    j += 1;
                }
                let name = raw.get(n0..j).unwrap_or("").to_owned();
                i = j;
                name
            } else if b.get(i) == Some(&b'[') {
                let mut j = i + 1;
                while j < b.len() && b[j] == b' ' {
                    j += 1;
                }
                match b.get(j) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let n0 = j + 1;
                        let n1 = raw[n0..].find(char::from(q)).map_or(raw.len(), |e| n0 + e);
                        i = n1;
                        raw.get(n0..n1).unwrap_or("").to_owned()
                    }
                    _ => continue,
                }
            } else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            let (line, column) = line_col(text, s.start + word_start);
            out.push(Reference { root, name, line, column, guarded });
        }
    }
    out
}

/// The first `include` or `render` tag: templates have no access to files or other templates.
pub(super) fn forbidden_tag(text: &str) -> Option<TemplateError> {
    sections(text).into_iter().find(|s| matches!(s.tag(), "include" | "render")).map(|s| {
        let (line, column) = line_col(text, s.start.saturating_sub(2));
        TemplateError {
            line,
            column,
            message: format!(
                "`{{% {} %}}` is not allowed: personalization has no access to files or other templates",
                s.tag()
            ),
        }
    })
}

/// Whether the text has an `{% abort %}` tag.
pub(super) fn has_abort(text: &str) -> bool {
    sections(text).iter().any(|s| s.tag() == "abort")
}

/// Where the innermost block that is never closed opens (or a stray end tag sits).
pub(super) fn unclosed_block(text: &str) -> Option<(usize, usize)> {
    const BLOCKS: [&str; 8] = ["if", "unless", "case", "for", "capture", "tablerow", "ifchanged", "comment"];
    let mut stack: Vec<(String, usize)> = Vec::new();
    for s in sections(text) {
        let tag = s.tag().to_owned();
        let tag = tag.as_str();
        let at = s.start.saturating_sub(2);
        if BLOCKS.contains(&tag) || tag == "raw" {
            stack.push((tag.to_owned(), at));
        } else if let Some(opened) = tag.strip_prefix("end") {
            match stack.last() {
                Some((t, _)) if *t == opened => {
                    stack.pop();
                }
                _ => return Some(line_col(text, at)),
            }
        }
    }
    stack.last().map(|(_, at)| line_col(text, *at))
}
