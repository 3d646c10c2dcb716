//! Unit tests of the parser's refusals (line and column), each derivation, the shape
//! formula, and `apply`.

use super::*;
use crate::model::{ChannelRates, EventBehaviour};

const HEADER: &str = "kind,name,metric,value\n";

fn csv(rows: &str) -> String {
    format!("{HEADER}{rows}")
}

/// The (line, column) of a refusal, checking its text says so.
fn refusal(text: &str) -> (u64, usize, String) {
    match parse(text) {
        Err(e @ CalibrateError::Row { line, column, .. }) => {
            let shown = e.to_string();
            assert!(shown.starts_with(&format!("line {line}, column {column}: ")), "{shown}");
            (line, column, shown)
        }
        other => panic!("expected a refused row, got {other:?}"),
    }
}

fn journey() -> Journey {
    let mut j = Journey::new("t");
    j.scenario.channels.insert(Channel::Push, ChannelRates::typical(Channel::Push));
    let mut charged = EventBehaviour::at_rate(0.05);
    charged.properties.insert("Amount".into(), PropertyDist::Normal { mean: 50.0, std_dev: 10.0 });
    charged.properties.insert(
        "Platform".into(),
        PropertyDist::Categorical(vec![("ios".into(), 1.0), ("android".into(), 1.0), ("web".into(), 2.0)]),
    );
    j.scenario.events.insert("Charged".into(), charged);
    j
}

fn find<'a>(d: &'a [Derived], path: &str) -> &'a Derived {
    d.iter()
        .find(|x| x.path == path)
        .unwrap_or_else(|| panic!("no {path} in {:#?}", d.iter().map(|x| &x.path).collect::<Vec<_>>()))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn bad_rows_name_their_line_and_column() {
    let cases: [(&str, u64, usize, &str); 16] = [
        ("channel,push,sent,100\nchannel,push,clicked,abc\n", 3, 4, "'abc' is not a number"),
        ("channel,push,sent,100\nchanel,push,clicked,3\n", 3, 1, "unknown kind 'chanel'"),
        ("channel,pigeon,sent,100\n", 2, 2, "unknown channel 'pigeon'"),
        ("channel,push,sent,100\nchannel,push,opened,3\n", 3, 3, "unknown channel metric 'opened'"),
        ("channel,push,sent,-5\n", 2, 4, "negative"),
        ("channel,email,sent,100\nchannel,email,viewed,10\nchannel,email,clicked,11\n", 4, 4, "more than viewed"),
        ("channel,push,sent,100\nchannel,push,clicked\n", 3, 4, "the value is missing"),
        ("channel,push,sent,100\nchannel,push,,3\n", 3, 3, "the metric is missing"),
        ("channel,push,sent,100\nchannel,push,sent,100\n", 3, 3, "given again (first on line 2)"),
        ("hour,24,count,5\n", 2, 2, "'24' is not an hour"),
        ("channel,push,sent,10.5\n", 2, 4, "not a whole count"),
        ("channel,push,sent,100\nchannel,push,viewed,50\n", 3, 3, "push has no Viewed step"),
        ("channel,push,sent,NaN\n", 2, 4, "not a finite number"),
        ("channel,push,clicked,5\n", 2, 3, "needs a 'sent' row"),
        ("event,Charged,users,10\nevent,Charged,count,3\n", 2, 2, "has no days row"),
        ("channel,push,sent,100,extra\n", 2, 5, "4 fields"),
    ];
    for (rows, line, column, words) in cases {
        let (l, c, shown) = refusal(&csv(rows));
        assert_eq!((l, c), (line, column), "{rows}: {shown}");
        assert!(shown.contains(words), "{rows}: {shown}");
    }
}

