//! Turns ron's parse errors into messages a marketer can act on.
//!
//! ron names Rust types and parser states ("Expected closing `)`", "Unexpected variant
//! named `Foo` in enum `NodeKind`"); this module says the same thing in the words of the
//! editor ("unknown node kind `Foo`; expected one of …"), adds the field being read
//! when the line shows it, and keeps ron's 1-based line and column.
//!
//! Invariant: every ron error maps to some message; nothing here can panic.

use super::FormatError;

/// A [`FormatError::Parse`] from a ron error on `text`.
pub(super) fn from_ron_error(text: &str, e: &ron::error::SpannedError) -> FormatError {
    let pos = e.span.start;
    // ron gives 1-based positions; keep them at least 1 whatever happens.
    let (line, col) = (pos.line.max(1), pos.col.max(1));
    // Checks that run after a value was read (duplicate ids, bad dates, missing fields)
    // already point at the end of that value; do not move them onto the next line.
    if let ron::Error::Message(m) = &e.code
        && let Some(key) = m.strip_prefix(crate::model::unique_map::DUPLICATE_KEY)
    {
        return duplicate_key(text, line, col, key);
    }
    let (line, col) = match &e.code {
        // A duplicate is noticed after the whole node was read; point at its id instead.
        ron::Error::Message(m) if m.starts_with("duplicate node id n") => {
            let id = m.trim_start_matches("duplicate node id n");
            last_before(text, line, col, &format!("id: {id}")).unwrap_or((line, col))
        }
        ron::Error::Message(_) | ron::Error::MissingStructField { .. } => (line, col),
        // ron points after an unknown name; point at the name itself.
        ron::Error::NoSuchEnumVariant { found, .. } | ron::Error::NoSuchStructField { found, .. } => {
            (line, start_of_name(text, line, col, found).unwrap_or(col))
        }
        _ => skip_blank(text, line, col),
    };
    let mut message = describe(&e.code);
    if needs_field_context(&e.code)
        && let Some(field) = field_on_line(text, line, col)
    {
        message = format!("{message} for `{field}`");
    }
    FormatError::Parse { line, col, message }
}

/// A map key given twice: ron stops at the second; the message names the line of each
/// (the two nearest spellings of `KEY:` up to the end of the line ron stopped on).
fn duplicate_key(text: &str, line: usize, col: usize, key: &str) -> FormatError {
    let needle = format!("{key}:");
    let line_end = text.split_inclusive('\n').take(line).map(str::len).sum::<usize>().min(text.len());
    let before = text.get(..line_end).unwrap_or(text);
    let line_of = |at: usize| 1 + before[..at].matches('\n').count();
    let col_of = |at: usize| 1 + before[..at].rsplit('\n').next().map_or(0, |l| l.chars().count());
    let Some(second) = before.rfind(&needle) else {
        return FormatError::Parse { line, col, message: format!("the key {key} is given twice in this list") };
    };
    let message = match before[..second].rfind(&needle) {
        Some(first) => format!(
            "the key {key} is given twice in this list, on lines {} and {}; keep one of them",
            line_of(first),
            line_of(second)
        ),
        None => format!("the key {key} is given twice in this list; keep one of them"),
    };
    FormatError::Parse { line: line_of(second), col: col_of(second), message }
}

/// Whether the message is about a value, so naming the field helps.
fn needs_field_context(code: &ron::Error) -> bool {
    use ron::Error as E;
    matches!(
        code,
        E::ExpectedBoolean
            | E::ExpectedFloat
            | E::ExpectedInteger
            | E::IntegerOutOfBounds
            | E::ExpectedOption
            | E::ExpectedString
            | E::ExpectedArray
            | E::ExpectedMap
            | E::ExpectedStructLike
            | E::ExpectedNamedStructLike(_)
            | E::ExpectedUnit
            | E::InvalidValueForType { .. }
            | E::InvalidIntegerDigit { .. }
            | E::Message(_)
    )
}

/// ron points just after the previous token; move to the start of the offending one
/// (the next non-blank character), so the column is where the user should look.
fn skip_blank(text: &str, line: usize, col: usize) -> (usize, usize) {
    let Some(line_start) = text.split_inclusive('\n').take(line - 1).map(str::len).try_fold(0usize, usize::checked_add)
    else {
        return (line, col);
    };
    let Some(rest) = text.get(line_start..) else { return (line, col) };
    let mut chars = rest.chars();
    if chars.by_ref().take(col - 1).count() < col - 1 {
        return (line, col);
    }
    let (mut line, mut col) = (line, col);
    for c in chars {
        match c {
            '\n' => (line, col) = (line + 1, 1),
            c if c.is_whitespace() => col += 1,
            _ => break,
        }
    }
    (line, col)
}

