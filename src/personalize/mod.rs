//! Liquid personalization (SPEC §4): checking, compiling and rendering message content
//! and profile-update values with the `liquid` crate.
//!
//! Templates see two objects: `Profile` (the user's properties) and `Event` (the event in
//! context, when there is one), read as `Profile.name` or `Event["Product Name"]`. The
//! tags are the standard ones (`if/elsif/else`, `unless`, `case`, `for`, `assign`, …) plus
//! the journey-specific `{% abort %}`, which cancels the message.
//!
//! Invariants: rendering has no file, network or include access (`include` and `render`
//! are refused when checking, and the parser knows no partials); a property a template
//! reads but the user lacks renders as nil, never as an error; nothing here panics on
//! user text. The module is headless (no UI, no engine types): validation, the engine,
//! the CLI and the app all use it.

pub mod limits;
mod scan;

use std::fmt;
use std::sync::OnceLock;

use liquid::model::{Object, Value};

pub use scan::{Reference, Root, references};

/// The message an aborted render carries (the `{% abort %}` tag's error).
const ABORT_MARKER: &str = "journey-studio abort: the message was cancelled by {% abort %}";

/// A template that does not parse, with the position of the problem inside the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// 1-based line inside the field.
    pub line: usize,
    /// 1-based column (in characters) inside the line.
    pub column: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// What a render gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rendered {
    /// The text the user would receive.
    Text(String),
    /// The template ran `{% abort %}`: the message is not sent.
    Aborted,
    /// The template could not be rendered (for example a filter given the wrong type).
    Failed(String),
}

impl Rendered {
    /// Whether the render aborted the message.
    #[must_use]
    pub fn is_aborted(&self) -> bool {
        matches!(self, Self::Aborted)
    }
}

/// The `{% abort %}` tag.
#[derive(Clone, Copy, Debug, Default)]
struct AbortTag;

impl liquid_core::TagReflection for AbortTag {
    fn tag(&self) -> &'static str {
        "abort"
    }
    fn description(&self) -> &'static str {
        "Cancels this user's message"
    }
}

impl liquid_core::ParseTag for AbortTag {
    fn parse(
        &self,
        mut arguments: liquid_core::TagTokenIter<'_>,
        _options: &liquid_core::Language,
    ) -> liquid_core::Result<Box<dyn liquid_core::Renderable>> {
        arguments.expect_nothing()?;
        Ok(Box::new(Abort))
    }
    fn reflection(&self) -> &dyn liquid_core::TagReflection {
        self
    }
}

#[derive(Clone, Copy, Debug)]
struct Abort;

impl liquid_core::Renderable for Abort {
    fn render_to(
        &self,
        _writer: &mut dyn std::io::Write,
        _runtime: &dyn liquid_core::Runtime,
    ) -> liquid_core::Result<()> {
        Err(liquid_core::Error::with_msg(ABORT_MARKER))
    }
}

/// The one parser: the standard tags, blocks and filters without `include` and `render`
/// (no partials, so no file access), plus `abort`.
fn parser() -> Option<&'static liquid::Parser> {
    static PARSER: OnceLock<Option<liquid::Parser>> = OnceLock::new();
    PARSER
        .get_or_init(|| {
            use liquid_lib::stdlib;
            liquid::ParserBuilder::new()
                .tag(stdlib::AssignTag)
                .tag(stdlib::BreakTag)
                .tag(stdlib::ContinueTag)
                .tag(stdlib::CycleTag)
                .tag(stdlib::IncrementTag)
                .tag(stdlib::DecrementTag)
                .tag(AbortTag)
                .block(stdlib::RawBlock)
                .block(stdlib::IfBlock)
                .block(stdlib::UnlessBlock)
                .block(stdlib::IfChangedBlock)
                .block(stdlib::ForBlock)
                .block(stdlib::TableRowBlock)
                .block(stdlib::CommentBlock)
                .block(stdlib::CaptureBlock)
                .block(stdlib::CaseBlock)
                .filter(stdlib::Abs)
                .filter(stdlib::Append)
                .filter(stdlib::AtLeast)
                .filter(stdlib::AtMost)
                .filter(stdlib::Capitalize)
                .filter(stdlib::Ceil)
                .filter(stdlib::Compact)
                .filter(stdlib::Concat)
                .filter(stdlib::Date)
                .filter(stdlib::Default)
                .filter(stdlib::DividedBy)
                .filter(stdlib::Downcase)
                .filter(stdlib::Escape)
                .filter(stdlib::EscapeOnce)
                .filter(stdlib::First)
                .filter(stdlib::Floor)
                .filter(stdlib::Join)
                .filter(stdlib::Last)
                .filter(stdlib::Lstrip)
                .filter(stdlib::Map)
                .filter(stdlib::Minus)
                .filter(stdlib::Modulo)
                .filter(stdlib::NewlineToBr)
                .filter(stdlib::Plus)
                .filter(stdlib::Prepend)
                .filter(stdlib::Remove)
                .filter(stdlib::RemoveFirst)
                .filter(stdlib::Replace)
                .filter(stdlib::ReplaceFirst)
                .filter(stdlib::Reverse)
                .filter(stdlib::Round)
                .filter(stdlib::Rstrip)
                .filter(stdlib::Size)
                .filter(stdlib::Slice)
                .filter(stdlib::Sort)
                .filter(stdlib::SortNatural)
                .filter(stdlib::Split)
                .filter(stdlib::Strip)
                .filter(stdlib::StripHtml)
                .filter(stdlib::StripNewlines)
                .filter(stdlib::Times)
                .filter(stdlib::Truncate)
                .filter(stdlib::TruncateWords)
                .filter(stdlib::Uniq)
                .filter(stdlib::Upcase)
                .filter(stdlib::UrlDecode)
                .filter(stdlib::UrlEncode)
                .filter(stdlib::Where)
                .build()
                .ok()
        })
        .as_ref()
}