#[test]
fn blank_lines_and_comments_keep_the_line_numbers_and_the_header_is_checked() {
    let (l, c, _) = refusal("# past quarter\nkind,name,metric,value\n\nchannel,push,sent,x\n");
    assert_eq!((l, c), (4, 4));
    let (l, c, shown) = refusal("kind,name,measure,value\nchannel,push,sent,1\n");
    assert_eq!((l, c), (1, 3), "{shown}");
    let (l, c, _) = refusal("");
    assert_eq!((l, c), (1, 1));
    let (l, _, shown) = refusal(HEADER);
    assert_eq!(l, 1);
    assert!(shown.contains("no rows"), "{shown}");
    // Quoted fields and a byte-order mark are fine; names of channels ignore case.
    assert!(parse("\u{feff}kind,name,metric,value\n\"channel\",\"Push\",sent,\"100\"\n").is_ok());
}

#[test]
fn hours_need_all_24_and_some_activity() {
    let some: String = (0..20).map(|h| format!("hour,{h},count,5\n")).collect();
    let (l, c, shown) = refusal(&csv(&some));
    assert_eq!((l, c), (2, 2));
    assert!(shown.contains("missing: 20, 21, 22, 23"), "{shown}");
    let zeros: String = (0..24).map(|h| format!("hour,{h},count,0\n")).collect();
    let (l, c, _) = refusal(&csv(&zeros));
    assert_eq!((l, c), (2, 4));
}

#[test]
fn events_refuse_impossible_squares_and_properties_mixed_or_unbalanced_rows() {
    let ev = "event,E,users,10\nevent,E,days,1\nevent,E,count,20\n";
    // Σc² of counts summing to 20 over 10 users is at least 40.
    let (l, c, shown) = refusal(&csv(&format!("{ev}event,E,count_sq,39\n")));
    assert_eq!((l, c), (5, 4), "{shown}");
    let (l, c, _) = refusal(&csv(&format!("{ev}event,E,count_sq,19\n")));
    assert_eq!((l, c), (5, 4));
    let (l, c, _) = refusal(&csv("event,E,users,0\n"));
    assert_eq!((l, c), (2, 4));
    let (l, c, _) = refusal(&csv("property,E.P,mean,3\nproperty,E.P,share:a,1\n"));
    assert_eq!((l, c), (3, 3));
    let (l, c, shown) = refusal(&csv("property,E.P,share:a,0.5\nproperty,E.P,share:b,0.2\n"));
    assert_eq!((l, c), (2, 4));
    assert!(shown.contains("add up to 0.7"), "{shown}");
    let (l, c, _) = refusal(&csv("property,EP,mean,3\n"));
    assert_eq!((l, c), (2, 2));
    let (l, c, _) = refusal(&csv("property,E.P,share:a,1.5\n"));
    assert_eq!((l, c), (2, 4));
}

#[test]
fn channel_values_follow_the_spec_formulas() {
    let r = parse(&csv(
        "channel,email,sent,1000\nchannel,email,failed,10\nchannel,email,viewed,250\nchannel,email,clicked,30\n\
         channel,email,unsubscribed,4\nchannel,email,cost,2.5\n\
         channel,push,sent,2000\nchannel,push,clicked,130\n\
         channel,whatsapp,sent,400\nchannel,whatsapp,delivered,380\n",
    ))
    .unwrap();
    let j = journey();
    let d = derive(&j, &r).unwrap();
    let failure = find(&d, "scenario.channels.Email.failure");
    assert!(close(failure.after, 10.0 / 1010.0));
    let (lo, hi) = failure.interval.unwrap();
    assert!(lo < failure.after && failure.after < hi);
    assert_eq!(failure.interval, wilson(10, 1010).map(|i| (i.lo, i.hi)));
    assert!(close(find(&d, "scenario.channels.Email.view").after, 0.25));
    let click = find(&d, "scenario.channels.Email.click_given_view");
    assert!(close(click.after, 30.0 / 250.0));
    assert_eq!(click.interval, wilson(30, 250).map(|i| (i.lo, i.hi)));
    assert!(close(find(&d, "scenario.fatigue.Email").after, 0.004));
    let cost = find(&d, "scenario.channels.Email.cost_per_message");
    assert!(close(cost.after, 0.0025));
    assert_eq!(cost.interval, None);
    // Push has no Viewed step: its click probability is per message sent.
    let push = find(&d, "scenario.channels.Push.click_given_view");
    assert!(close(push.after, 0.065));
    assert_eq!(push.label, "Push: click probability");
    assert_eq!(push.before, Some(0.06));
    assert!(close(find(&d, "scenario.channels.WhatsApp.delivery").after, 0.95));
    // The journey has no Email rates: nothing to show before.
    assert_eq!(failure.before, None);
    assert!(d.iter().all(|x| SettingPath::parse_adding(&x.path, &j).is_ok()));
}

