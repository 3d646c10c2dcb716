//! Publishing, versions and their use (SPEC §1.5): publish the working draft as a frozen
//! version, restore a version as the draft, clone one to a new journey, and pick a side
//! (`FILE`, `FILE@v2`) for a comparison.
//!
//! Publishing validates first and refuses a journey with errors. When the draft differs
//! from the latest version only by partial edits (message content, provider, manual
//! split percentages; see [`crate::model::diff::Change::partial`]) the latest version is
//! updated in place, keeping its number, with an entry in its change log; any other
//! behavioural change publishes the next version, up to v[`MAX_VERSIONS`].
//!
//! Invariants: publishing never touches the draft, the scenario, the comments or the
//! status; a refused publish changes nothing; a version's number never changes and
//! numbers only grow; the caller supplies the time (this layer reads no clock).

use crate::model::diff::{Diff, Side, diff};
use crate::model::{Journey, Status, Timestamp, Version};
use crate::validate::{Diagnostic, Severity, validate};

/// The most versions a journey may have (v1…v10).
pub const MAX_VERSIONS: u32 = 10;
/// The longest version description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 120;

/// What publishing the draft now would do.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// Publish a new version with this number.
    New(u32),
    /// Update the latest version in place: only partial edits since it.
    InPlace {
        /// The latest version's number.
        number: u32,
        /// The partial edits.
        diff: Diff,
    },
    /// Nothing in the journey's behaviour changed since this version.
    Unchanged(u32),
    /// v10 exists and the draft has changes that are not partial edits.
    LimitReached,
}

/// Why publishing was refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PublishError {
    /// Validation found errors (the diagnostics are the problems list, errors first).
    #[error("the journey has {} error(s): fix them before publishing", .0.iter().filter(|d| d.severity == Severity::Error).count())]
    Invalid(Vec<Diagnostic>),
    /// The version name is empty.
    #[error("a version needs a name")]
    NameRequired,
    /// The description is longer than [`MAX_DESCRIPTION_CHARS`].
    #[error("the description has {0} characters; at most {MAX_DESCRIPTION_CHARS} are allowed")]
    DescriptionTooLong(usize),
    /// The draft does not differ from the latest version.
    #[error("nothing to publish: the journey has not changed since v{0}")]
    Unchanged(u32),
    /// v10 exists and the change is not a partial edit.
    #[error(
        "v{MAX_VERSIONS} is the last version a journey can have: clone the journey to a new file to publish further changes"
    )]
    LimitReached,
}

/// What a publish did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The version's number.
    pub number: u32,
    /// Whether it updated the latest version in place (partial edits).
    pub in_place: bool,
    /// How many changes it holds relative to the previous state of the versions.
    pub changes: usize,
}

/// A version's frozen parts, as a comparison side (with the file's scenario, which
/// versions do not freeze).
#[must_use]
pub fn version_side<'a>(v: &'a Version, j: &'a Journey) -> Side<'a> {
    Side { setup: &v.setup, graph: &v.graph, goals: &v.goals, scenario: Some(&j.scenario) }
}

/// The draft's behaviour, without the scenario (publishing ignores it).
fn draft_side(j: &Journey) -> Side<'_> {
    Side { scenario: None, ..Side::journey(j) }
}

/// The latest version, if any.
#[must_use]
pub fn latest(j: &Journey) -> Option<&Version> {
    j.versions.iter().max_by_key(|v| v.number)
}

/// The version with this number.
#[must_use]
pub fn find(j: &Journey, number: u32) -> Option<&Version> {
    j.versions.iter().find(|v| v.number == number)
}

/// The structural changes in the draft since the latest version (`None` without one).
#[must_use]
pub fn draft_changes(j: &Journey) -> Option<Diff> {
    latest(j).map(|v| diff(Side { scenario: None, ..version_side(v, j) }, draft_side(j)))
}