/// Whether a text holds Liquid markup at all (plain text needs no parse and no render).
#[must_use]
pub fn has_liquid(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Whether a field's Liquid can cancel the message (it has an `{% abort %}` tag), checked
/// without parsing: the engine renders only such fields.
#[must_use]
pub fn can_abort(text: &str) -> bool {
    has_liquid(text) && scan::has_abort(text)
}

/// Gives a property's value by name (`None` when it is missing, which renders as nil).
pub type Lookup<'a> = dyn FnMut(&str) -> Option<Value> + 'a;

/// A checked and compiled template: parsed once, rendered per user.
pub struct Template {
    source: String,
    compiled: Option<liquid::Template>,
    /// `Profile.*` names it reads, sorted, each once.
    pub profile: Vec<String>,
    /// `Event.*` names it reads, sorted, each once.
    pub event: Vec<String>,
    /// Whether it contains `{% abort %}`.
    pub aborts: bool,
}

/// Checks a field: its Liquid parses and uses no forbidden tag. Returns what it reads.
///
/// # Errors
/// The first syntax error, with its line and column inside the field.
pub fn check(text: &str) -> Result<Vec<Reference>, TemplateError> {
    compile(text).map(|_| references(text))
}

/// Compiles a field once; plain text compiles to itself.
///
/// # Errors
/// As [`check`].
pub fn compile(text: &str) -> Result<Template, TemplateError> {
    if !has_liquid(text) {
        return Ok(Template {
            source: text.to_owned(),
            compiled: None,
            profile: Vec::new(),
            event: Vec::new(),
            aborts: false,
        });
    }
    if let Some(e) = scan::forbidden_tag(text) {
        return Err(e);
    }
    let parser = parser().ok_or_else(|| TemplateError {
        line: 1,
        column: 1,
        message: "the Liquid engine could not start".to_owned(),
    })?;
    let compiled = parser.parse(text).map_err(|e| parse_error(text, &e))?;
    let refs = references(text);
    let names = |root: Root| {
        let mut v: Vec<String> = refs.iter().filter(|r| r.root == root).map(|r| r.name.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    Ok(Template {
        source: text.to_owned(),
        compiled: Some(compiled),
        profile: names(Root::Profile),
        event: names(Root::Event),
        aborts: scan::has_abort(text),
    })
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template").field("source", &self.source).field("aborts", &self.aborts).finish_non_exhaustive()
    }
}

impl Template {
    /// Whether the text is plain (renders to itself).
    #[must_use]
    pub fn is_plain(&self) -> bool {
        self.compiled.is_none()
    }

    /// The source text.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders for one user. `profile` and `event` give a property's value by name (`None`
    /// when the user or event lacks it, which renders as nil); `event` is `None` when no
    /// event is in context. Only the names the template reads are asked for.
    pub fn render(&self, profile: &mut Lookup<'_>, event: Option<&mut Lookup<'_>>) -> Rendered {
        let Some(t) = &self.compiled else { return Rendered::Text(self.source.clone()) };
        let mut p = Object::new();
        for name in &self.profile {
            p.insert(name.clone().into(), profile(name).unwrap_or(Value::Nil));
        }
        let mut e = Object::new();
        match event {
            Some(event) => {
                for name in &self.event {
                    e.insert(name.clone().into(), event(name).unwrap_or(Value::Nil));
                }
            }
            None => {
                for name in &self.event {
                    e.insert(name.clone().into(), Value::Nil);
                }
            }
        }
        let mut globals = Object::new();
        globals.insert("Profile".into(), Value::Object(p));
        globals.insert("Event".into(), Value::Object(e));
        match t.render(&globals) {
            Ok(s) => Rendered::Text(s),
            Err(err) => {
                let msg = err.to_string();
                if msg.contains(ABORT_MARKER) { Rendered::Aborted } else { Rendered::Failed(first_line(&msg)) }
            }
        }
    }

    /// Whether this user's render aborts, rendering only when the template can abort.
    pub fn aborts_for(&self, profile: &mut Lookup<'_>, event: Option<&mut Lookup<'_>>) -> bool {
        self.aborts && self.render(profile, event).is_aborted()
    }
}

/// A number as Liquid sees it: whole numbers as integers (so `30` prints as `30`).
#[must_use]
pub fn number(x: f64) -> Value {
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 { Value::scalar(x as i64) } else { Value::scalar(x) }
}

/// An instant (seconds since the epoch, UTC) as a Liquid date, for the `date` filter.
#[must_use]
pub fn instant(secs: i64) -> Value {
    let text = chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S +0000").to_string())
        .unwrap_or_default();
    match liquid::model::DateTime::from_str(&text) {
        Some(d) => Value::scalar(d),
        None => Value::scalar(text),
    }
}

/// Text as a Liquid value.
#[must_use]
pub fn text(s: &str) -> Value {
    Value::scalar(s.to_owned())
}

/// A list of texts as a Liquid array.
#[must_use]
pub fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(items.into_iter().map(text).collect())
}

fn first_line(s: &str) -> String {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim().to_owned()
}

/// Turns the crate's parse error into a position and a sentence.
fn parse_error(text: &str, e: &liquid::Error) -> TemplateError {
    let msg = e.to_string();
    // Pest errors carry "--> LINE:COL" (after a "liquid: " prefix on the first line).
    let pos = msg.lines().find_map(|l| {
        let rest = l.split_once("-->")?.1.trim();
        let (a, b) = rest.split_once(':')?;
        Some((a.trim().parse::<usize>().ok()?, b.trim().parse::<usize>().ok()?))
    });
    // An unclosed block is reported at the end of the text; the tag that opens it is
    // where the fix goes.
    let unclosed = if msg.contains("Unclosed block") { scan::unclosed_block(text) } else { None };
    let (line, column) = unclosed
        .or(pos)
        .or_else(|| unknown_filter_at(text, &msg))
        .or_else(|| scan::unclosed_block(text))
        .unwrap_or((1, 1));
    TemplateError { line, column, message: describe(&msg) }
}

/// Where an unknown filter is used (the crate reports it without a position): the first
/// `| name` in the text.
fn unknown_filter_at(text: &str, msg: &str) -> Option<(usize, usize)> {
    let name = msg.lines().find_map(|l| l.trim().strip_prefix("requested filter="))?.trim();
    let mut from = 0;
    while let Some(i) = text[from..].find(name).map(|i| from + i) {
        if text[..i].trim_end().ends_with('|') {
            return Some(scan::line_col(text, i));
        }
        from = i + name.len().max(1);
    }
    None
}

/// One readable sentence from the crate's multi-line message.
fn describe(msg: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for l in msg.lines() {
        let t = l.trim();
        if t.is_empty() || t.starts_with("-->") || t.starts_with('|') || t.starts_with("from:") {
            continue;
        }
        if t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('|') {
            continue;
        }
        let t = t.trim_start_matches("liquid:").trim();
        if t.is_empty() || t.starts_with("-->") {
            continue;
        }
        parts.push(t.trim_start_matches('=').trim().to_owned());
    }
    let requested = parts
        .iter()
        .find_map(|p| p.strip_prefix("requested=").or_else(|| p.strip_prefix("requested filter=")))
        .map(str::to_owned);
    match (parts.first().map(String::as_str), requested) {
        (Some(first), Some(name)) if first.starts_with("Unknown tag") => {
            format!("`{{% {name} %}}` is not a known tag")
        }
        (Some(first), Some(name)) if first.starts_with("Unknown filter") => {
            format!("`{name}` is not a known filter")
        }
        _ => {
            parts.retain(|p| p != "with:" && !p.starts_with("available"));
            let s = parts.join("; ");
            if s.is_empty() { "the Liquid does not parse".to_owned() } else { s }
        }
    }
}

#[cfg(test)]
mod tests;