/// The position of the last `needle` (not followed by a digit) before `line:col`.
fn last_before(text: &str, line: usize, col: usize, needle: &str) -> Option<(usize, usize)> {
    let lines_before: Vec<&str> = text.split_inclusive('\n').take(line.checked_sub(1)?).collect();
    if lines_before.len() + 1 < line {
        return None;
    }
    let line_start: usize = lines_before.iter().map(|l| l.len()).sum();
    let offset =
        line_start + text.get(line_start..)?.chars().take(col.checked_sub(1)?).map(char::len_utf8).sum::<usize>();
    let before = text.get(..offset)?;
    let mut end = before.len();
    while let Some(at) = before[..end].rfind(needle) {
        let next = before[at + needle.len()..].chars().next();
        if !next.is_some_and(|c| c.is_ascii_digit()) {
            let head = &before[..at];
            let line = 1 + head.matches('\n').count();
            let col = 1 + head.rsplit('\n').next().map_or(0, |l| l.chars().count());
            return Some((line, col));
        }
        end = at;
    }
    None
}

/// The column where `name` starts, when it ends at or just before `col` on `line`.
fn start_of_name(text: &str, line: usize, col: usize, name: &str) -> Option<usize> {
    let line_text = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = line_text.chars().take(col.checked_sub(1)?).collect();
    let at = before.trim_end().rfind(name).filter(|at| at + name.len() == before.trim_end().len())?;
    Some(before[..at].chars().count() + 1)
}

/// The field whose value starts at `col`: the line reads `… name: <value>`.
fn field_on_line(text: &str, line: usize, col: usize) -> Option<String> {
    let line_text = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = line_text.chars().take(col.checked_sub(1)?).collect();
    // Inside a string the guess would be wrong.
    if before.matches('"').count() % 2 == 1 {
        return None;
    }
    let before = before.trim_end().strip_suffix(':')?.trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = &before[start..];
    let is_ident = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    is_ident.then(|| name.to_owned())
}