/// What publishing now would do (before validation).
#[must_use]
pub fn plan(j: &Journey) -> Plan {
    let Some(v) = latest(j) else { return Plan::New(1) };
    let Some(d) = draft_changes(j) else { return Plan::New(1) };
    if d.changes.is_empty() {
        Plan::Unchanged(v.number)
    } else if d.only_partial() {
        Plan::InPlace { number: v.number, diff: d }
    } else if v.number >= MAX_VERSIONS || j.versions.len() >= MAX_VERSIONS as usize {
        Plan::LimitReached
    } else {
        Plan::New(v.number.saturating_add(1))
    }
}

/// Publishes the draft at `now`: validates, then freezes a new version named `name`, or
/// updates the latest one in place when only partial edits were made (its name becomes
/// `name`; the description goes into its change log entry, with every change).
///
/// # Errors
/// [`PublishError`]; the journey is then unchanged.
pub fn publish(j: &mut Journey, name: &str, description: &str, now: Timestamp) -> Result<Published, PublishError> {
    let mut diagnostics = validate(j);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        diagnostics.sort_by_key(|d| std::cmp::Reverse(d.severity));
        return Err(PublishError::Invalid(diagnostics));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(PublishError::NameRequired);
    }
    let description = description.trim();
    let chars = description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(PublishError::DescriptionTooLong(chars));
    }
    match plan(j) {
        Plan::Unchanged(n) => Err(PublishError::Unchanged(n)),
        Plan::LimitReached => Err(PublishError::LimitReached),
        Plan::New(number) => {
            let changes = draft_changes(j).map_or(0, |d| d.changes.len());
            j.versions.push(Version {
                number,
                published_at: now,
                name: name.to_owned(),
                description: description.to_owned(),
                change_log: Vec::new(),
                setup: j.setup.clone(),
                graph: j.graph.clone(),
                goals: j.goals.clone(),
            });
            Ok(Published { number, in_place: false, changes })
        }
        Plan::InPlace { number, diff } => {
            let (setup, graph, goals) = (j.setup.clone(), j.graph.clone(), j.goals.clone());
            let Some(v) = j.versions.iter_mut().find(|v| v.number == number) else {
                return Err(PublishError::Unchanged(number));
            };
            let lines: Vec<String> = diff.changes.iter().map(ToString::to_string).collect();
            let what = if description.is_empty() { String::new() } else { format!("{description}: ") };
            v.change_log.push(format!("{now} {what}{}", lines.join("; ")));
            v.name = name.to_owned();
            v.setup = setup;
            v.graph = graph;
            v.goals = goals;
            Ok(Published { number, in_place: true, changes: diff.changes.len() })
        }
    }
}

/// Makes version `number` the working draft again: its setup, graph and goals replace
/// the draft's; the scenario, comments, status and versions stay.
///
/// # Errors
/// A message when there is no such version.
pub fn restore(j: &mut Journey, number: u32) -> Result<(), String> {
    let v = find(j, number).ok_or_else(|| format!("There is no version v{number} to restore"))?.clone();
    j.setup = v.setup;
    j.graph = v.graph;
    j.goals = v.goals;
    Ok(())
}

/// The version as a journey of its own, to show read-only: its setup, graph and goals
/// with the file's scenario and status, without comments (they belong to the draft).
#[must_use]
pub fn as_journey(j: &Journey, number: u32) -> Option<Journey> {
    let v = find(j, number)?;
    Some(Journey {
        setup: v.setup.clone(),
        graph: v.graph.clone(),
        goals: v.goals.clone(),
        comments: Vec::new(),
        scenario: j.scenario.clone(),
        status: j.status,
        versions: Vec::new(),
    })
}

/// A new journey cloned from version `number`: its setup (named "NAME (copy of vN)"),
/// graph and goals, the file's scenario, status Draft and no versions.
#[must_use]
pub fn clone_version(j: &Journey, number: u32) -> Option<Journey> {
    let mut out = as_journey(j, number)?;
    out.setup.name = format!("{} (copy of v{number})", out.setup.name);
    out.status = Status::Draft;
    Some(out)
}

