//! Reading the `kind,name,metric,value` CSV of past results (SPEC §8) into [`Results`].
//!
//! Invariants: every refusal names the CSV line (1-based, the line the record starts on)
//! and the column (1-based) of the offending field; every check that needs no journey
//! happens here (unknown kinds, channels and metrics, numbers, negative or fractional
//! counts, duplicates, hours outside 0–23, figures that contradict each other), so a
//! [`Results`] is internally consistent; blank lines and lines starting with `#` are
//! skipped.

use std::collections::BTreeMap;

use crate::model::{Channel, Port};

use super::CalibrateError;

/// A figure and the line it came from (its value is in column 4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Cell {
    /// The number in the value column.
    pub value: f64,
    /// The CSV line of its row.
    pub line: u64,
}

/// The value column.
pub(super) const VALUE_COL: usize = 4;
/// The metric column.
const METRIC_COL: usize = 3;
/// The name column.
pub(super) const NAME_COL: usize = 2;

/// A channel's figures (counts of messages, and the total cost).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct ChannelFigures {
    pub sent: Option<Cell>,
    pub failed: Option<Cell>,
    pub delivered: Option<Cell>,
    pub viewed: Option<Cell>,
    pub clicked: Option<Cell>,
    pub unsubscribed: Option<Cell>,
    pub cost: Option<Cell>,
}

/// An event's figures over `users` users and `days` days.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct EventFigures {
    pub name: String,
    pub users: Cell,
    pub days: Cell,
    pub count: Cell,
    /// Σ over users of their squared counts, when given.
    pub count_sq: Option<Cell>,
}

/// An event property's figures: mean and spread, or category shares.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PropertyFigures {
    pub event: String,
    pub property: String,
    /// The line of its first row.
    pub line: u64,
    pub mean: Option<Cell>,
    pub sd: Option<Cell>,
    /// (category, share), in file order.
    pub shares: Vec<(String, Cell)>,
}

/// Parsed and checked past results, ready for [`super::derive`].
#[derive(Clone, Debug, PartialEq)]
pub struct Results {
    pub(super) channels: BTreeMap<Channel, ChannelFigures>,
    /// In the order of their first row.
    pub(super) events: Vec<EventFigures>,
    /// Events per local hour, 0–23, and the line of the first hour row.
    pub(super) hours: Option<([Cell; 24], u64)>,
    /// In the order of their first row.
    pub(super) properties: Vec<PropertyFigures>,
}

impl Results {
    /// Whether there are no rows at all (never, from [`parse`]).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.events.is_empty() && self.hours.is_none() && self.properties.is_empty()
    }
}

/// The CSV names of the channels (SPEC §8).
pub(super) const CHANNEL_NAMES: [(Channel, &str); 8] = [
    (Channel::Push, "push"),
    (Channel::Email, "email"),
    (Channel::Sms, "sms"),
    (Channel::WhatsApp, "whatsapp"),
    (Channel::WebPush, "web_push"),
    (Channel::InApp, "in_app"),
    (Channel::AppInbox, "app_inbox"),
    (Channel::Webhook, "webhook"),
];

/// A channel's CSV name.
pub(super) fn channel_csv_name(c: Channel) -> &'static str {
    CHANNEL_NAMES.iter().find(|(x, _)| *x == c).map_or("", |(_, n)| n)
}

fn bad(line: u64, column: usize, message: impl Into<String>) -> CalibrateError {
    CalibrateError::Row { line, column, message: message.into() }
}

/// One data row, its fields trimmed.
struct Row<'a> {
    line: u64,
    kind: &'a str,
    name: &'a str,
    metric: &'a str,
    value: &'a str,
}

/// Whether a metric counts things (whole numbers).
fn is_count(kind: &str, metric: &str) -> bool {
    match kind {
        "channel" => metric != "cost",
        "event" => metric != "days",
        "hour" => true,
        _ => false,
    }
}

/// Parses the CSV text. See the module docs for what is refused.
///
/// # Errors
/// [`CalibrateError::Row`] naming the line and column of the first problem.
pub fn parse(text: &str) -> Result<Results, CalibrateError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut header_seen = None;
    let mut acc = Accumulator::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, csv::Position::line);
            bad(line, 1, format!("the line is not readable CSV: {e}"))
        })?;
        // From the byte offset: the reader's own line count leaves out comment lines.
        let line = record.position().map_or(1, |p| line_at(text, p.byte()));
        let field = |i: usize| record.get(i).unwrap_or("");
        if record.iter().all(str::is_empty) {
            continue;
        }
        if header_seen.is_none() {
            check_header(line, &record)?;
            header_seen = Some(line);
            continue;
        }
        if record.len() > 4 {
            return Err(bad(
                line,
                5,
                format!("a row has 4 fields (kind,name,metric,value); this one has {}", record.len()),
            ));
        }
        for (i, what) in ["kind", "name", "metric", "value"].iter().enumerate() {
            if field(i).is_empty() {
                return Err(bad(line, i + 1, format!("the {what} is missing")));
            }
        }
        acc.add(&Row { line, kind: field(0), name: field(1), metric: field(2), value: field(3) })?;
    }
    let Some(header_line) = header_seen else {
        return Err(bad(1, 1, "the file is empty: it needs the header kind,name,metric,value and rows under it"));
    };
    let results = acc.finish()?;
    if results.is_empty() {
        return Err(bad(header_line, 1, "there are no rows under the header"));
    }
    Ok(results)
}