/// `NodeKind` as "node kind"; a few names get the editor's own words.
pub(super) fn type_words(name: &str) -> String {
    match name {
        "Port" => return "output port".to_owned(),
        "JourneyFile" => return "journey file".to_owned(),
        "CountCmp" => return "count comparison".to_owned(),
        "Dnd" => return "do-not-disturb settings".to_owned(),
        "OutputRef" => return "output".to_owned(),
        "V0File" => return "version 0 journey file".to_owned(),
        _ => {}
    }
    let name = name.strip_prefix("V0").unwrap_or(name);
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// "`A`, `B` or `C`".
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => "nothing".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// serde's "expected" phrases ("u32", "struct Node") in plain words.
fn expected_words(expected: &str) -> String {
    match expected {
        "u8" => "a whole number from 0 to 255".to_owned(),
        "u16" => "a whole number from 0 to 65535".to_owned(),
        "u32" | "u64" | "usize" => "a whole number, 0 or more".to_owned(),
        "i8" | "i16" | "i32" | "i64" => "a whole number".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "a boolean" | "bool" => "`true` or `false`".to_owned(),
        "a string" | "string" => "text in double quotes".to_owned(),
        other => {
            if let Some(name) = other.strip_prefix("struct ") {
                format!("a {} in `(…)`", type_words(name))
            } else if let Some(name) = other.strip_prefix("enum ") {
                format!("a {}", type_words(name))
            } else if let Some(name) = other.strip_prefix("tuple struct ") {
                format!("a {}", type_words(name))
            } else {
                other.to_owned()
            }
        }
    }
}

/// The message for one ron error code.
#[allow(clippy::too_many_lines)]
fn describe(code: &ron::Error) -> String {
    use ron::Error as E;
    let outer_words = |outer: &Option<String>| outer.as_deref().map(type_words);
    match code {
        E::Eof => "the file ends too soon: a value or a closing bracket is missing".to_owned(),
        E::ExpectedArray => "expected a list in `[…]`".to_owned(),
        E::ExpectedArrayEnd => "expected `]` to close the list, or a comma before the next item".to_owned(),
        E::ExpectedBoolean => "expected `true` or `false`".to_owned(),
        E::ExpectedComma => "expected a comma `,` or a closing bracket".to_owned(),
        E::ExpectedFloat => "expected a number such as `0.5`".to_owned(),
        E::FloatUnderscore | E::UnderscoreAtBeginning => "a number cannot contain `_` there".to_owned(),
        E::ExpectedInteger => "expected a whole number".to_owned(),
        E::ExpectedOption => "expected `Some(…)` or `None`".to_owned(),
        E::ExpectedOptionEnd | E::ExpectedStructLikeEnd => {
            "expected `)` to close the group, or a comma before the next item".to_owned()
        }
        E::ExpectedMap => "expected a map in `{…}`".to_owned(),
        E::ExpectedMapColon => "expected `:` after the key".to_owned(),
        E::ExpectedMapEnd => "expected `}` to close the map, or a comma before the next entry".to_owned(),
        E::ExpectedDifferentStructName { expected, found } => {
            format!("expected a {} but found `{found}`", type_words(expected))
        }
        E::ExpectedStructLike => "expected `(`".to_owned(),
        E::ExpectedNamedStructLike("") => "expected `(`".to_owned(),
        E::ExpectedNamedStructLike(name) => format!("expected `(` to open a {}", type_words(name)),
        E::ExpectedUnit => "expected `()`".to_owned(),
        E::ExpectedString => "expected text in double quotes".to_owned(),
        E::ExpectedStringEnd => "the text has no closing `\"`".to_owned(),
        E::ExpectedIdentifier => "expected a name (a field name, or a value such as `None` or `Push`)".to_owned(),
        E::InvalidEscape(what) => format!("bad escape in text: {}", what.to_lowercase()),
        E::IntegerOutOfBounds => "the number is too large or too small here".to_owned(),
        E::InvalidIntegerDigit { digit, .. } => format!("`{digit}` is not a digit of a whole number"),
        E::UnclosedBlockComment => "a `/*` comment is never closed".to_owned(),
        E::UnclosedLineComment => "a `//` comment is never closed".to_owned(),
        E::UnexpectedChar(c) => format!("unexpected character {c:?}"),
        E::Utf8Error(_) => "the file is not UTF-8 text".to_owned(),
        E::TrailingCharacters => "unexpected text after the end of the journey".to_owned(),
        E::InvalidValueForType { expected, found } => {
            format!("expected {}, found {found}", expected_words(expected))
        }
        E::ExpectedDifferentLength { expected, found } => {
            format!("expected {expected}, found {found} item{}", if *found == 1 { "" } else { "s" })
        }
        E::NoSuchEnumVariant { expected, found, outer } => match outer_words(outer) {
            Some(what) => format!("unknown {what} `{found}`; expected {}", one_of(expected)),
            None => format!("unknown name `{found}`; expected {}", one_of(expected)),
        },
        E::NoSuchStructField { expected, found, outer } => match outer_words(outer) {
            Some(what) => format!("unknown field `{found}` in a {what}; expected {}", one_of(expected)),
            None => format!("unknown field `{found}`; expected {}", one_of(expected)),
        },
        E::MissingStructField { field, outer } => match outer_words(outer) {
            Some(what) => format!("missing field `{field}` in a {what}"),
            None => format!("missing field `{field}`"),
        },
        E::DuplicateStructField { field, outer } => match outer_words(outer) {
            Some(what) => format!("field `{field}` appears twice in a {what}"),
            None => format!("field `{field}` appears twice"),
        },
        E::InvalidIdentifier(name) => format!("{name:?} is not a valid name"),
        E::SuggestRawIdentifier(name) => format!("{name:?} is not a valid name here"),
        E::ExceededRecursionLimit => "the file nests groups too deeply to be a journey".to_owned(),
        E::ExpectedStructName(name) => format!("expected the name `{name}` before `(`"),
        E::Message(m) => m.clone(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            chars.next().map_or(text.clone(), |first| first.to_lowercase().chain(chars).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_read_as_words() {
        assert_eq!(type_words("NodeKind"), "node kind");
        assert_eq!(type_words("Port"), "output port");
        assert_eq!(type_words("V0Kind"), "kind");
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(one_of(&["A"]), "`A`");
        assert_eq!(one_of(&["A", "B", "C"]), "`A`, `B` or `C`");
    }

    #[test]
    fn the_field_on_the_line_is_found() {
        let text = "(\n    id: \"x\",\n    pos: (x: 1, y: oops),\n    label: \"a: b\" 5\n)";
        assert_eq!(field_on_line(text, 2, 9).as_deref(), Some("id"));
        assert_eq!(field_on_line(text, 3, 20).as_deref(), Some("y"));
        assert_eq!(field_on_line(text, 4, 15), None, "inside a string");
        assert_eq!(field_on_line(text, 3, 5), None);
        assert_eq!(field_on_line(text, 9, 1), None);
        assert_eq!(field_on_line(text, 1, 0), None);
        assert_eq!(field_on_line("(éid: 5", 1, 7).as_deref(), Some("id"), "a wide character before the name");
    }

    #[test]
    fn a_duplicate_is_found_backwards() {
        let text = "(id: 12,\n x: 1)\n(id: 1,\n  y: 2)";
        assert_eq!(last_before(text, 4, 7, "id: 1"), Some((3, 2)));
        assert_eq!(last_before(text, 2, 6, "id: 1"), None, "id: 12 is not id: 1");
        assert_eq!(last_before(text, 9, 9, "id: 1"), None);
    }

    #[test]
    fn unknown_names_are_pointed_at() {
        let text = "(\n  kind: Pause(1),\n)";
        assert_eq!(start_of_name(text, 2, 14, "Pause"), Some(9));
        assert_eq!(start_of_name(text, 2, 15, "Pause"), None, "the name must end at the position");
        assert_eq!(start_of_name(text, 7, 1, "Pause"), None);
    }

    #[test]
    fn positions_move_to_the_next_token() {
        let text = "(a: 1,\n   b:  x)\n";
        assert_eq!(skip_blank(text, 1, 7), (2, 4));
        assert_eq!(skip_blank(text, 2, 6), (2, 8));
        assert_eq!(skip_blank(text, 2, 8), (2, 8));
        assert_eq!(skip_blank(text, 3, 1), (3, 1));
        assert_eq!(skip_blank(text, 9, 9), (9, 9));
        assert_eq!(skip_blank("é  x", 1, 2), (1, 4));
    }
}