/// A comparison side named on the command line: `FILE` (the draft) or `FILE@vN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideSpec {
    /// The file.
    pub path: std::path::PathBuf,
    /// The version, or the draft when `None`.
    pub version: Option<u32>,
}

impl SideSpec {
    /// Reads `FILE@vN`. A path that exists as given is a file, even with an `@` in its
    /// name; otherwise a trailing `@vN` (or `@VN`) picks a version.
    #[must_use]
    pub fn parse(arg: &str) -> Self {
        let whole = Self { path: arg.into(), version: None };
        if std::path::Path::new(arg).exists() {
            return whole;
        }
        let Some((file, tail)) = arg.rsplit_once('@') else { return whole };
        let digits = tail.strip_prefix(['v', 'V']).unwrap_or("");
        match digits.parse::<u32>() {
            Ok(n) if !file.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => {
                Self { path: file.into(), version: Some(n) }
            }
            _ => whole,
        }
    }

    /// The journey this side stands for: the file's draft, or the version as a journey.
    ///
    /// # Errors
    /// A message naming the missing version and the ones the file has.
    pub fn pick(&self, j: &Journey) -> Result<Journey, String> {
        let Some(n) = self.version else { return Ok(j.clone()) };
        as_journey(j, n).ok_or_else(|| {
            let have: Vec<String> = j.versions.iter().map(|v| format!("v{}", v.number)).collect();
            if have.is_empty() {
                format!("no version v{n}: the journey has no published versions")
            } else {
                format!("no version v{n}: the journey has {}", have.join(", "))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NodeId, NodeKind};

    fn at(day: u32) -> Timestamp {
        Timestamp::from_utc(2027, 1, day, 9, 0, 0).unwrap()
    }

    fn cart() -> Journey {
        crate::templates::load("abandoned-cart").unwrap()
    }

    fn first_channel(j: &mut Journey) -> &mut crate::model::Message {
        j.graph
            .nodes
            .values_mut()
            .find_map(|n| match &mut n.kind {
                NodeKind::Channel { message, .. } => Some(message),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn first_publish_is_v1_and_freezes_the_draft() {
        let mut j = cart();
        let draft = j.clone();
        let p = publish(&mut j, "Launch", "First cut", at(4)).unwrap();
        assert_eq!(p, Published { number: 1, in_place: false, changes: 0 });
        let v = &j.versions[0];
        assert_eq!((v.name.as_str(), v.description.as_str(), v.published_at), ("Launch", "First cut", at(4)));
        assert_eq!((&v.setup, &v.graph, &v.goals), (&draft.setup, &draft.graph, &draft.goals));
        assert_eq!(j.setup, draft.setup, "the journey's own description is unchanged");
        assert_eq!(publish(&mut j, "Again", "", at(5)), Err(PublishError::Unchanged(1)));
    }

    #[test]
    fn partial_edits_update_in_place_with_a_change_log() {
        let mut j = cart();
        publish(&mut j, "Launch", "", at(4)).unwrap();
        first_channel(&mut j).body = "We kept your cart".into();
        assert!(matches!(plan(&j), Plan::InPlace { number: 1, .. }));
        let p = publish(&mut j, "Launch", "Friendlier copy", at(5)).unwrap();
        assert_eq!(p, Published { number: 1, in_place: true, changes: 1 });
        assert_eq!(j.versions.len(), 1);
        let log = &j.versions[0].change_log;
        assert_eq!(log.len(), 1);
        assert!(log[0].starts_with("2027-01-05T09:00:00Z Friendlier copy: n"), "{}", log[0]);
        assert!(log[0].contains("message.body") && log[0].contains("We kept your cart"), "{}", log[0]);
        assert_eq!(j.versions[0].published_at, at(4));
        assert_eq!(plan(&j), Plan::Unchanged(1));
    }

    #[test]
    fn a_structural_change_is_the_next_version() {
        let mut j = cart();
        publish(&mut j, "Launch", "", at(4)).unwrap();
        let last = *j.graph.nodes.keys().next_back().unwrap();
        j.graph.nodes.get_mut(&last).unwrap().label.push_str(" (renamed)");
        assert_eq!(plan(&j), Plan::New(2));
        let p = publish(&mut j, "Rename", "", at(5)).unwrap();
        assert_eq!((p.number, p.in_place, p.changes), (2, false, 1));
        assert!(j.versions[0].change_log.is_empty());
    }

    #[test]
    fn v10_is_the_limit_but_partial_edits_still_apply() {
        let mut j = cart();
        for i in 1..=MAX_VERSIONS {
            j.setup.timeout = Some(crate::model::Seconds::days(i64::from(i)));
            assert_eq!(publish(&mut j, &format!("v{i}"), "", at(4)).unwrap().number, i);
        }
        j.setup.timeout = Some(crate::model::Seconds::days(30));
        let before = j.clone();
        let e = publish(&mut j, "v11", "", at(5)).unwrap_err();
        assert_eq!(e, PublishError::LimitReached);
        assert!(e.to_string().contains("clone"), "{e}");
        assert_eq!(j, before);
        j.setup.timeout = Some(crate::model::Seconds::days(10));
        first_channel(&mut j).provider = "Other provider".into();
        let p = publish(&mut j, "v10", "", at(6)).unwrap();
        assert_eq!((p.number, p.in_place), (10, true));
    }

    #[test]
    fn errors_refuse_with_the_problems_list() {
        let mut j = cart();
        j.graph.nodes.retain(|_, n| !matches!(n.kind, NodeKind::Entry(_)));
        let before = j.clone();
        let Err(PublishError::Invalid(problems)) = publish(&mut j, "x", "", at(4)) else { panic!("published") };
        assert!(problems.first().is_some_and(|d| d.severity == Severity::Error));
        assert_eq!(j, before);
        let mut j = cart();
        assert_eq!(publish(&mut j, " ", "", at(4)), Err(PublishError::NameRequired));
        let long = "x".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert_eq!(publish(&mut j, "a", &long, at(4)), Err(PublishError::DescriptionTooLong(121)));
        assert!(publish(&mut j, "a", &"é".repeat(MAX_DESCRIPTION_CHARS), at(4)).is_ok());
    }

    #[test]
    fn restore_and_clone() {
        let mut j = cart();
        publish(&mut j, "Launch", "", at(4)).unwrap();
        let v1_graph = j.graph.clone();
        let first = *j.graph.nodes.keys().next_back().unwrap();
        j.graph.remove_node(first);
        j.status = Status::Running;
        j.scenario.population.users = 1234;
        restore(&mut j, 1).unwrap();
        assert_eq!(j.graph, v1_graph);
        assert_eq!((j.status, j.scenario.population.users), (Status::Running, 1234));
        assert!(restore(&mut j, 7).is_err());
        let c = clone_version(&j, 1).unwrap();
        assert!(c.versions.is_empty() && c.status == Status::Draft);
        assert!(c.setup.name.ends_with("(copy of v1)"), "{}", c.setup.name);
        assert_eq!(c.graph, v1_graph);
        assert!(clone_version(&j, 2).is_none());
        assert!(j.graph.node(NodeId(1)).is_some());
    }

    #[test]
    fn side_specs() {
        assert_eq!(SideSpec::parse("a.journey@v2"), SideSpec { path: "a.journey".into(), version: Some(2) });
        assert_eq!(SideSpec::parse("a.journey").version, None);
        assert_eq!(SideSpec::parse("a@b.journey").version, None);
        assert_eq!(SideSpec::parse("@v2").version, None);
        assert_eq!(SideSpec::parse("a.journey@v").version, None);
        let j = cart();
        let e = SideSpec::parse("x@v3").pick(&j).unwrap_err();
        assert!(e.contains("no published versions"), "{e}");
    }
}
