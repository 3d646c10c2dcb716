//! `journey-studio report`: the HTML report is self-contained, carries the same headline
//! figures as `simulate --format json`, compares with a baseline run on the same settings,
//! and shows hostile names as text in well-formed markup.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use journey_studio::format::to_ron;
use journey_studio::model::{Comment, CommentId, NodeKind};
use journey_studio::templates;

struct Out {
    code: i32,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out { code: out.status.code().expect("killed by a signal"), stderr: String::from_utf8(out.stderr).unwrap() }
}

fn assets() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

/// Every `data-figure="KEY" data-value="VALUE"` pair of the report.
fn figures(html: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in html.split("data-figure=\"").skip(1) {
        let (key, rest) = part.split_once('"').unwrap();
        let rest = rest.trim_start().strip_prefix("data-value=\"").unwrap();
        let (value, _) = rest.split_once('"').unwrap();
        out.insert(key.to_owned(), value.to_owned());
    }
    out
}

/// The value at a report JSON path such as `conversion.target.interval.lo` or `goals[0].met`.
fn at<'a>(json: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    let mut v = json;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (n, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
            None => (part, None),
        };
        v = &v[name];
        if let Some(i) = index {
            v = &v[i];
        }
    }
    v
}

/// Nothing the browser would fetch: no script, no linked style sheet, font or image, no
/// address of another site.
fn assert_self_contained(html: &str) {
    for needle in
        ["http://", "https://", "<script", "<link", "<img", "<iframe", "@import", "url(", " src=\"", "@font-face"]
    {
        assert!(!html.to_lowercase().contains(needle), "the report contains {needle:?}");
    }
    for part in html.split("href=\"").skip(1) {
        assert!(part.starts_with('#'), "a link out of the page: {}", &part[..part.len().min(60)]);
    }
}

/// Well-formed markup: every tag is one we write, every element is closed in order, text
/// holds no raw `<`, every `&` starts an entity, and no control character is left.
fn assert_well_formed(html: &str) {
    const VOID: &[&str] = &["meta", "br"];
    const KNOWN: &[&str] = &[
        "html", "head", "meta", "title", "style", "body", "header", "div", "h1", "h2", "h3", "p", "span", "b", "nav",
        "ol", "li", "a", "section", "figure", "table", "thead", "tbody", "tr", "th", "td", "pre", "footer", "svg", "g",
        "rect", "text", "path", "polygon", "polyline", "circle", "line",
    ];
    let body = html.strip_prefix("<!DOCTYPE html>\n").expect("a doctype");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt]);
        rest = &rest[lt + 1..];
        let gt = tag_end(rest);
        let tag = &rest[..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "</{name}> closes the wrong element");
            continue;
        }
        let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect();
        assert!(KNOWN.contains(&name.as_str()), "an unexpected element <{tag}>");
        if name == "style" {
            let end = rest.find("</style>").unwrap();
            assert!(!rest[..end].contains('<'), "markup inside the style sheet");
            rest = &rest[end + "</style>".len()..];
            continue;
        }
        if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
}

/// The end of a tag: the first `>` outside a quoted attribute value.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    panic!("an unterminated tag: {}", &s[..s.len().min(80)])
}

fn check_text(text: &str) {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&apos;"].iter().any(|e| entity.starts_with(e)),
            "a bare &: {}",
            &entity[..entity.len().min(30)]
        );
    }
    assert!(!text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')), "a control character");
}