#[test]
fn a_ratio_over_zero_is_refused_at_its_row() {
    let r = parse(&csv("channel,email,sent,0\nchannel,email,viewed,0\n")).unwrap();
    let e = derive(&journey(), &r).unwrap_err().to_string();
    assert!(e.starts_with("line 2, column 4: ") && e.contains("sent is 0"), "{e}");
    let r = parse(&csv("channel,email,sent,10\nchannel,email,viewed,0\nchannel,email,clicked,0\n")).unwrap();
    let e = derive(&journey(), &r).unwrap_err().to_string();
    assert!(e.starts_with("line 3, column 4: ") && e.contains("viewed is 0"), "{e}");
    let r = parse(&csv("channel,email,sent,10\nchannel,email,clicked,0\n")).unwrap();
    let e = derive(&journey(), &r).unwrap_err().to_string();
    assert!(e.starts_with("line 3, column 3: ") && e.contains("needs a 'viewed' row"), "{e}");
}

/// Per-user counts → the event rows.
fn event_rows(name: &str, counts: &[u64], days: u32) -> String {
    let sum: u64 = counts.iter().sum();
    let sq: u64 = counts.iter().map(|c| c * c).sum();
    format!(
        "event,{name},users,{}\nevent,{name},days,{days}\nevent,{name},count,{sum}\nevent,{name},count_sq,{sq}\n",
        counts.len()
    )
}

#[test]
fn the_rate_and_the_shape_come_from_the_counts() {
    let counts = [0, 0, 1, 2, 3, 10, 0, 4, 1, 9];
    let r = parse(&csv(&event_rows("Charged", &counts, 5))).unwrap();
    let d = derive(&journey(), &r).unwrap();
    // M = 30 / 10 = 3 per user over 5 days; var = (212 − 900/10) / 9 = 122/9.
    let rate = find(&d, "scenario.events[\"Charged\"].rate_per_day");
    assert!(close(rate.after, 0.6));
    assert_eq!(rate.before, Some(0.05));
    let (m, var) = (3.0, 122.0 / 9.0);
    let half = Z95 * (var / 10.0_f64).sqrt() / 5.0;
    let (lo, hi) = rate.interval.unwrap();
    assert!(close(lo, 0.6 - half) && close(hi, 0.6 + half), "{lo} {hi}");
    let shape = find(&d, "scenario.events[\"Charged\"].activity_shape");
    assert!(close(shape.after, m * m / (var - m)), "{}", shape.after);
    assert_eq!(shape.before, None, "no own shape yet");
    assert_eq!(shape.interval, None);
    assert!(shape.note.as_deref().is_some_and(|n| n.contains("own activity factor")), "{:?}", shape.note);
}

#[test]
fn counts_without_overdispersion_get_shape_1000_with_a_note() {
    // Everyone did it exactly twice: var 0 ≤ mean 2.
    let r = parse(&csv(&event_rows("Charged", &[2; 50], 10))).unwrap();
    let d = derive(&journey(), &r).unwrap();
    let shape = find(&d, "scenario.events[\"Charged\"].activity_shape");
    assert_eq!(shape.after, 1000.0);
    let note = shape.note.as_deref().unwrap();
    assert!(note.contains("no overdispersion") && note.contains("1000"), "{note}");
    // The rate's interval then uses the Poisson variance, var = mean.
    let rate = find(&d, "scenario.events[\"Charged\"].rate_per_day");
    let half = Z95 * (2.0_f64 / 50.0).sqrt() / 10.0;
    assert!(close(rate.interval.unwrap().1, 0.2 + half));
}

