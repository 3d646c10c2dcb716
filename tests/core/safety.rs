//! Nothing lost, nothing crashes (issue 15): the CLI on full disks, closed or full
//! stdout, special files, huge journeys, `--out` onto its own input, hostile names and
//! far-future dates; and the rule that `validate` accepts exactly what `simulate` runs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use journey_studio::format::{load, to_ron};
use journey_studio::model::{Journey, Node, NodeId, NodeKind};
use journey_studio::templates;

use crate::fault::{full_disk, names};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_journey-studio"))
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` in `dir`, killing it after 60 s (a hang fails the test instead of
/// hanging it).
fn finish(mut cmd: Command, dir: &Path) -> Out {
    let child =
        cmd.current_dir(dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("wait-for-child".into())
        .spawn(move || {
            let _ = tx.send(child.wait_with_output());
        })
        .unwrap();
    let Ok(out) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        panic!("the command hung: {cmd:?}");
    };
    let out = out.unwrap();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let mut c = Command::new(bin());
    c.args(args);
    finish(c, dir)
}

fn run_on_full_disk(dir: &Path, args: &[&str]) -> Out {
    let mut c = full_disk(&bin());
    c.args(args);
    finish(c, dir)
}

/// A small, quick journey: the abandoned-cart template with 200 users for 3 days.
fn small(dir: &Path, file: &str, change: impl FnOnce(&mut Journey)) {
    let mut j = templates::load("abandoned-cart").unwrap();
    j.scenario.population.users = 200;
    j.scenario.run.horizon_days = 3;
    j.scenario.run.replicates = 1;
    change(&mut j);
    fs::write(dir.join(file), to_ron(&j)).unwrap();
}

// ----- 5, 6: writers on a full disk; --out onto the input -----

#[test]
fn simulate_out_on_a_full_disk_keeps_the_previous_report_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path(), "cart.journey", |_| {});
    fs::write(dir.path().join("report.json"), b"{\"the previous\": \"report\"}\n").unwrap();
    let out = run_on_full_disk(dir.path(), &["simulate", "cart.journey", "--format", "json", "--out", "report.json"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("cannot write the output") && out.stderr.contains("report.json"), "{}", out.stderr);
    assert_eq!(fs::read(dir.path().join("report.json")).unwrap(), b"{\"the previous\": \"report\"}\n");
    assert_eq!(names(dir.path()), ["cart.journey", "report.json"]);
}

#[test]
fn new_on_a_full_disk_leaves_nothing_so_a_retry_works() {
    let dir = tempfile::tempdir().unwrap();
    assert!(templates::find("onboarding").unwrap().text.len() as u64 > crate::fault::FULL_DISK_BYTES);
    let out = run_on_full_disk(dir.path(), &["new", "--template", "onboarding", "a.journey"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    let out = run(dir.path(), &["new", "--template", "onboarding", "a.journey"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(load(&dir.path().join("a.journey")).is_ok());
}

#[test]
fn new_force_on_a_full_disk_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.journey"), b"old bytes").unwrap();
    let out = run_on_full_disk(dir.path(), &["new", "--template", "onboarding", "a.journey", "--force"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_eq!(fs::read(dir.path().join("a.journey")).unwrap(), b"old bytes");
    assert_eq!(names(dir.path()), ["a.journey"]);
}

#[test]
fn out_naming_the_input_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path(), "cart.journey", |_| {});
    fs::create_dir(dir.path().join("sub")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("cart.journey", dir.path().join("link.journey")).unwrap();
    fs::hard_link(dir.path().join("cart.journey"), dir.path().join("hard.journey")).unwrap();
    let before = fs::read(dir.path().join("cart.journey")).unwrap();
    for out_arg in ["cart.journey", "./sub/../cart.journey", "link.journey", "hard.journey"] {
        if !dir.path().join(out_arg).exists() {
            continue;
        }
        let out = run(dir.path(), &["simulate", "cart.journey", "--format", "json", "--out", out_arg]);
        assert_eq!(out.code, Some(2), "{out_arg}: {}", out.stderr);
        assert!(out.stderr.contains("--out names the journey itself"), "{}", out.stderr);
        assert_eq!(fs::read(dir.path().join("cart.journey")).unwrap(), before, "{out_arg}");
        // `compare` refuses an --out naming either side.
        for sides in [["cart.journey", "sub/../cart.journey"], ["hard.journey", "cart.journey"]] {
            let out = run(dir.path(), &["compare", sides[0], sides[1], "--format", "json", "--out", out_arg]);
            assert_eq!(out.code, Some(2), "{out_arg}: {}", out.stderr);
            assert!(out.stderr.contains("--out names one of the journeys"), "{}", out.stderr);
            assert_eq!(fs::read(dir.path().join("cart.journey")).unwrap(), before, "{out_arg}");
        }
    }
}

#[cfg(unix)]
#[test]
fn out_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path(), "cart.journey", |_| {});
    fs::write(dir.path().join("real.csv"), b"old").unwrap();
    std::os::unix::fs::symlink("real.csv", dir.path().join("link.csv")).unwrap();
    let out = run(dir.path(), &["simulate", "cart.journey", "--format", "csv", "--out", "link.csv"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(fs::symlink_metadata(dir.path().join("link.csv")).unwrap().file_type().is_symlink());
    assert!(fs::read_to_string(dir.path().join("real.csv")).unwrap().starts_with("path,value\n"));
}

// ----- 9: closed or full stdout -----

/// Runs the binary with stdout `to`; the exit code and stderr.
fn with_stdout(dir: &Path, args: &[&str], to: Stdio) -> (Option<i32>, String) {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(to)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_or_full_stdout_ends_every_subcommand_with_exit_2_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path(), "cart.journey", |_| {});
    small(dir.path(), "other.journey", |j| j.setup.name = "Other".into());
    let commands: [&[&str]; 10] = [
        &["--help"],
        &["--version"],
        &["validate", "--help"],
        &["validate", "cart.journey", "cart.journey"],
        &["new", "--template", "onboarding", "new.journey", "--force"],
        &["simulate", "cart.journey"],
        &["simulate", "cart.journey", "--format", "json"],
        &["compare", "cart.journey", "other.journey"],
        &["diff", "cart.journey", "other.journey"],
        &["diff", "cart.journey", "other.journey", "--format", "json"],
    ];
    for args in commands {
        // A pipe whose reader has gone (`| head -1` after its line, `| true`).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let (code, stderr) = with_stdout(dir.path(), args, Stdio::from(writer));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "a closed pipe ends quietly: {args:?}: {stderr}");
        // A full device.
        let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let (code, stderr) = with_stdout(dir.path(), args, Stdio::from(full));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write the output") && stderr.contains("stdout"), "{args:?}: {stderr}");
    }
}

// ----- 10: special files and size -----

#[cfg(unix)]
#[test]
fn a_fifo_a_device_a_folder_or_a_huge_file_is_a_clear_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("mkfifo").arg(dir.path().join("pipe.journey")).status().unwrap();
    assert!(made.success());
    fs::create_dir(dir.path().join("folder.journey")).unwrap();
    let huge = fs::File::create(dir.path().join("huge.journey")).unwrap();
    huge.set_len(journey_studio::format::MAX_FILE_BYTES + 1).unwrap();
    for (file, needle) in [
        ("pipe.journey", "not a regular file"),
        ("/dev/zero", "not a regular file"),
        ("folder.journey", "folder"),
        ("huge.journey", "larger than 64 MiB"),
    ] {
        for cmd in ["validate", "simulate"] {
            let out = run(dir.path(), &[cmd, file]);
            assert_eq!(out.code, Some(2), "{cmd} {file}: {}", out.stderr);
            assert!(out.stderr.contains(needle), "{cmd} {file}: {}", out.stderr);
        }
    }
}

// ----- 11: huge journeys -----

/// `cart.journey` with its exit node copied until the journey has `nodes` nodes.
fn with_nodes(dir: &Path, nodes: usize) {
    small(dir, "big.journey", |j| {
        let exit = j.graph.nodes.values().find(|n| matches!(n.kind, NodeKind::Exit)).unwrap().clone();
        let mut id = j.graph.nodes.keys().map(|k| k.0).max().unwrap();
        while j.graph.nodes.len() < nodes {
            id += 1;
            j.graph.nodes.insert(NodeId(id), Node { id: NodeId(id), ..exit.clone() });
        }
    });
}

#[test]
fn a_journey_over_the_node_limit_is_refused_by_validate_and_simulate() {
    let dir = tempfile::tempdir().unwrap();
    with_nodes(dir.path(), journey_studio::validate::limits::MAX_NODES + 1);
    let out = run(dir.path(), &["validate", "big.journey"]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("5001 nodes; at most 5000"), "{}", out.stdout);
    let out = run(dir.path(), &["simulate", "big.journey", "--users", "100000"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("at most 5000"), "{}", out.stderr);
    // At the limit it runs.
    with_nodes(dir.path(), journey_studio::validate::limits::MAX_NODES);
    let out = run(dir.path(), &["simulate", "big.journey", "--users", "20"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

// ----- 12: one set of rules -----

#[test]
fn values_simulate_refused_are_validation_errors() {
    let dir = tempfile::tempdir().unwrap();
    type Case = (&'static str, fn(&mut Journey), &'static str);
    let cases: [Case; 4] = [
        ("rate", |j| j.scenario.events.values_mut().next().unwrap().rate_per_day = 1e300, "times per user per day"),
        (
            "mult",
            |j| {
                let e = j.scenario.events.values_mut().next().unwrap();
                e.engagement.push(journey_studio::model::EngagementResponse {
                    on: journey_studio::model::EngagementKind::Click,
                    multiplier: 1e9,
                    duration: journey_studio::model::Seconds::DAY,
                });
            },
            "multiplier",
        ),
        ("cost", |j| j.scenario.channels.values_mut().next().unwrap().cost_per_message = 1e308, "cost per message"),
        (
            "offset",
            |j| {
                j.scenario.population.properties.insert(
                    "Birthday".into(),
                    journey_studio::model::PropertyDist::DateOffset { min_days: -1e9, max_days: 0.0 },
                );
            },
            "offset",
        ),
    ];
    for (name, change, needle) in cases {
        let file = format!("{name}.journey");
        small(dir.path(), &file, change);
        let out = run(dir.path(), &["validate", &file]);
        assert_eq!(out.code, Some(1), "{name}: {}", out.stdout);
        assert!(out.stdout.contains(needle), "{name}: {}", out.stdout);
        let out = run(dir.path(), &["simulate", &file]);
        assert_eq!(out.code, Some(1), "{name}: {}", out.stderr);
    }
}

#[test]
fn flags_take_their_limits_from_the_file_rules() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path(), "cart.journey", |_| {});
    for args in [
        ["--replicates", "0"],
        ["--replicates", "101"],
        ["--replicates", "1000"],
        ["--days", "0"],
        ["--days", "3651"],
        ["--users", "0"],
        ["--users", "100000001"],
        ["--trajectories", "10001"],
    ] {
        let out = run(dir.path(), &["simulate", "cart.journey", args[0], args[1]]);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(args[1]), "{args:?}: {}", out.stderr);
        if args[0] != "--trajectories" {
            let out = run(dir.path(), &["compare", "cart.journey", "cart.journey", args[0], args[1]]);
            assert_eq!(out.code, Some(2), "compare {args:?}: {}", out.stderr);
            assert!(out.stderr.contains(args[1]), "compare {args:?}: {}", out.stderr);
        }
    }
}

// ----- 14, 15: names for the terminal, far-future dates -----

#[test]
fn names_with_terminal_escapes_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path(), "cart.journey", |j| {
        j.setup.name = "Red\u{1b}[31m\nalert".into();
        j.graph.nodes.values_mut().next().unwrap().label = "bell\u{7}".into();
    });
    let out = run(dir.path(), &["simulate", "cart.journey"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{:?}", out.stdout);
    assert!(out.stdout.starts_with("Red\\u{1b}[31m\\nalert: "), "{}", out.stdout);
    assert!(out.stdout.contains("bell\\u{7}"), "{}", out.stdout);
    // The same names in `compare`'s table and `diff`'s lines.
    small(dir.path(), "plain.journey", |_| {});
    let out = run(dir.path(), &["compare", "plain.journey", "cart.journey"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("B: Red\\u{1b}[31m\\nalert\n"), "{}", out.stdout);
    let out = run(dir.path(), &["diff", "plain.journey", "cart.journey"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("bell\\u{7}"), "{}", out.stdout);
}

#[test]
fn a_run_past_the_year_9999_is_refused_not_printed_as_seconds() {
    let dir = tempfile::tempdir().unwrap();
    small(dir.path(), "late.journey", |j| {
        j.setup.start = journey_studio::model::Timestamp::from_utc(9999, 12, 31, 0, 0, 0).unwrap();
        j.setup.end = None;
    });
    let out = run(dir.path(), &["validate", "late.journey"]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert!(out.stdout.contains("after the year 9999"), "{}", out.stdout);
    let out = run(dir.path(), &["simulate", "late.journey", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(!out.stdout.contains('@'), "{}", out.stdout);
    // A start that fits its own horizon, with an override that does not.
    small(dir.path(), "late.journey", |j| {
        j.setup.start = journey_studio::model::Timestamp::from_utc(9999, 12, 1, 0, 0, 0).unwrap();
        j.setup.end = None;
    });
    assert_eq!(run(dir.path(), &["validate", "late.journey"]).code, Some(0));
    let out = run(dir.path(), &["simulate", "late.journey", "--days", "60"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("after the year 9999"), "{}", out.stderr);
}

#[test]
fn a_journey_over_the_link_limit_is_refused() {
    use journey_studio::model::{OutputRef, Port};
    use journey_studio::validate::{Rule, validate};
    let mut j = templates::load("abandoned-cart").unwrap();
    for n in 0..=u32::try_from(journey_studio::validate::limits::MAX_LINKS).unwrap() {
        j.graph.links.insert(OutputRef { node: NodeId(1_000_000 + n), port: Port::Next }, NodeId(1));
    }
    let d = validate(&j);
    assert_eq!(d.len(), 1, "only the size error: {d:?}");
    assert_eq!(d[0].rule, Rule::TooLarge);
    assert!(d[0].message.contains("at most 20000 are allowed"), "{}", d[0].message);
}

// ----- 13: duplicate keys -----

#[test]
fn a_key_given_twice_in_a_map_is_a_load_error_naming_both_lines() {
    let text = templates::find("abandoned-cart").unwrap().text;
    for (key, entry_start) in [("\"Charged\"", "                \"Charged\": ("), ("Mon", "                    Mon: (")]
    {
        // Repeat the key's first line (its whole entry when it fits on one line) just
        // after it, with a different value where there is one.
        let at = 1 + text.find(&format!("\n{entry_start}")).unwrap_or_else(|| panic!("{key} not found"));
        let line_end = at + text[at..].find('\n').unwrap() + 1;
        let entry = &text[at..line_end];
        let doubled = if entry.trim_end().ends_with("),") {
            format!("{}{}{}", &text[..line_end], entry.replace("22:00", "21:00"), &text[line_end..])
        } else {
            // A multi-line entry: a short one before it.
            let short = format!("{entry_start}rate_per_day: 1.0, properties: {{}}, engagement: []),\n");
            format!("{}{short}{}", &text[..at], &text[at..])
        };
        let first_line = 1 + doubled[..at].matches('\n').count();
        let e = journey_studio::format::from_ron(&doubled).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&format!("the key {key} is given twice")), "{msg}");
        assert!(msg.contains(&format!("on lines {first_line} and {}", first_line + 1)), "{msg}");
        assert_eq!(e.position().map(|(line, _)| line), Some(first_line + 1), "{msg}");
    }
}

// ----- 12: the property -----

mod one_set_of_rules {
    use journey_studio::model::{EngagementKind, EngagementResponse, PropertyDist, Seconds, Timestamp};
    use journey_studio::sim::{RunOptions, SimError, simulate};
    use journey_studio::validate::{has_errors, validate};
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    /// Numbers at and around every limit, and the hostile ones.
    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            select(vec![
                -1.0,
                -0.0,
                0.0,
                0.5,
                1.0,
                1.000_001,
                2.0,
                1_000.0,
                1_000.1,
                10_000.0,
                10_000.1,
                36_600.0,
                36_600.1,
                1e6,
                1e6 + 1.0,
                1e9,
                1e300,
                1e308,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ]),
            -2.0..2e6,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        /// A journey `validate` accepts is one `simulate` runs, and one it refuses
        /// `simulate` refuses too. "Runs" is seen at the first progress callback, which
        /// comes after the plan is built and before any user is walked.
        #[test]
        fn validate_accepts_exactly_what_simulate_runs(
            rate in number(),
            multiplier in number(),
            cost in number(),
            share in number(),
            fatigue in number(),
            shape in number(),
            weight in number(),
            offset in number(),
            property in number(),
            users in select(vec![0u64, 1, 50, journey_studio::sim::MAX_USERS, journey_studio::sim::MAX_USERS + 1]),
            horizon in select(vec![0u32, 1, 2, 3_650, 3_651, 100_000]),
            replicates in select(vec![0u32, 1, 100, 101, 1_000]),
            late in any::<bool>(),
            which in 0usize..9,
        ) {
            let mut j = templates::load("abandoned-cart").unwrap();
            let sc = &mut j.scenario;
            // One or two values changed at a time, so each rule gets its turn alone.
            match which {
                0 => sc.events.values_mut().next().unwrap().rate_per_day = rate,
                1 => sc.events.values_mut().next().unwrap().engagement.push(EngagementResponse {
                    on: EngagementKind::View,
                    multiplier,
                    duration: Seconds::DAY,
                }),
                2 => sc.channels.values_mut().next().unwrap().cost_per_message = cost,
                3 => {
                    sc.population.reachability.email = share;
                    sc.fatigue.insert(journey_studio::model::Channel::Email, fatigue);
                }
                4 => {
                    sc.activity_shape = shape;
                    sc.population.activity_curve[5] = weight;
                }
                5 => {
                    sc.population.properties.insert(
                        "Renewal".into(),
                        PropertyDist::DateOffset { min_days: -offset.abs(), max_days: offset },
                    );
                }
                6 => {
                    sc.population.properties.insert("Score".into(), PropertyDist::Normal { mean: property, std_dev: offset });
                }
                7 => {
                    sc.population.timezones[0].weight = weight;
                    sc.channels.values_mut().next().unwrap().view = share;
                }
                _ => {}
            }
            sc.population.users = users;
            sc.run.horizon_days = horizon;
            sc.run.replicates = replicates;
            if late {
                j.setup.start = Timestamp::from_utc(9999, 6, 1, 0, 0, 0).unwrap();
                j.setup.end = None;
            }
            let accepted = !has_errors(&validate(&j));
            let opts = RunOptions { threads: Some(1), ..RunOptions::default() };
            let ran = match simulate(&j, &opts, &|_| false) {
                Err(SimError::Cancelled) => true,
                Err(SimError::Invalid(_)) => false,
                other => panic!("{other:?}"),
            };
            prop_assert_eq!(accepted, ran);
        }
    }
}