/// The 1-based line of a byte offset in `text`.
fn line_at(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    // The reader's position is where it started reading: before the blank and comment
    // lines it skipped on the way to the record.
    loop {
        while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
            end += 1;
        }
        if bytes.get(end) != Some(&b'#') {
            break;
        }
        end = bytes[end..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| end + i + 1);
    }
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count() as u64
}

fn check_header(line: u64, record: &csv::StringRecord) -> Result<(), CalibrateError> {
    let want = ["kind", "name", "metric", "value"];
    for (i, w) in want.iter().enumerate() {
        let got = record.get(i).unwrap_or("");
        if !got.eq_ignore_ascii_case(w) {
            return Err(bad(
                line,
                i + 1,
                format!("the header must be kind,name,metric,value; column {} is '{got}', not '{w}'", i + 1),
            ));
        }
    }
    if record.len() > 4 {
        return Err(bad(line, 5, "the header must be kind,name,metric,value, with nothing after value"));
    }
    Ok(())
}

/// Rows gathered so far, and where each (kind, name, metric) was first given.
#[derive(Default)]
struct Accumulator {
    seen: BTreeMap<(String, String, String), u64>,
    channels: BTreeMap<Channel, ChannelFigures>,
    /// Per event, in first-row order: (name, first line, metric → cell).
    events: Vec<(String, u64, BTreeMap<&'static str, Cell>)>,
    hours: [Option<Cell>; 24],
    first_hour_line: Option<u64>,
    properties: Vec<PropertyFigures>,
}

impl Accumulator {
    fn add(&mut self, row: &Row<'_>) -> Result<(), CalibrateError> {
        let kind = row.kind.to_ascii_lowercase();
        let line = row.line;
        if !matches!(kind.as_str(), "channel" | "event" | "hour" | "property") {
            return Err(bad(
                line,
                1,
                format!("unknown kind '{}'; the kinds are channel, event, hour and property", row.kind),
            ));
        }
        let value = number(row, &kind)?;
        // Names of channels and hours are case-insensitive; events and properties are not.
        let key_name = if matches!(kind.as_str(), "channel" | "hour") {
            row.name.to_ascii_lowercase()
        } else {
            row.name.to_owned()
        };
        let key = (kind.clone(), key_name, row.metric.to_owned());
        if let Some(first) = self.seen.get(&key) {
            return Err(bad(
                line,
                METRIC_COL,
                format!("the same {kind} {} '{}' is given again (first on line {first})", row.name, row.metric),
            ));
        }
        self.seen.insert(key, line);
        let cell = Cell { value, line };
        match kind.as_str() {
            "channel" => self.channel(row, cell),
            "event" => self.event(row, cell),
            "hour" => self.hour(row, cell),
            _ => self.property(row, cell),
        }
    }

    fn channel(&mut self, row: &Row<'_>, cell: Cell) -> Result<(), CalibrateError> {
        let lower = row.name.to_ascii_lowercase();
        let Some(&(c, _)) = CHANNEL_NAMES.iter().find(|(_, n)| *n == lower) else {
            let names: Vec<&str> = CHANNEL_NAMES.iter().map(|(_, n)| *n).collect();
            return Err(bad(
                row.line,
                NAME_COL,
                format!("unknown channel '{}'; the channels are {}", row.name, names.join(", ")),
            ));
        };
        let f = self.channels.entry(c).or_default();
        let needs = |port: Port, what: &str| {
            if c.ports().contains(&port) {
                Ok(())
            } else {
                Err(bad(
                    row.line,
                    METRIC_COL,
                    format!(
                        "{} has no {what} step, so '{}' cannot be calibrated for it",
                        channel_csv_name(c),
                        row.metric
                    ),
                ))
            }
        };
        let slot = match row.metric {
            "sent" => &mut f.sent,
            "failed" => &mut f.failed,
            "delivered" => {
                needs(Port::Delivered, "Delivered")?;
                &mut f.delivered
            }
            "viewed" => {
                needs(Port::Viewed, "Viewed")?;
                &mut f.viewed
            }
            "clicked" => {
                needs(Port::Clicked, "Clicked")?;
                &mut f.clicked
            }
            "unsubscribed" => &mut f.unsubscribed,
            "cost" => &mut f.cost,
            other => {
                return Err(bad(
                    row.line,
                    METRIC_COL,
                    format!(
                        "unknown channel metric '{other}'; the metrics are sent, failed, delivered, viewed, clicked, \
                         unsubscribed and cost"
                    ),
                ));
            }
        };
        *slot = Some(cell);
        Ok(())
    }