#[test]
fn without_count_sq_the_rate_interval_uses_the_journeys_shape_and_there_is_no_shape() {
    let r = parse(&csv("event,New Event,users,100\nevent,New Event,days,10\nevent,New Event,count,200\n")).unwrap();
    let j = journey();
    let d = derive(&j, &r).unwrap();
    assert_eq!(d.len(), 1);
    let rate = &d[0];
    assert_eq!(rate.before, None);
    assert!(close(rate.after, 0.2));
    let k = j.scenario.activity_shape;
    let half = Z95 * ((2.0 + 4.0 / k) / 100.0_f64).sqrt() / 10.0;
    assert!(close(rate.interval.unwrap().0, 0.2 - half));
    assert!(rate.note.as_deref().is_some_and(|n| n.contains("new in the scenario")), "{:?}", rate.note);
}

#[test]
fn hours_become_the_curve_at_the_old_total_weight() {
    let rows: String = (0..24).map(|h| format!("hour,{h},count,{}\n", if h == 13 { 300 } else { 100 })).collect();
    let r = parse(&csv(&rows)).unwrap();
    let j = journey();
    let old: f64 = j.scenario.population.activity_curve.iter().sum();
    let d = derive(&j, &r).unwrap();
    assert_eq!(d.len(), 24);
    let h13 = find(&d, "scenario.population.activity_curve[13]");
    assert!(close(h13.after, 300.0 / 2600.0 * old));
    assert_eq!(h13.before, Some(j.scenario.population.activity_curve[13]));
    let (lo, hi) = h13.interval.unwrap();
    let w = wilson(300, 2600).unwrap();
    assert!(close(lo, w.lo * old) && close(hi, w.hi * old));
    let total: f64 = d.iter().map(|x| x.after).sum();
    assert!(close(total, old));
}

#[test]
fn properties_set_mean_spread_and_shares() {
    let rows = format!(
        "{}property,Charged.Amount,mean,62.5\nproperty,Charged.Amount,sd,12\n\
         property,Charged.Platform,share:ios,0.6\nproperty,Charged.Platform,share:android,0.4\n",
        event_rows("Charged", &[1; 400], 10)
    );
    let r = parse(&csv(&rows)).unwrap();
    let j = journey();
    let d = derive(&j, &r).unwrap();
    let mean = find(&d, "scenario.events[\"Charged\"].properties[\"Amount\"].mean");
    assert_eq!((mean.before, mean.after), (Some(50.0), 62.5));
    let half = Z95 * 12.0 / 20.0;
    assert!(close(mean.interval.unwrap().1, 62.5 + half));
    let sd = find(&d, "scenario.events[\"Charged\"].properties[\"Amount\"].sd");
    assert_eq!((sd.before, sd.after), (Some(10.0), 12.0));
    assert!(close(sd.interval.unwrap().0, 12.0 - Z95 * 12.0 / (2.0_f64 * 399.0).sqrt()));
    let ios = find(&d, "scenario.events[\"Charged\"].properties[\"Platform\"].share[\"ios\"]");
    assert_eq!((ios.before, ios.after), (Some(0.25), 0.6));
    assert_eq!(ios.interval, wilson(240, 400).map(|i| (i.lo, i.hi)));
    // The journey's category the results lack goes to 0.
    let web = find(&d, "scenario.events[\"Charged\"].properties[\"Platform\"].share[\"web\"]");
    assert_eq!((web.before, web.after), (Some(0.5), 0.0));
    assert_eq!(web.note.as_deref(), Some("not in the results"));

    let mut k = j.clone();
    apply(&mut k, &d).unwrap();
    let e = &k.scenario.events["Charged"];
    assert_eq!(e.properties["Amount"], PropertyDist::Normal { mean: 62.5, std_dev: 12.0 });
    let PropertyDist::Categorical(cats) = &e.properties["Platform"] else { panic!("categorical") };
    let share = |c: &str| cats.iter().find(|(x, _)| x == c).unwrap().1;
    assert!(close(share("ios"), 0.6) && close(share("android"), 0.4) && share("web") == 0.0, "{cats:?}");
    assert_eq!(e.activity_shape, Some(1000.0));
}

