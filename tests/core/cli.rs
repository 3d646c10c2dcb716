//! The `journey-studio` binary on files in a temp dir: output and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use std::path::Path;
use std::process::{Command, Stdio};

use journey_studio::format::{from_ron, load, to_ron};
use journey_studio::model::{NodeId, NodeKind};
use journey_studio::templates;

pub(crate) struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub(crate) fn run(dir: &Path, args: &[&str]) -> Out {
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

#[test]
fn simulate_a_short_run_keeps_stderr_quiet_and_replaces_the_out_file() {
    let dir = tempfile::tempdir().unwrap();
    write_template(dir.path(), "abandoned-cart", "cart.journey");
    std::fs::write(dir.path().join("r.csv"), "old").unwrap();
    let out = run(dir.path(), &["simulate", "cart.journey", "--users", "2000", "--format", "csv", "--out", "r.csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert!(std::fs::read_to_string(dir.path().join("r.csv")).unwrap().starts_with("path,value\n"));
    // Nothing else (no temporary file) is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// Runs `simulate` on the 12-node benchmark with 100 million users on one thread (well
/// over ten seconds even for an engine at 5 million users a second), waits until its
/// progress line shows a throughput, sends SIGINT, and returns the exit code, what
/// stderr showed before the signal, and all of stderr.
#[cfg(unix)]
fn simulate_and_interrupt(dir: &Path, out: &str) -> (i32, String, String) {
    use std::io::Read as _;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bench12.journey");
    let mut child = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .arg("simulate")
        .arg(&bench)
        .args(["--users", "100000000", "--threads", "1", "--format", "json", "--out", out])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let reader = std::thread::Builder::new()
        .name("child-stderr".into())
        .spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        })
        .unwrap();

    // The line is drawn once the run passes a second; " left" needs a share above 0.
    let mut before = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(180);
    while !String::from_utf8_lossy(&before).contains(" left") {
        let wait = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(chunk) => before.extend(chunk),
            Err(_) => {
                let _ = child.kill();
                panic!("no progress line with time left: {}", String::from_utf8_lossy(&before));
            }
        }
    }
    let before = String::from_utf8(before).unwrap();
    assert!(child.try_wait().unwrap().is_none(), "the run ended before the signal: {before}");

    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success(), "kill -INT failed");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running 60 s after SIGINT: {before}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.join().unwrap();
    let mut all = before.clone().into_bytes();
    all.extend(rx.try_iter().flatten());
    let code = status.code().unwrap_or_else(|| panic!("ended by a signal ({status}), not a clean stop: {before}"));
    (code, before, String::from_utf8(all).unwrap())
}

#[cfg(unix)]
#[test]
fn simulate_shows_throughput_and_ctrl_c_exits_130_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, before, stderr) = simulate_and_interrupt(dir.path(), "report.json");
    // `simulating …/bench12.journey:   3% · 1.2M users/s · 1.3 s elapsed · about 41.0 s left`
    let line = before.rsplit('\r').find(|l| l.contains(" left")).unwrap();
    assert!(line.contains("bench12.journey: "), "{line}");
    for part in ["% · ", " users/s · ", " elapsed · about "] {
        assert!(line.contains(part), "{part:?} missing: {line}");
    }
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!stderr.contains("done in"), "{stderr}");
    // No report, and no temporary file either.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
}

#[cfg(unix)]
#[test]
fn simulate_ctrl_c_keeps_an_existing_out_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.json"), "the last good report").unwrap();
    let (code, _, stderr) = simulate_and_interrupt(dir.path(), "report.json");
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("report.json")).unwrap(), "the last good report");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
