//! The `journey-studio` binary on files in a temp dir: output and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use std::path::Path;
use std::process::{Command, Stdio};

use journey_studio::format::{from_ron, load, to_ron};
use journey_studio::model::{NodeId, NodeKind};
use journey_studio::templates;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out {
        code: out.status.code().expect("killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn write_template(dir: &Path, name: &str, file: &str) {
    std::fs::write(dir.join(file), templates::find(name).unwrap().text).unwrap();
}

#[test]
fn validate_a_clean_file_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write_template(dir.path(), "abandoned-cart", "cart.journey");
    let out = run(dir.path(), &["validate", "cart.journey"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("error"), "{}", out.stdout);
}

#[test]
fn validate_errors_exit_1_and_name_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = templates::load("onboarding").unwrap();
    // n9 is the 50/50 sign-up split; 60 + 30 does not make 100.
    let Some(NodeKind::RandomSplit { paths, .. }) = j.graph.nodes.get_mut(&NodeId(9)).map(|n| &mut n.kind) else {
        panic!("onboarding n9 is no longer the random split")
    };
    paths[0].percent = 60;
    paths[1].percent = 30;
    std::fs::write(dir.path().join("bad.journey"), to_ron(&j)).unwrap();
    write_template(dir.path(), "abandoned-cart", "good.journey");
    let out = run(dir.path(), &["validate", "good.journey", "bad.journey"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.lines().any(|l| l.starts_with("bad.journey:n9: error: ")), "{}", out.stdout);
    assert!(!out.stdout.lines().any(|l| l.starts_with("good.journey:") && l.contains(": error: ")), "{}", out.stdout);
}

#[test]
fn validate_a_corrupt_file_exits_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = templates::find("onboarding").unwrap().text;
    let cut = &text[..text.len() / 2];
    assert!(from_ron(cut).is_err());
    std::fs::write(dir.path().join("cut.journey"), cut).unwrap();
    write_template(dir.path(), "onboarding", "good.journey");
    let out = run(dir.path(), &["validate", "cut.journey", "good.journey"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let line = out.stderr.lines().find(|l| l.starts_with("cut.journey:")).unwrap_or_else(|| panic!("{}", out.stderr));
    let mut parts = line.splitn(4, ':');
    let (_, l, c, rest) = (parts.next(), parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    assert!(l.parse::<usize>().unwrap() > 1 && c.parse::<usize>().unwrap() >= 1, "{line}");
    assert!(rest.starts_with(" error: "), "{line}");
    // The good file after the bad one is still checked.
    assert!(out.stdout.contains("good.journey"), "{}", out.stdout);
}

#[test]
fn validate_a_missing_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["validate", "nowhere.journey"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nowhere.journey") && out.stderr.contains("error"), "{}", out.stderr);
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &["validate"]).code, 2);
    assert_eq!(run(dir.path(), &["--no-such-flag"]).code, 2);
    assert_eq!(run(dir.path(), &["new"]).code, 2);
}

#[test]
fn new_writes_a_template_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["new", "--template", "abandoned-cart"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let default_path = dir.path().join("abandoned-cart.journey");
    assert_eq!(load(&default_path).unwrap(), templates::load("abandoned-cart").unwrap());

    let out = run(dir.path(), &["new", "--template", "onboarding", "mine.journey"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mine = dir.path().join("mine.journey");
    assert_eq!(load(&mine).unwrap(), templates::load("onboarding").unwrap());

    // An existing file is kept unless --force.
    std::fs::write(&mine, "precious").unwrap();
    let out = run(dir.path(), &["new", "--template", "on-the-fence", "mine.journey"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "precious");
    let out = run(dir.path(), &["new", "--template", "on-the-fence", "--force", "mine.journey"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(load(&mine).unwrap(), templates::load("on-the-fence").unwrap());
}

#[test]
fn new_with_an_unknown_template_exits_2_listing_the_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["new", "--template", "nope"]);
    assert_eq!(out.code, 2);
    for t in templates::TEMPLATES {
        assert!(out.stderr.contains(t.name), "{}", out.stderr);
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn help_lists_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--help"]);
    assert_eq!(out.code, 0);
    for sub in ["validate", "new"] {
        assert!(out.stdout.lines().any(|l| l.trim_start().starts_with(sub)), "{sub} missing:\n{}", out.stdout);
    }
}