#[test]
fn a_property_of_another_kind_in_the_journey_is_refused_at_its_row() {
    let r = parse(&csv("channel,push,sent,5\nproperty,Charged.Platform,mean,3\n")).unwrap();
    let e = derive(&journey(), &r).unwrap_err().to_string();
    assert!(e.starts_with("line 3, column 2: ") && e.contains("categorical"), "{e}");
    let r = parse(&csv("property,Charged.Amount,share:big,1\n")).unwrap();
    let e = derive(&journey(), &r).unwrap_err().to_string();
    assert!(e.starts_with("line 2, column 2: ") && e.contains("numeric"), "{e}");
}

#[test]
fn apply_adds_what_is_missing_and_is_all_or_nothing() {
    let rows = format!(
        "{}channel,webhook,sent,100\nchannel,webhook,failed,5\nproperty,Signed Up.Plan,share:pro,1\n",
        event_rows("Signed Up", &[0, 1, 0, 3], 2)
    );
    let r = parse(&csv(&rows)).unwrap();
    let j = journey();
    let d = derive(&j, &r).unwrap();
    let mut k = j.clone();
    apply(&mut k, &d).unwrap();
    let e = &k.scenario.events["Signed Up"];
    assert!(close(e.rate_per_day, 0.5));
    assert!(e.activity_shape.is_some());
    assert_eq!(e.properties["Plan"], PropertyDist::Categorical(vec![("pro".into(), 1.0)]));
    assert!(close(k.scenario.channels[&Channel::Webhook].failure, 5.0 / 105.0));
    // Every derived value now reads back from its path.
    for x in &d {
        let p = SettingPath::parse(&x.path, &k).unwrap();
        assert!(close(p.get(&k).unwrap(), x.after), "{}", x.path);
    }
    // A value out of range refuses the lot.
    let mut bad = d.clone();
    bad.push(Derived {
        path: "scenario.channels.Push.view".into(),
        label: "Push: view".into(),
        before: Some(1.0),
        after: 1.5,
        interval: None,
        note: None,
    });
    let mut k = j.clone();
    let e = apply(&mut k, &bad).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    assert_eq!(k, j);
    // So does a path that is not a setting.
    bad.last_mut().unwrap().path = "scenario.channels.Push.opened".into();
    assert!(matches!(apply(&mut k, &bad), Err(CalibrateError::Setting(_))));
    assert_eq!(k, j);
}

#[test]
fn a_partly_chosen_share_leaves_the_rest_in_proportion() {
    let r = parse(&csv("property,Charged.Platform,share:ios,0.5\nproperty,Charged.Platform,share:web,0.5\n")).unwrap();
    let j = journey();
    let d = derive(&j, &r).unwrap();
    let chosen: Vec<Derived> = d.into_iter().filter(|x| x.path.contains("ios")).collect();
    let mut k = j.clone();
    apply(&mut k, &chosen).unwrap();
    let PropertyDist::Categorical(cats) = &k.scenario.events["Charged"].properties["Platform"] else { panic!() };
    // ios 0.5; android and web (weights 1 and 2) share the other half 1:2.
    let w: Vec<f64> = cats.iter().map(|(_, w)| *w).collect();
    assert!(close(w[0], 0.5) && close(w[1], 0.5 / 3.0) && close(w[2], 1.0 / 3.0), "{w:?}");
}