    fn event(&mut self, row: &Row<'_>, cell: Cell) -> Result<(), CalibrateError> {
        let metric = match row.metric {
            "users" => "users",
            "days" => "days",
            "count" => "count",
            "count_sq" => "count_sq",
            other => {
                return Err(bad(
                    row.line,
                    METRIC_COL,
                    format!("unknown event metric '{other}'; the metrics are users, days, count and count_sq"),
                ));
            }
        };
        if matches!(metric, "users" | "days") && cell.value == 0.0 {
            return Err(bad(row.line, VALUE_COL, format!("{metric} is 0; a rate needs at least one user and a day")));
        }
        match self.events.iter_mut().find(|(n, _, _)| n == row.name) {
            Some((_, _, m)) => {
                m.insert(metric, cell);
            }
            None => self.events.push((row.name.to_owned(), row.line, BTreeMap::from([(metric, cell)]))),
        }
        Ok(())
    }

    fn hour(&mut self, row: &Row<'_>, cell: Cell) -> Result<(), CalibrateError> {
        let Some(h) = row.name.parse::<usize>().ok().filter(|h| *h < 24) else {
            return Err(bad(
                row.line,
                NAME_COL,
                format!("'{}' is not an hour; hours are 0 to 23 (local time)", row.name),
            ));
        };
        if row.metric != "count" {
            return Err(bad(
                row.line,
                METRIC_COL,
                format!("unknown hour metric '{}'; the metric is count", row.metric),
            ));
        }
        self.hours[h] = Some(cell);
        self.first_hour_line.get_or_insert(row.line);
        Ok(())
    }

    fn property(&mut self, row: &Row<'_>, cell: Cell) -> Result<(), CalibrateError> {
        // The last dot separates the event from the property: event names may have dots.
        let Some((event, property)) =
            row.name.rsplit_once('.').filter(|(e, p)| !e.trim().is_empty() && !p.trim().is_empty())
        else {
            return Err(bad(
                row.line,
                NAME_COL,
                format!("'{}' is not Event.Property (for example Charged.Amount)", row.name),
            ));
        };
        let (event, property) = (event.trim(), property.trim());
        let i = match self.properties.iter().position(|p| p.event == event && p.property == property) {
            Some(i) => i,
            None => {
                self.properties.push(PropertyFigures {
                    event: event.to_owned(),
                    property: property.to_owned(),
                    line: row.line,
                    mean: None,
                    sd: None,
                    shares: Vec::new(),
                });
                self.properties.len() - 1
            }
        };
        let p = &mut self.properties[i];
        let mixed = || {
            bad(
                row.line,
                METRIC_COL,
                format!("{event}.{property} has both mean/sd and share rows; a property is numeric or categorical"),
            )
        };
        match row.metric {
            "mean" | "sd" if !p.shares.is_empty() => return Err(mixed()),
            "mean" => p.mean = Some(cell),
            "sd" => p.sd = Some(cell),
            m => match m.strip_prefix("share:").map(str::trim) {
                Some(category) if !category.is_empty() => {
                    if p.mean.is_some() || p.sd.is_some() {
                        return Err(mixed());
                    }
                    p.shares.push((category.to_owned(), cell));
                }
                _ => {
                    return Err(bad(
                        row.line,
                        METRIC_COL,
                        format!("unknown property metric '{m}'; the metrics are mean, sd and share:VALUE"),
                    ));
                }
            },
        }
        Ok(())
    }