#[test]
fn the_report_is_self_contained_and_its_headline_figures_are_those_of_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let file = assets().join("on_the_fence.journey");
    let file = file.to_str().unwrap();
    let out = run(dir.path(), &["report", file, "--users", "100000", "--out", "r.html"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(dir.path(), &["simulate", file, "--users", "100000", "--format", "json", "--out", "r.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();

    assert_self_contained(&html);
    assert_well_formed(&html);
    assert!(html.matches("<svg").count() >= 5, "{} svg elements", html.matches("<svg").count());
    assert!(html.contains("<h1>On-the-fence shoppers</h1>"));
    assert!(html.contains("draft, unversioned"));

    let figs = figures(&html);
    for key in [
        "journey.qualified",
        "journey.entered",
        "journey.goal_met",
        "conversion.target.rate",
        "conversion.target.interval.lo",
        "conversion.target.interval.hi",
        "conversion.control.rate",
        "conversion.difference",
        "conversion.difference_interval.lo",
        "conversion.boost.percent",
        "conversion.boost.interval.hi",
        "revenue.target",
        "revenue.revenue_minus_cost",
        "goals[0].met",
        "channels[0].sent",
        "total_cost",
        // The decision figures (SPEC §3.1) and the suppression summary.
        "incremental.conversions.value",
        "incremental.conversions.low",
        "incremental.conversions.high",
        "incremental.revenue.value",
        "incremental.revenue.low",
        "incremental.revenue.high",
        "incremental.net_return.value",
        "incremental.net_return.low",
        "incremental.net_return.high",
        "incremental.cost_per_incremental_conversion",
        "suppression.journey.not_sent",
        "suppression.journey.dnd_skipped",
        "suppression.journey.unreachable_fatigue",
        "suppression.journey.dnd_mean_delay_secs",
        "suppression.journey.affected_entries",
        "suppression.journey.affected_conversions",
        "suppression.channels[0].not_sent",
        "suppression.channels[0].capped",
    ] {
        assert!(figs.contains_key(key), "the report has no figure {key}");
    }
    for (key, shown) in &figs {
        let want = at(&json, key);
        if shown == "n/a" {
            assert!(want.is_null(), "{key}: the report says n/a, simulate says {want}");
        } else {
            let got: f64 = shown.parse().unwrap();
            let want = want.as_f64().unwrap_or_else(|| panic!("{key}: simulate has {want}"));
            assert_eq!(got, want, "{key}");
        }
    }
    // The decision figures are there, not n/a: on_the_fence holds out a journey control group.
    assert!(json["incremental"]["conversions"]["value"].is_f64());
    assert_ne!(figs["incremental.net_return.low"], "n/a");
    // The figures people read are those same numbers, with the currency, and the
    // revenue is labelled gross.
    let entered = json["journey"]["entered"].as_u64().unwrap();
    assert!(html.contains(&journey_studio::report::html::count(entered)));
    let headline = html.split("<section id=\"headline\"").nth(1).unwrap().split("</section>").next().unwrap();
    let cur = json["currency"].as_str().unwrap();
    assert!(headline.contains(&format!("Net incremental return ({cur})")), "{headline}");
    assert!(headline.contains("Cost per incremental conversion"));
    assert!(headline.contains("Gross revenue, target"));
    let net = &json["incremental"]["net_return"];
    let shown = journey_studio::figures::export::estimate(
        &journey_studio::sim::report::Estimate {
            value: net["value"].as_f64(),
            low: net["low"].as_f64(),
            high: net["high"].as_f64(),
        },
        true,
    );
    assert!(headline.contains(&format!("net incremental return {shown} {cur}")), "{shown}");
    assert!(html.contains("<section id=\"suppression\""));
}

#[test]
fn a_baseline_runs_with_the_files_settings_and_shows_both_values_and_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = templates::load("onboarding").unwrap();
    j.scenario.population.users = 4_000;
    std::fs::write(dir.path().join("a.journey"), to_ron(&j)).unwrap();
    // The same journey whose scenario asks for another seed and size: the report runs it
    // with a.journey's settings, so every difference is zero.
    let mut same = j.clone();
    same.setup.name = "Same, other seed".into();
    same.scenario.run.seed = 999;
    same.scenario.population.users = 77;
    std::fs::write(dir.path().join("b.journey"), to_ron(&same)).unwrap();
    let out = run(dir.path(), &["report", "a.journey", "--baseline", "b.journey", "--out", "r.html"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert_well_formed(&html);
    let section = html.split("<section id=\"comparison\"").nth(1).expect("a comparison section");
    let section = section.split("</section>").next().unwrap();
    assert!(section.contains("Same, other seed"));
    // Paired (SPEC §3.2): both journeys walked by the same users, so one journey against
    // itself shows no detectable change on any figure.
    assert!(section.contains("Paired 95%"), "no paired figures");
    assert_eq!(section.matches("no detectable change").count(), 5);
    assert!(section.contains("Net incremental return"));
    assert!(section.contains("−") || section.contains("±0"));
    for cell in section.split("<td class=\"num\">").skip(1) {
        let text = cell.split('<').next().unwrap();
        if text.starts_with('+') || text.starts_with('−') {
            panic!("a difference between two runs of one journey on the same settings: {text}");
        }
    }
    assert!(html.contains("--baseline b.journey"));

    // A changed baseline: fewer users reach the journey, and the report says by how much.
    let mut smaller = j.clone();
    for n in smaller.graph.nodes.values_mut() {
        if let NodeKind::Entry(seg) = &mut n.kind {
            seg.skip_unsubscribed = !seg.skip_unsubscribed;
        }
    }
    smaller.setup.control.journey_percent = Some(50);
    std::fs::write(dir.path().join("c.journey"), to_ron(&smaller)).unwrap();
    let out = run(dir.path(), &["report", "a.journey", "--baseline", "c.journey", "--out", "r2.html"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("r2.html")).unwrap();
    let section = html.split("<section id=\"comparison\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(section.contains("<td class=\"num\">+") || section.contains("<td class=\"num\">−"), "no difference shown");
}

/// The onboarding example with script tags, quotes, ampersands and terminal escapes in
/// its name, description, card labels, split paths, goal and a note. Saved as
/// `tests/fixtures/hostile_names.journey`, which `scripts/check-report.sh` renders in a browser.
fn hostile_journey() -> journey_studio::model::Journey {
    let mut j = templates::load("onboarding").unwrap();
    j.scenario.population.users = 2_000;
    j.setup.name = "<script>alert(1)</script>".to_owned();
    j.setup.description = "\"quoted\" & 'single' </style><style>body{display:none}".to_owned();
    for (i, n) in j.graph.nodes.values_mut().enumerate() {
        n.label = format!("n{i} \u{1b}[31mred\u{1b}[0m <b onmouseover=\"x\">& </svg>");
        if let NodeKind::RandomSplit { paths, .. } = &mut n.kind {
            for (k, p) in paths.iter_mut().enumerate() {
                p.name = format!("<path {k}> & \"{k}\"");
            }
        }
    }
    j.goals[0].name = "Goal <img src=x onerror=alert(1)>".to_owned();
    j.comments.push(Comment {
        id: CommentId(900),
        pos: journey_studio::model::CanvasPos::new(0.0, 400.0),
        text: "a note with </text></svg><script>alert(2)</script> and \u{7} bell".to_owned(),
    });
    j
}

#[test]
fn the_hostile_fixture_is_the_hostile_journey() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile_names.journey");
    if std::env::var_os("WRITE_HOSTILE_FIXTURE").is_some() {
        std::fs::write(&path, to_ron(&hostile_journey())).unwrap();
    }
    let fixture = journey_studio::format::load(&path).unwrap();
    assert_eq!(fixture, hostile_journey(), "regenerate with WRITE_HOSTILE_FIXTURE=1 cargo test --test core hostile");
    assert!(!journey_studio::validate::has_errors(&journey_studio::validate::validate(&fixture)));
}

#[test]
fn hostile_names_show_as_text_in_well_formed_markup() {
    let dir = tempfile::tempdir().unwrap();
    let j = hostile_journey();
    std::fs::write(dir.path().join("hostile.journey"), to_ron(&j)).unwrap();
    let out = run(dir.path(), &["report", "hostile.journey", "--out", "r.html"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert_self_contained(&html);
    assert_well_formed(&html);
    assert!(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert!(html.contains("&quot;quoted&quot; &amp; &#39;single&#39; &lt;/style&gt;"));
    assert!(html.contains("\u{241b}[31mred\u{241b}[0m &lt;b onmouseover=&quot;x&quot;&gt;"));
    assert!(html.contains("&lt;path 0&gt;"));
    assert!(html.contains("Goal &lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("and \u{2407}"), "the bell shows as a control picture");
}

#[test]
fn bad_input_gets_a_clear_error_and_the_right_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["report", "missing.journey", "--out", "r.html"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("missing.journey"), "{}", out.stderr);
    let mut j = templates::load("onboarding").unwrap();
    j.setup.name = String::new();
    std::fs::write(dir.path().join("bad.journey"), to_ron(&j)).unwrap();
    let good = assets().join("onboarding.journey");
    let out = run(dir.path(), &["report", good.to_str().unwrap(), "--baseline", "bad.journey", "--out", "r.html"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("bad.journey"), "{}", out.stderr);
    let out = run(dir.path(), &["report", good.to_str().unwrap()]);
    assert_eq!(out.code, 2, "--out is required: {}", out.stderr);
    let out = run(dir.path(), &["report", good.to_str().unwrap(), "--users", "500", "--out", "no/such/dir/r.html"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no/such/dir/r.html"), "{}", out.stderr);
    assert!(!dir.path().join("r.html").exists());
}
