//! Engine tests: exact timings, a coverage matrix of every node kind and port,
//! statistical checks with fixed seeds, determinism across thread counts, bad scenarios.

use journey_studio::model::*;
use journey_studio::sim::report::{Report, StepKind};
use journey_studio::sim::{RunOptions, SimError, simulate};

fn t0() -> Timestamp {
    Timestamp::from_utc(2027, 1, 4, 0, 0, 0).unwrap()
}

/// A journey with a live entry on `App Launched` (rate per day given), UTC, `users` users.
fn base(users: u64, rate: f64) -> Journey {
    let mut j = Journey::new("test");
    j.setup.start = t0();
    j.setup.timeout = None;
    j.scenario.population.users = users;
    j.scenario.run.horizon_days = 10;
    j.scenario.events.insert("App Launched".into(), EventBehaviour::at_rate(rate));
    j
}

fn entry(j: &Journey) -> NodeId {
    j.graph.entry().unwrap().id
}

fn add(j: &mut Journey, kind: NodeKind) -> NodeId {
    let id = j.graph.next_node_id();
    j.graph.nodes.insert(id, Node { id, label: format!("node {}", id.0), pos: CanvasPos::new(0.0, 0.0), kind });
    id
}

fn link(j: &mut Journey, from: NodeId, port: Port, to: NodeId) {
    j.graph.connect(from, port, to);
}

fn channel(c: Channel) -> NodeKind {
    let mut k = KindTag::Channel(c).default_kind();
    if let NodeKind::Channel { message, .. } = &mut k {
        message.title = "Title".into();
        message.subject = "Subject".into();
        message.url = "https://example.com/hook".into();
    }
    k
}

fn run(j: &Journey) -> Report {
    run_with(j, RunOptions { threads: Some(1), ..RunOptions::default() })
}

fn run_with(j: &Journey, opts: RunOptions) -> Report {
    simulate(j, &opts, &|_| true).unwrap()
}

fn node<'a>(r: &'a Report, id: NodeId) -> &'a journey_studio::sim::report::NodeStats {
    r.nodes.iter().find(|n| n.id == id).unwrap()
}

fn moved(r: &Report, id: NodeId, port: Port) -> u64 {
    node(r, id).ports.iter().find(|p| p.port == port).map_or(0, |p| p.moved)
}

#[test]
fn smoke_wait_then_push() {
    let mut j = base(2_000, 1.0);
    let e = entry(&j);
    let w = add(&mut j, NodeKind::Wait(WaitKind::Duration(Seconds::DAY)));
    let p = add(&mut j, channel(Channel::Push));
    link(&mut j, e, Port::Next, w);
    link(&mut j, w, Port::Next, p);
    let r = run(&j);
    println!("{}", serde_json::to_string_pretty(&r.journey).unwrap());
    assert!(r.journey.entered > 0);
    assert_eq!(r.journey.entered, node(&r, w).entered);
    let ch = node(&r, p).channel.clone().unwrap();
    assert!(ch.sent > 0 && ch.unreachable > 0);
}