    /// Checks the figures against each other and builds the results.
    fn finish(self) -> Result<Results, CalibrateError> {
        for f in self.channels.values() {
            check_channel(f)?;
        }
        let mut events = Vec::new();
        for (name, line, m) in self.events {
            let get = |k: &str| m.get(k).copied();
            let (Some(users), Some(days), Some(count)) = (get("users"), get("days"), get("count")) else {
                let missing: Vec<&str> =
                    ["users", "days", "count"].into_iter().filter(|k| !m.contains_key(k)).collect();
                return Err(bad(
                    line,
                    NAME_COL,
                    format!(
                        "the event '{name}' has no {} row; a rate needs users, days and count",
                        missing.join(" or ")
                    ),
                ));
            };
            let count_sq = get("count_sq");
            if let Some(sq) = count_sq {
                if sq.value < count.value {
                    return Err(bad(
                        sq.line,
                        VALUE_COL,
                        format!(
                            "count_sq {} is below count {}: a sum of squared whole counts is at least their sum",
                            sq.value, count.value
                        ),
                    ));
                }
                // Σc² ≥ (Σc)²/n for any n counts (Cauchy–Schwarz), with room for rounding.
                let least = count.value * count.value / users.value;
                if sq.value < least * (1.0 - 1e-9) {
                    return Err(bad(
                        sq.line,
                        VALUE_COL,
                        format!(
                            "count_sq {} is below count²/users = {least}, which no counts over {} users give",
                            sq.value, users.value
                        ),
                    ));
                }
            }
            events.push(EventFigures { name, users, days, count, count_sq });
        }
        let hours = match self.first_hour_line {
            None => None,
            Some(line) => {
                let missing: Vec<String> =
                    (0..24).filter(|h| self.hours[*h].is_none()).map(|h| h.to_string()).collect();
                if !missing.is_empty() {
                    return Err(bad(
                        line,
                        NAME_COL,
                        format!("the hour rows need all 24 hours (0 to 23); missing: {}", missing.join(", ")),
                    ));
                }
                let cells: [Cell; 24] = std::array::from_fn(|h| self.hours[h].unwrap_or(Cell { value: 0.0, line }));
                if cells.iter().all(|c| c.value == 0.0) {
                    return Err(bad(line, VALUE_COL, "every hour has count 0: the curve needs some activity"));
                }
                Some((cells, line))
            }
        };
        for p in &self.properties {
            if let Some((_, first)) = p.shares.first() {
                let sum: f64 = p.shares.iter().map(|(_, c)| c.value).sum();
                if (sum - 1.0).abs() > 0.02 {
                    return Err(bad(
                        first.line,
                        VALUE_COL,
                        format!("the shares of {}.{} add up to {sum}; they must add up to 1", p.event, p.property),
                    ));
                }
            }
        }
        Ok(Results { channels: self.channels, events, hours, properties: self.properties })
    }
}

/// A channel's figures must fit together: the ratios need `sent`, nothing exceeds what it
/// is a part of, and clicks of a channel that tracks views need the views.
fn check_channel(f: &ChannelFigures) -> Result<(), CalibrateError> {
    let parts = [
        ("failed", f.failed),
        ("delivered", f.delivered),
        ("viewed", f.viewed),
        ("clicked", f.clicked),
        ("unsubscribed", f.unsubscribed),
        ("cost", f.cost),
    ];
    let Some(sent) = f.sent else {
        if let Some((what, Some(c))) = parts.iter().find(|(_, c)| c.is_some()) {
            return Err(bad(c.line, METRIC_COL, format!("'{what}' needs a 'sent' row for the same channel")));
        }
        return Ok(());
    };
    for (what, cell) in [("delivered", f.delivered), ("viewed", f.viewed), ("unsubscribed", f.unsubscribed)] {
        if let Some(c) = cell
            && c.value > sent.value
        {
            return Err(bad(c.line, VALUE_COL, format!("{what} {} is more than sent {}", c.value, sent.value)));
        }
    }
    if let Some(c) = f.clicked {
        match f.viewed {
            Some(v) if c.value > v.value => {
                return Err(bad(c.line, VALUE_COL, format!("clicked {} is more than viewed {}", c.value, v.value)));
            }
            None if c.value > sent.value => {
                return Err(bad(c.line, VALUE_COL, format!("clicked {} is more than sent {}", c.value, sent.value)));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The value column as a number fit for its metric.
fn number(row: &Row<'_>, kind: &str) -> Result<f64, CalibrateError> {
    let err = |why: &str| bad(row.line, VALUE_COL, format!("'{}' {why}", row.value));
    let x: f64 = row.value.parse().map_err(|_| err("is not a number"))?;
    if !x.is_finite() {
        return Err(err("is not a finite number"));
    }
    let metric = row.metric;
    if kind == "property" && metric == "mean" {
        return Ok(x);
    }
    if x < 0.0 {
        return Err(err("is negative; counts, costs, spreads and shares are 0 or more"));
    }
    if kind == "property" && metric.starts_with("share:") && x > 1.0 {
        return Err(err("is more than 1; a share is from 0 to 1"));
    }
    if is_count(kind, metric) && (x.fract() != 0.0 || x > 9.0e15) {
        return Err(err("is not a whole count"));
    }
    Ok(x)
}
