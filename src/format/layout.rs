//! Lays out compact RON as readable, diff-friendly text.
//!
//! ron's own pretty printer puts every field of every struct on its own line, so a
//! canvas position takes four lines and an activity curve twenty-six. This pass takes
//! ron's compact output (`(x:1.0,y:2.0)`) and prints each bracketed group on one line
//! when that line fits in [`WIDTH`] columns, and otherwise one entry per line with a
//! trailing comma, indented four spaces per level (the way rustfmt and Prettier do).
//!
//! Invariants: the output is a pure function of the input, so unchanged journeys give
//! identical bytes; only whitespace is added (outside strings) and trailing commas are
//! added after multi-line entries, both of which RON ignores, so the text parses to the
//! same value. Input this pass does not understand is returned unchanged.

/// The widest line the layout aims for, in characters.
pub const WIDTH: usize = 100;

const INDENT: &str = "    ";

/// One value: a scalar, or a bracketed group with an optional head (`Some`, `Exponential`).
#[derive(Debug)]
enum Tree {
    Atom(String),
    Group {
        head: String,
        open: char,
        close: char,
        entries: Vec<Entry>,
        /// Characters of the one-line form, computed once while parsing.
        flat_len: usize,
    },
}

/// A group member: `key: value` (struct fields and map entries) or a bare value.
#[derive(Debug)]
struct Entry {
    key: Option<Tree>,
    value: Tree,
}

/// Re-lays out compact RON text (as `ron::to_string` writes it). Returns `None` when
/// the text is not in that shape; callers then keep ron's own text.
pub fn layout(compact: &str) -> Option<String> {
    let mut parser = Parser { chars: compact.chars().collect(), pos: 0 };
    let tree = parser.value()?;
    if parser.pos != parser.chars.len() {
        return None;
    }
    let mut out = String::with_capacity(compact.len() * 2);
    write_tree(&tree, 0, 0, &mut out);
    out.push('\n');
    Some(out)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// A value: a group, an atom, or an atom immediately followed by a group (`Some(…)`).
    fn value(&mut self) -> Option<Tree> {
        let head = self.atom();
        match self.peek() {
            Some(open @ ('(' | '[' | '{')) => {
                self.pos += 1;
                let close = match open {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                let entries = self.entries(close)?;
                let inner: usize =
                    entries.iter().map(|e| e.key.as_ref().map_or(0, |k| flat_len(k) + 2) + flat_len(&e.value)).sum();
                let flat_len = head.chars().count() + 2 + inner + 2 * entries.len().saturating_sub(1);
                Some(Tree::Group { head, open, close, entries, flat_len })
            }
            _ if head.is_empty() => None,
            _ => Some(Tree::Atom(head)),
        }
    }

    /// Entries up to and including `close`.
    fn entries(&mut self, close: char) -> Option<Vec<Entry>> {
        let mut entries = Vec::new();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Some(entries);
        }
        loop {
            let first = self.value()?;
            let entry = if self.peek() == Some(':') {
                self.pos += 1;
                Entry { key: Some(first), value: self.value()? }
            } else {
                Entry { key: None, value: first }
            };
            entries.push(entry);
            match self.peek()? {
                ',' => {
                    self.pos += 1;
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        return Some(entries);
                    }
                }
                c if c == close => {
                    self.pos += 1;
                    return Some(entries);
                }
                _ => return None,
            }
        }
    }

    /// Scalar text up to the next structural character; strings are taken whole.
    fn atom(&mut self) -> String {
        let mut text = String::new();
        while let Some(c) = self.peek() {
            match c {
                '"' => {
                    text.push(c);
                    self.pos += 1;
                    while let Some(c) = self.peek() {
                        text.push(c);
                        self.pos += 1;
                        match c {
                            '\\' => {
                                if let Some(escaped) = self.peek() {
                                    text.push(escaped);
                                    self.pos += 1;
                                }
                            }
                            '"' => break,
                            _ => {}
                        }
                    }
                }
                '(' | ')' | '[' | ']' | '{' | '}' | ',' | ':' => break,
                _ => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        text
    }
}

/// The group or atom on one line.
fn flat(tree: &Tree, out: &mut String) {
    match tree {
        Tree::Atom(a) => out.push_str(a),
        Tree::Group { head, open, close, entries, .. } => {
            out.push_str(head);
            out.push(*open);
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if let Some(k) = &e.key {
                    flat(k, out);
                    out.push_str(": ");
                }
                flat(&e.value, out);
            }
            out.push(*close);
        }
    }
}

fn flat_len(tree: &Tree) -> usize {
    match tree {
        Tree::Atom(a) => a.chars().count(),
        Tree::Group { flat_len, .. } => *flat_len,
    }
}

/// Writes `tree` starting at column `col` of a line indented `depth` levels.
fn write_tree(tree: &Tree, depth: usize, col: usize, out: &mut String) {
    // The trailing comma after a member counts toward the width.
    let fits = col + flat_len(tree) < WIDTH;
    match tree {
        Tree::Group { head, open, close, entries, .. } if !fits && !entries.is_empty() => {
            out.push_str(head);
            out.push(*open);
            out.push('\n');
            for e in entries {
                let indent = INDENT.repeat(depth + 1);
                out.push_str(&indent);
                let mut line_col = indent.len();
                if let Some(k) = &e.key {
                    let start = out.len();
                    flat(k, out);
                    out.push_str(": ");
                    line_col += out[start..].chars().count();
                }
                write_tree(&e.value, depth + 1, line_col, out);
                out.push_str(",\n");
            }
            out.push_str(&INDENT.repeat(depth));
            out.push(*close);
        }
        _ => flat(tree, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_groups_stay_on_one_line() {
        let text = layout("(pos:(x:1.0,y:2.5),kind:Some(Exponential(mean:120)))").unwrap();
        assert_eq!(text, "(pos: (x: 1.0, y: 2.5), kind: Some(Exponential(mean: 120)))\n");
    }

    #[test]
    fn long_groups_break_one_entry_per_line() {
        let long = "a".repeat(120);
        let text = layout(&format!("(name:\"{long}\",pos:(x:1.0,y:2.0),tags:[])")).unwrap();
        assert_eq!(text, format!("(\n    name: \"{long}\",\n    pos: (x: 1.0, y: 2.0),\n    tags: [],\n)\n"));
    }

    #[test]
    fn strings_with_brackets_and_escapes_are_kept_whole() {
        let text = layout(r#"(a:"x(,[:\"]\\",b:{"k:)":1})"#).unwrap();
        assert_eq!(text, "(a: \"x(,[:\\\"]\\\\\", b: {\"k:)\": 1})\n");
    }

    #[test]
    fn unbalanced_text_is_refused() {
        assert!(layout("(a:1").is_none());
        assert!(layout("(a:1))").is_none());
        assert!(layout("").is_none());
    }
}
