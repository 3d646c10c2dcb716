//! The `.journey` format: exact round trips (proptest over every model type), the
//! version 0 migration from a stored fixture, parse errors with line and column, no
//! panics on 10,000+ corrupted files, and atomic saves that never damage the old file.

// Helpers and proptest strategies outside `#[test]` functions unwrap on fixed test data.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use journey_studio::format::{FORMAT_VERSION, FormatError, from_bytes, from_ron, load, save, to_ron};
use journey_studio::model::{
    ActionRule, CanvasPos, Channel, Comment, CommentId, Condition, ContentVariant, CountCmp, DatePropertyRule, Dnd,
    DndAction, EngagementKind, EngagementResponse, EntryRule, EntrySegment, EventBehaviour, EventFilter, Filter, Goal,
    GoalMode, InactionRule, Journey, KindTag, Message, MessageButton, Node, NodeId, NodeKind, Operator,
    PastBehaviourRule, PathId, Port, ProfileUpdateRow, PropertyCondition, PropertyDist, RandomPath, Scenario, Scope,
    Seconds, SplitMode, TimeOfDay, TimeWindow, Timestamp, TzName, UpdateOp, Value, VariantId, WaitKind,
};

/// A journey with every node kind, every channel, links (one to a missing node, one
/// from a port the node lacks), goals, a comment and a trimmed scenario.
fn every_kind() -> Journey {
    let mut j = Journey::new("Every kind");
    j.setup.description = "All node kinds, for format tests".into();
    j.setup.dnd = Dnd::every_day(
        TimeWindow { start: TimeOfDay::new(22, 0).unwrap(), end: TimeOfDay::new(8, 0).unwrap() },
        DndAction::Defer,
    );
    for (i, tag) in KindTag::all().into_iter().enumerate().skip(1) {
        let id = j.graph.next_node_id();
        let kind = match tag {
            KindTag::Condition => NodeKind::Condition {
                condition: Condition::UserProperty(Filter::Any(vec![
                    Filter::Cond(PropertyCondition {
                        scope: Scope::User,
                        property: "City".into(),
                        op: Operator::Equals,
                        value: Value::Text("Pune".into()),
                    }),
                    Filter::All(vec![]),
                ])),
                window: None,
                counted_from: journey_studio::model::CountedFrom::Entry,
            },
            KindTag::ProfileUpdate => NodeKind::ProfileUpdate {
                rows: vec![ProfileUpdateRow { property: "Tier".into(), op: UpdateOp::SetTo, value: "gold".into() }],
            },
            other => other.default_kind(),
        };
        #[allow(clippy::cast_precision_loss)]
        let pos = CanvasPos::new(0.0, i as f32 * 120.0);
        j.graph.nodes.insert(id, Node { id, label: tag.label().into(), pos, kind });
    }
    let ids: Vec<NodeId> = j.graph.nodes.keys().copied().collect();
    for pair in ids.windows(2) {
        let port = j.graph.nodes[&pair[0]].kind.output_ports().first().copied().unwrap_or(Port::Next);
        j.graph.connect(pair[0], port, pair[1]);
    }
    j.graph.connect(NodeId(2), Port::Yes, NodeId(99)); // a port a Wait lacks, to a missing node
    j.goals.push(Goal {
        name: "Purchase".into(),
        event: EventFilter::named("Charged"),
        mode: GoalMode::Live,
        value_property: Some("Amount".into()),
        pos: CanvasPos::new(0.0, -200.0),
    });
    j.comments.push(Comment { id: CommentId(1), pos: CanvasPos::new(300.0, 0.0), text: "Note \"quoted\"\n".into() });
    j.scenario.channels.retain(|c, _| *c == Channel::Push);
    j.scenario.events.insert(
        "Charged".into(),
        EventBehaviour {
            rate_per_day: 0.05,
            properties: BTreeMap::from([("Amount".into(), PropertyDist::Normal { mean: 40.0, std_dev: 12.5 })]),
            engagement: vec![EngagementResponse { on: EngagementKind::Click, multiplier: 3.0, duration: Seconds::DAY }],
            activity_shape: None,
        },
    );
    j
}

/// The line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in the text"));
    1 + text[..at].matches('\n').count()
}

fn parse_error(text: &str) -> (usize, usize, String) {
    match from_ron(text) {
        Err(FormatError::Parse { line, col, message }) => (line, col, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

mod round_trip {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_kind_round_trips_byte_identically() {
        let j = every_kind();
        let text = to_ron(&j);
        let back = from_ron(&text).unwrap();
        assert_eq!(back, j);
        assert_eq!(to_ron(&back), text, "saving an unchanged journey gives identical bytes");
    }

    #[test]
    fn the_file_begins_with_its_format_version() {
        let text = to_ron(&every_kind());
        assert!(text.starts_with(&format!("(\n    format_version: {FORMAT_VERSION},\n    journey: (\n")), "{text}");
        assert!(text.ends_with(")\n"));
        assert!(!text.contains('\r'));
    }

    #[test]
    fn short_groups_sit_on_one_line_and_no_line_is_long() {
        let text = to_ron(&every_kind());
        assert!(text.contains("pos: (x: 0.0, y: 120.0),"), "{text}");
        assert!(text.contains("timezone: (account: \"UTC\", per_user: false),"), "{text}");
        for line in text.lines() {
            // Only a single long value (a long text) may overflow.
            assert!(line.chars().count() <= 100 || !line.trim_end_matches(',').ends_with(')'), "{line}");
        }
    }

    #[test]
    fn awkward_floats_round_trip_exactly() {
        let mut j = Journey::new("floats");
        let xs = [
            0.1,
            -0.0,
            1e-300,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            1.0 / 3.0,
            123_456_789.123_456_79,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        j.scenario.population.activity_curve = xs.to_vec();
        let back = from_ron(&to_ron(&j)).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.scenario.population.activity_curve), bits(&xs));
        // NaN cannot equal itself, so check it by its bits.
        j.scenario.activity_shape = f64::NAN;
        let back = from_ron(&to_ron(&j)).unwrap();
        assert!(back.scenario.activity_shape.is_nan());
    }

    // ---- strategies: every model type ----

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![3 => "[a-zA-Z0-9 ]{0,12}", 1 => any::<String>(), 1 => Just("\"(,[:{\\}\n\t\u{0}\u{301}".to_owned())]
    }

    fn float() -> impl Strategy<Value = f64> {
        prop_oneof![
            3 => 0.0..1.0f64,
            1 => any::<f64>().prop_filter("NaN never equals itself", |x| !x.is_nan()),
            1 => Just(f64::INFINITY),
        ]
    }

    fn float32() -> impl Strategy<Value = f32> {
        prop_oneof![3 => -2000.0..2000.0f32, 1 => any::<f32>().prop_filter("not NaN", |x| !x.is_nan())]
    }

    fn seconds() -> impl Strategy<Value = Seconds> {
        prop_oneof![3 => (0..1_000_000i64).prop_map(Seconds), 1 => any::<i64>().prop_map(Seconds)]
    }

    fn timestamp() -> impl Strategy<Value = Timestamp> {
        prop_oneof![
            3 => (0..4_102_444_800i64).prop_map(Timestamp),
            1 => any::<i64>().prop_map(Timestamp),
        ]
    }

    fn time_of_day() -> impl Strategy<Value = TimeOfDay> {
        (0..24u8, 0..60u8).prop_map(|(h, m)| TimeOfDay::new(h, m).unwrap())
    }

    fn channel() -> impl Strategy<Value = Channel> {
        proptest::sample::select(Channel::ALL.to_vec())
    }

    fn weekday() -> impl Strategy<Value = journey_studio::model::Weekday> {
        proptest::sample::select(journey_studio::model::Weekday::ALL.to_vec())
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            text().prop_map(Value::Text),
            float().prop_map(Value::Number),
            any::<bool>().prop_map(Value::Bool),
            timestamp().prop_map(Value::DateTime),
            seconds().prop_map(Value::Duration),
        ]
    }

    fn condition_leaf() -> impl Strategy<Value = PropertyCondition> {
        (
            prop_oneof![Just(Scope::User), Just(Scope::Event)],
            text(),
            proptest::sample::select(Operator::ALL.to_vec()),
            value(),
        )
            .prop_map(|(scope, property, op, value)| PropertyCondition { scope, property, op, value })
    }

    fn filter() -> impl Strategy<Value = Filter> {
        condition_leaf().prop_map(Filter::Cond).prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Filter::All),
                proptest::collection::vec(inner, 0..3).prop_map(Filter::Any),
            ]
        })
    }

    fn event_filter() -> impl Strategy<Value = EventFilter> {
        (text(), proptest::collection::vec(condition_leaf(), 0..2))
            .prop_map(|(event, filters)| EventFilter { event, filters })
    }

    fn action() -> impl Strategy<Value = ActionRule> {
        (event_filter(), proptest::option::of(any::<u32>()))
            .prop_map(|(event, nth_occurrence)| ActionRule { event, nth_occurrence })
    }

    fn inaction() -> impl Strategy<Value = InactionRule> {
        (event_filter(), event_filter(), seconds()).prop_map(|(did, not_did, within)| InactionRule {
            did,
            not_did,
            within,
        })
    }

    fn count() -> impl Strategy<Value = CountCmp> {
        prop_oneof![
            any::<u32>().prop_map(CountCmp::MoreThan),
            any::<u32>().prop_map(CountCmp::FewerThan),
            any::<u32>().prop_map(CountCmp::Exactly),
            any::<u32>().prop_map(CountCmp::AtLeast),
        ]
    }

    fn past() -> impl Strategy<Value = PastBehaviourRule> {
        (event_filter(), count(), any::<u32>()).prop_map(|(event, count, last_days)| PastBehaviourRule {
            event,
            count,
            last_days,
        })
    }

    fn date_rule() -> impl Strategy<Value = DatePropertyRule> {
        (text(), seconds()).prop_map(|(property, within_next)| DatePropertyRule { property, within_next })
    }

    fn port() -> impl Strategy<Value = Port> {
        prop_oneof![
            proptest::sample::select(vec![
                Port::Next,
                Port::Yes,
                Port::No,
                Port::Timeout,
                Port::Sent,
                Port::Failed,
                Port::Delivered,
                Port::Viewed,
                Port::Clicked,
                Port::Unreachable,
                Port::Updated,
                Port::Others,
            ]),
            any::<u32>().prop_map(|p| Port::Path(PathId(p))),
        ]
    }

    fn message() -> impl Strategy<Value = Message> {
        (text(), text(), text(), proptest::collection::vec((text(), text()), 0..2), text(), text()).prop_map(
            |(title, subject, body, buttons, url, provider)| Message {
                title,
                subject,
                body,
                buttons: buttons.into_iter().map(|(label, url)| MessageButton { label, url }).collect(),
                url,
                provider,
            },
        )
    }

    fn kind() -> impl Strategy<Value = NodeKind> {
        let entry = (
            prop_oneof![
                action().prop_map(EntryRule::LiveAction),
                inaction().prop_map(EntryRule::Inaction),
                date_rule().prop_map(EntryRule::DateProperty),
                past().prop_map(EntryRule::PastBehaviour),
                text().prop_map(|name| EntryRule::CustomList { name }),
            ],
            proptest::collection::vec(condition_leaf(), 0..2),
            any::<bool>(),
        )
            .prop_map(|(rule, user_filters, skip_unsubscribed)| {
                NodeKind::Entry(EntrySegment { rule, user_filters, skip_unsubscribed })
            });
        let wait = prop_oneof![
            seconds().prop_map(WaitKind::Duration),
            (time_of_day(), any::<bool>())
                .prop_map(|(time, user_timezone)| WaitKind::TimeOfDay { time, user_timezone }),
            timestamp().prop_map(WaitKind::Until),
            Just(WaitKind::BestTime),
        ]
        .prop_map(NodeKind::Wait);
        let condition = (
            prop_oneof![
                action().prop_map(Condition::LiveAction),
                inaction().prop_map(Condition::Inaction),
                past().prop_map(Condition::PastBehaviour),
                filter().prop_map(Condition::UserProperty),
                date_rule().prop_map(Condition::DateProperty),
            ],
            proptest::option::of(seconds()),
            prop_oneof![
                Just(journey_studio::model::CountedFrom::Entry),
                Just(journey_studio::model::CountedFrom::Arrival)
            ],
        )
            .prop_map(|(condition, window, counted_from)| NodeKind::Condition {
                condition,
                window,
                counted_from,
            });
        let conditional = proptest::collection::vec((any::<u32>(), text(), filter()), 0..3).prop_map(|paths| {
            NodeKind::ConditionalSplit {
                paths: paths
                    .into_iter()
                    .map(|(id, name, filter)| journey_studio::model::ConditionalPath { id: PathId(id), name, filter })
                    .collect(),
            }
        });
        let random = (
            proptest::collection::vec((any::<u32>(), text(), any::<u8>()), 0..4),
            prop_oneof![
                Just(SplitMode::Manual),
                any::<u8>().prop_map(|min_share_percent| SplitMode::Automated { min_share_percent })
            ],
            proptest::option::of(any::<u32>().prop_map(PathId)),
        )
            .prop_map(|(paths, mode, winner)| NodeKind::RandomSplit {
                paths: paths
                    .into_iter()
                    .map(|(id, name, percent)| RandomPath { id: PathId(id), name, percent })
                    .collect(),
                mode,
                winner,
            });
        let variants = proptest::collection::vec((any::<u32>(), text(), any::<u8>(), message()), 0..3).prop_map(|v| {
            v.into_iter()
                .map(|(id, name, percent, message)| ContentVariant { id: VariantId(id), name, percent, message })
                .collect::<Vec<_>>()
        });
        let chan = (channel(), message(), seconds(), any::<bool>(), variants).prop_map(
            |(channel, message, engagement_window, exclude_from_user_timezone, variants)| NodeKind::Channel {
                channel,
                message,
                engagement_window,
                exclude_from_user_timezone,
                variants,
            },
        );
        let update = proptest::collection::vec(
            (text(), proptest::sample::select(UpdateOp::ALL.to_vec()), text())
                .prop_map(|(property, op, value)| ProfileUpdateRow { property, op, value }),
            0..3,
        )
        .prop_map(|rows| NodeKind::ProfileUpdate { rows });
        prop_oneof![
            entry,
            wait,
            condition,
            conditional,
            random,
            chan,
            update,
            Just(NodeKind::ForceExit),
            Just(NodeKind::Exit)
        ]
    }

    fn graph() -> impl Strategy<Value = journey_studio::model::Graph> {
        (
            proptest::collection::btree_map(0..40u32, (text(), float32(), float32(), kind()), 0..8),
            proptest::collection::btree_map((0..45u32, port()), 0..45u32, 0..10),
        )
            .prop_map(|(nodes, links)| {
                let mut g = journey_studio::model::Graph::default();
                for (id, (label, x, y, kind)) in nodes {
                    g.nodes.insert(NodeId(id), Node { id: NodeId(id), label, pos: CanvasPos::new(x, y), kind });
                }
                for ((from, port), to) in links {
                    g.connect(NodeId(from), port, NodeId(to));
                }
                g
            })
    }

    fn goal() -> impl Strategy<Value = Goal> {
        (
            text(),
            event_filter(),
            prop_oneof![Just(GoalMode::Live), Just(GoalMode::PastBehaviour)],
            proptest::option::of(text()),
            float32(),
        )
            .prop_map(|(name, event, mode, value_property, x)| Goal {
                name,
                event,
                mode,
                value_property,
                pos: CanvasPos::new(x, -x),
            })
    }

    fn setup() -> impl Strategy<Value = journey_studio::model::Setup> {
        use journey_studio::model::{
            CapPeriod, ControlGroups, FrequencyCap, Recurrence, Reentry, Setup, Timeline, TimezoneSetting,
        };
        let timeline = prop_oneof![
            Just(Timeline::Once),
            proptest::collection::vec(timestamp(), 0..3).prop_map(Timeline::SpecificDates),
            any::<u32>().prop_map(|n| Timeline::Recurring(Recurrence::EveryDays(n))),
            proptest::collection::vec(weekday(), 0..3).prop_map(|d| Timeline::Recurring(Recurrence::Weekly(d))),
            any::<u8>().prop_map(|d| Timeline::Recurring(Recurrence::Monthly(d))),
        ];
        let dnd = (
            any::<bool>(),
            proptest::collection::btree_map(weekday(), (time_of_day(), time_of_day()), 0..7),
            prop_oneof![Just(DndAction::Skip), Just(DndAction::Defer)],
        )
            .prop_map(|(enabled, windows, action)| Dnd {
                enabled,
                windows: windows.into_iter().map(|(d, (start, end))| (d, TimeWindow { start, end })).collect(),
                action,
            });
        (
            (text(), text(), timestamp(), proptest::option::of(timestamp()), timeline),
            (
                (any::<bool>(), proptest::option::of(seconds()), proptest::option::of(any::<u32>())),
                dnd,
                (text(), any::<bool>()),
                (proptest::option::of(any::<u8>()), proptest::option::of(any::<u8>())),
                proptest::option::of(seconds()),
                proptest::option::of((any::<u32>(), prop_oneof![Just(CapPeriod::Day), Just(CapPeriod::Week)])),
                proptest::collection::vec(event_filter(), 0..2),
            ),
        )
            .prop_map(
                |(
                    (name, description, start, end, timeline),
                    ((enabled, cooldown, max_entries), dnd, (tz, per_user), (jp, sp), timeout, cap, exit_criteria),
                )| Setup {
                    // Any text round-trips; validation checks the ISO shape.
                    currency: name.chars().rev().collect(),
                    name,
                    description,
                    start,
                    end,
                    timeline,
                    reentry: Reentry { enabled, cooldown, max_entries },
                    dnd,
                    timezone: TimezoneSetting { account: TzName(tz), per_user },
                    control: ControlGroups { journey_percent: jp, system_percent: sp },
                    timeout,
                    frequency_cap: cap.map(|(max_messages, period)| FrequencyCap { max_messages, period }),
                    exit_criteria,
                },
            )
    }

    fn dist() -> impl Strategy<Value = PropertyDist> {
        prop_oneof![
            proptest::collection::vec((text(), float()), 0..3).prop_map(PropertyDist::Categorical),
            (float(), float()).prop_map(|(min, max)| PropertyDist::Uniform { min, max }),
            (float(), float()).prop_map(|(mean, std_dev)| PropertyDist::Normal { mean, std_dev }),
            float().prop_map(PropertyDist::Bool),
            (float(), float()).prop_map(|(min_days, max_days)| PropertyDist::DateOffset { min_days, max_days }),
        ]
    }

    fn delay() -> impl Strategy<Value = journey_studio::model::DelayDist> {
        use journey_studio::model::DelayDist;
        prop_oneof![seconds().prop_map(DelayDist::Fixed), seconds().prop_map(|mean| DelayDist::Exponential { mean })]
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        use journey_studio::model::{ChannelRates, Population, Reachability, RunSettings, TimezoneShare};
        let rates =
            ((float(), float(), float(), float()), (delay(), delay(), delay()), float(), proptest::option::of(text()))
                .prop_map(
                    |((failure, delivery, view, click_given_view), (a, b, c), cost_per_message, click_counts_as)| {
                        ChannelRates {
                            failure,
                            delivery,
                            view,
                            click_given_view,
                            delay_to_delivery: a,
                            delay_to_view: b,
                            delay_to_click: c,
                            cost_per_message,
                            click_counts_as,
                        }
                    },
                );
        let population = (
            any::<u64>(),
            proptest::collection::vec((text(), float()), 0..3),
            ((float(), float(), float(), float(), float()), proptest::collection::btree_map(channel(), float(), 0..3)),
            proptest::collection::btree_map(text(), dist(), 0..3),
            proptest::collection::vec(float(), 0..25),
            text(),
            float(),
        )
            .prop_map(
                |(users, tzs, ((push, web_push, email, phone, wa), unsubscribed), properties, curve, ev, share)| {
                    Population {
                        users,
                        timezones: tzs
                            .into_iter()
                            .map(|(tz, weight)| TimezoneShare { tz: TzName(tz), weight })
                            .collect(),
                        reachability: Reachability {
                            push,
                            web_push,
                            email,
                            phone,
                            whatsapp_of_phone: wa,
                            unsubscribed,
                        },
                        properties,
                        activity_curve: curve,
                        session_event: ev,
                        custom_list_share: share,
                    }
                },
            );
        let behaviour = (
            float(),
            proptest::collection::btree_map(text(), dist(), 0..2),
            proptest::collection::vec(
                (prop_oneof![Just(EngagementKind::View), Just(EngagementKind::Click)], float(), seconds())
                    .prop_map(|(on, multiplier, duration)| EngagementResponse { on, multiplier, duration }),
                0..2,
            ),
            proptest::option::of(float()),
        )
            .prop_map(|(rate_per_day, properties, engagement, activity_shape)| EventBehaviour {
                rate_per_day,
                properties,
                engagement,
                activity_shape,
            });
        (
            population,
            proptest::collection::btree_map(text(), behaviour, 0..3),
            float(),
            proptest::collection::btree_map(channel(), float(), 0..3),
            proptest::collection::btree_map(channel(), rates, 0..3),
            (any::<u64>(), any::<u32>(), any::<u32>()),
        )
            .prop_map(
                |(population, events, activity_shape, fatigue, channels, (seed, horizon_days, replicates))| Scenario {
                    population,
                    events,
                    activity_shape,
                    fatigue,
                    channels,
                    run: RunSettings { seed, horizon_days, replicates },
                    variant_effects: Vec::new(),
                },
            )
    }

    fn journey() -> impl Strategy<Value = Journey> {
        use journey_studio::model::{Status, Version};
        let status = proptest::sample::select(vec![
            Status::Draft,
            Status::Scheduled,
            Status::Running,
            Status::Paused,
            Status::Completed,
            Status::Stopped,
        ]);
        let version =
            (
                any::<u32>(),
                timestamp(),
                text(),
                text(),
                proptest::collection::vec(text(), 0..2),
                setup(),
                graph(),
                goal(),
            )
                .prop_map(|(number, published_at, name, description, change_log, setup, graph, goal)| {
                    Version { number, published_at, name, description, change_log, setup, graph, goals: vec![goal] }
                });
        (
            setup(),
            graph(),
            proptest::collection::vec(goal(), 0..4),
            proptest::collection::vec(
                (any::<u32>(), float32(), text()).prop_map(|(id, x, text)| Comment {
                    id: CommentId(id),
                    pos: CanvasPos::new(x, x),
                    text,
                }),
                0..2,
            ),
            scenario(),
            status,
            proptest::collection::vec(version, 0..2),
        )
            .prop_map(|(setup, graph, goals, comments, scenario, status, versions)| Journey {
                setup,
                graph,
                goals,
                comments,
                scenario,
                status,
                versions,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn random_journeys_round_trip_exactly(j in journey()) {
            let text = to_ron(&j);
            let back = from_ron(&text);
            prop_assert!(back.is_ok(), "{:?}\n{}", back, text);
            let back = back.unwrap();
            prop_assert_eq!(&back, &j);
            prop_assert_eq!(to_ron(&back), text);
        }
    }
}

mod migration {
    use std::path::Path;

    use journey_studio::model::{ControlGroups, Weekday};

    use super::*;

    const FIXTURE: &str = "tests/fixtures/v0_minimal.journey";

    #[test]
    fn a_version_0_file_migrates_into_the_current_model() {
        let j = load(Path::new(FIXTURE)).unwrap();
        // Setup: flat top-level fields, minutes and one quiet-hours window.
        assert_eq!(j.setup.name, "Welcome series");
        assert_eq!(j.setup.description, "Greets new installs");
        assert_eq!(j.setup.start, Timestamp::from_utc(2026, 3, 2, 9, 0, 0).unwrap());
        assert_eq!(j.setup.timezone.account, TzName::new("Europe/Berlin"));
        assert_eq!(j.setup.timeout, Some(Seconds::days(14)));
        assert_eq!(j.setup.control, ControlGroups { journey_percent: Some(10), system_percent: None });
        assert!(j.setup.dnd.enabled);
        assert_eq!(j.setup.dnd.action, DndAction::Defer);
        assert_eq!(j.setup.dnd.windows.len(), 7);
        let window = j.setup.dnd.windows[&Weekday::Sun];
        assert_eq!((window.start.to_string(), window.end.to_string()), ("22:00".into(), "08:00".into()));
        // Nodes: x/y become pos, kinds map to the current catalogue.
        assert_eq!(j.graph.nodes.len(), 8);
        let node = |id: u32| &j.graph.nodes[&NodeId(id)];
        assert_eq!(node(4).pos, CanvasPos::new(0.0, 360.0));
        assert_eq!(node(1).kind.tag(), KindTag::Entry);
        assert_eq!(j.is_live(), Some(true));
        assert_eq!(node(1).kind.summary(), "On App Installed");
        assert_eq!(node(2).kind, NodeKind::Wait(WaitKind::Duration(Seconds::DAY)));
        match &node(4).kind {
            NodeKind::Condition { condition: Condition::LiveAction(a), window, counted_from } => {
                assert_eq!(*counted_from, journey_studio::model::CountedFrom::Entry);
                assert_eq!(a.event.event, "App Launched");
                assert_eq!(*window, Some(Seconds::days(2)));
            }
            other => panic!("{other:?}"),
        }
        match &node(5).kind {
            NodeKind::RandomSplit { paths, mode, winner } => {
                let got: Vec<_> = paths.iter().map(|p| (p.id, p.name.as_str(), p.percent)).collect();
                assert_eq!(got, [(PathId(1), "Variant A", 70), (PathId(2), "Variant B", 30)]);
                assert_eq!((mode, winner), (&SplitMode::Manual, &None));
            }
            other => panic!("{other:?}"),
        }
        let message = |id: u32| match &node(id).kind {
            NodeKind::Channel { channel, message, engagement_window, .. } => {
                assert_eq!(*engagement_window, Seconds::DAY);
                (*channel, message.clone())
            }
            other => panic!("{other:?}"),
        };
        let (ch, m) = message(3);
        assert_eq!((ch, m.title.as_str(), m.body.as_str()), (Channel::Push, "Welcome!", "Glad you are here"));
        let (ch, m) = message(6);
        assert_eq!((ch, m.subject.as_str(), m.title.as_str()), (Channel::Email, "Getting started", ""));
        let (ch, m) = message(7);
        assert_eq!((ch, m.body.as_str()), (Channel::Sms, "Hi\nCome back"), "SMS keeps the title as its first line");
        assert_eq!(node(8).kind, NodeKind::Exit);
        // Links: variants number from 1; a link to a missing node still loads.
        assert_eq!(j.graph.links.len(), 10);
        assert_eq!(j.graph.target(NodeId(5), Port::Path(PathId(2))), Some(NodeId(7)));
        assert_eq!(j.graph.target(NodeId(4), Port::Yes), Some(NodeId(8)));
        assert_eq!(j.graph.target(NodeId(3), Port::Clicked), Some(NodeId(42)));
        // Goals: bare event names; no scenario in version 0.
        assert_eq!(j.goals.len(), 1);
        assert_eq!(j.goals[0].event, EventFilter::named("Charged"));
        assert_eq!(j.goals[0].value_property.as_deref(), Some("Amount"));
        assert_eq!(j.scenario, Scenario::default());
    }

    #[test]
    fn a_migrated_file_saves_as_the_current_version() {
        let j = load(Path::new(FIXTURE)).unwrap();
        let text = to_ron(&j);
        assert!(text.starts_with("(\n    format_version: 1,"));
        assert_eq!(from_ron(&text).unwrap(), j);
    }

    #[test]
    fn version_0_errors_name_their_line() {
        let fixture = std::fs::read_to_string(FIXTURE).unwrap();
        let bad = fixture.replace("(id: 8, label: \"Done\"", "(id: 7, label: \"Done\"");
        let (line, _, message) = parse_error(&bad);
        assert_eq!(line, line_of(&bad, "label: \"Done\""));
        assert!(message.contains("duplicate node id n7"), "{message}");

        let bad = fixture.replace("kind: End", "kind: Finish");
        let (line, _, message) = parse_error(&bad);
        assert_eq!(line, line_of(&bad, "Finish"));
        assert!(message.contains("unknown kind `Finish`") && message.contains("`End`"), "{message}");

        let bad = fixture.replace("(from: 7, port: Sent, to: 8)", "(from: 6, port: Sent, to: 7)");
        let (line, _, message) = parse_error(&bad);
        assert_eq!(line, line_of(&bad, "(from: 6, port: Sent, to: 7)"));
        assert!(message.contains("a second link on output Sent of node n6"), "{message}");

        let bad = fixture.replace("\"22:00\"", "\"25:00\"");
        let (line, _, message) = parse_error(&bad);
        assert_eq!(line, line_of(&bad, "25:00"));
        assert!(message.contains("time of day"), "{message}");
    }
}

mod errors {
    use std::path::Path;

    use super::*;

    /// A small valid journey to break in specific ways.
    fn base() -> String {
        let mut j = Journey::new("Errors");
        let id = j.graph.next_node_id();
        j.graph.nodes.insert(
            id,
            Node { id, label: "Wait".into(), pos: CanvasPos::new(0.0, 100.0), kind: KindTag::Wait.default_kind() },
        );
        j.graph.connect(NodeId(1), Port::Next, NodeId(2));
        to_ron(&j)
    }

    /// Replaces exactly one occurrence.
    fn replace_once(text: &str, from: &str, to: &str) -> String {
        assert_eq!(text.matches(from).count(), 1, "{from:?} should occur once in\n{text}");
        text.replacen(from, to, 1)
    }

    #[test]
    fn a_syntax_error_names_line_column_and_what_was_expected() {
        let text = replace_once(&base(), "label: \"Wait\",", "label: \"Wait\"");
        let (line, col, message) = parse_error(&text);
        assert_eq!(line, line_of(&text, "label: \"Wait\""), "{message}");
        let line_text = text.lines().nth(line - 1).unwrap();
        assert_eq!(col, line_text.find("pos:").unwrap() + 1, "points at the token after the missing comma");
        assert_eq!(message, "expected a comma `,` or a closing bracket");
    }

    #[test]
    fn an_unclosed_text_is_reported() {
        let text = base();
        let cut = &text[..text.find("\"Wait\"").unwrap() + 3];
        let (line, _, message) = parse_error(cut);
        assert_eq!(line, cut.lines().count());
        assert_eq!(message, "the text has no closing `\"`");
    }

    #[test]
    fn a_wrong_type_names_the_field_and_the_expected_type() {
        let text = replace_once(&base(), "(id: 2, label: \"Wait\"", "(id: \"two\", label: \"Wait\"");
        let (line, col, message) = parse_error(&text);
        let expected_line = line_of(&text, "\"two\"");
        assert_eq!(line, expected_line);
        let line_text = text.lines().nth(line - 1).unwrap();
        assert_eq!(col, line_text.find("\"two\"").unwrap() + 1, "{message}");
        assert_eq!(message, "expected a whole number for `id`");

        let text = replace_once(&base(), "label: \"Wait\"", "label: 5");
        let (line, _, message) = parse_error(&text);
        assert_eq!(line, line_of(&text, "label: 5"));
        assert_eq!(message, "expected text in double quotes for `label`");
    }

    #[test]
    fn an_unknown_node_kind_lists_the_kinds() {
        let text = replace_once(&base(), "kind: Wait(", "kind: Pause(");
        let (line, col, message) = parse_error(&text);
        assert_eq!(line, line_of(&text, "Pause("));
        let line_text = text.lines().nth(line - 1).unwrap();
        assert_eq!(col, line_text.find("Pause").unwrap() + 1, "{line_text}");
        assert!(message.starts_with("unknown node kind `Pause`; expected"), "{message}");
        assert!(message.contains("`Wait`") && message.contains("`Channel`"), "{message}");
    }

    #[test]
    fn a_duplicate_node_id_is_refused_at_the_duplicate() {
        let text = replace_once(&base(), "(id: 2, label: \"Wait\"", "(id: 1, label: \"Wait\"");
        let (line, col, message) = parse_error(&text);
        let line_text = text.lines().nth(line - 1).unwrap();
        assert_eq!((line, col), (line_of(&text, "(id: 1, label: \"Wait\""), line_text.find("id: 1").unwrap() + 1));
        assert_eq!(message, "duplicate node id n1");

        // A node written over several lines: the error points at its id, not its end.
        let mut j = every_kind();
        let mut copy = j.graph.nodes[&NodeId(7)].clone();
        copy.id = NodeId(3);
        j.graph.nodes.insert(NodeId(100), copy);
        let text = to_ron(&j);
        let (line, col, message) = parse_error(&text);
        assert_eq!(message, "duplicate node id n3");
        assert_eq!(text.lines().nth(line - 1).unwrap().trim(), "id: 3,");
        assert_eq!(col, text.lines().nth(line - 1).unwrap().find("id").unwrap() + 1);
        assert!(line > line_of(&text, "id: 7,"), "the second occurrence");
    }

    #[test]
    fn a_second_link_on_one_output_is_refused() {
        let text = replace_once(
            &base(),
            "links: [(from: 1, port: Next, to: 2)]",
            "links: [\n(from: 1, port: Next, to: 2),\n(from: 1, port: Next, to: 1),\n]",
        );
        let (line, _, message) = parse_error(&text);
        assert_eq!(line, line_of(&text, "(from: 1, port: Next, to: 1)"));
        assert!(message.contains("a second link on output Next of node n1"), "{message}");
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let text = replace_once(&base(), "label: \"Wait\", ", "");
        let (_, _, message) = parse_error(&text);
        assert_eq!(message, "missing field `label` in a node");

        let text = replace_once(&base(), "status: Draft,", "status: Draft,\n        colour: \"red\",");
        let (line, col, message) = parse_error(&text);
        assert_eq!((line, col), (line_of(&text, "colour"), 9));
        assert!(message.starts_with("unknown field `colour` in a journey; expected `setup`, `graph`"), "{message}");

        // Nested too: a field this version does not know is refused, never silently dropped.
        let text = replace_once(&base(), "(id: 2, label: \"Wait\"", "(id: 2, colour: \"red\", label: \"Wait\"");
        let (line, col, message) = parse_error(&text);
        let line_text = text.lines().nth(line - 1).unwrap();
        assert_eq!((line, col), (line_of(&text, "colour"), line_text.find("colour").unwrap() + 1));
        assert_eq!(message, "unknown field `colour` in a node; expected `id`, `label`, `pos` or `kind`");
    }

    #[test]
    fn a_truncated_file_says_it_ends_too_soon() {
        let text = base();
        let cut = &text[..text.len() / 2];
        let (_, _, message) = parse_error(cut);
        assert!(message.contains("ends too soon"), "{message}");
    }

    #[test]
    fn text_after_the_journey_is_refused() {
        let text = format!("{}oops", base());
        let (line, col, message) = parse_error(&text);
        assert_eq!((line, col), (text.lines().count(), 1));
        assert_eq!(message, "unexpected text after the end of the journey");
    }

    #[test]
    fn links_to_missing_nodes_and_ports_load() {
        let text = replace_once(
            &base(),
            "links: [(from: 1, port: Next, to: 2)]",
            "links: [(from: 1, port: Next, to: 2), (from: 2, port: Clicked, to: 9), (from: 7, port: Path(3), to: 1)]",
        );
        let j = from_ron(&text).unwrap();
        assert_eq!(j.graph.target(NodeId(2), Port::Clicked), Some(NodeId(9)));
        assert_eq!(j.graph.target(NodeId(7), Port::Path(PathId(3))), Some(NodeId(1)));
        assert_eq!(from_ron(&to_ron(&j)).unwrap(), j, "nothing is lost on the next save");
    }

    #[test]
    fn a_newer_file_is_too_new() {
        let text = replace_once(&base(), "format_version: 1,", "format_version: 7,");
        assert!(matches!(from_ron(&text), Err(FormatError::TooNew { found: 7 })));
    }

    #[test]
    fn load_errors_end_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.journey");
        std::fs::write(&path, replace_once(&base(), "kind: Wait(", "kind: Pause(")).unwrap();
        let e = load(&path).unwrap_err();
        let shown = e.to_string();
        assert!(shown.starts_with("line "), "{shown}");
        assert!(shown.ends_with(&format!(": {}", path.display())), "{shown}");
        assert_eq!(e.path(), Some(path.as_path()));
        assert!(e.position().is_some());

        let missing = dir.path().join("missing.journey");
        let e = load(&missing).unwrap_err();
        assert!(matches!(&e, FormatError::Io { action: "reading", .. }), "{e:?}");
        assert!(e.to_string().ends_with(&missing.display().to_string()), "{e}");
        assert!(load(Path::new(dir.path())).is_err(), "a folder is not a journey");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_a_parse_error() {
        let mut bytes = base().into_bytes();
        bytes.splice(30..30, [0xC3, 0x28]);
        let e = from_bytes(&bytes).unwrap_err();
        assert!(matches!(e, FormatError::Parse { line: 3, .. }), "{e:?}");
    }

    #[test]
    fn absurd_nesting_is_refused_without_overflowing_the_stack() {
        let deep = format!("{}{}", "Any([".repeat(5000), "])".repeat(5000));
        let text = replace_once(&base(), "user_filters: []", &format!("user_filters: [], zz: {deep}"));
        let (_, _, message) = parse_error(&text);
        assert!(message.contains("nests") || message.contains("unknown field"), "{message}");
        // A deep but legal filter inside a condition node.
        let deep = format!("{}{}", "All([".repeat(20_000), "])".repeat(20_000));
        let text = replace_once(
            &base(),
            "kind: Wait(Duration(86400))",
            &format!("kind: Condition(condition: UserProperty({deep}), window: None)"),
        );
        let (_, _, message) = parse_error(&text);
        assert!(message.contains("nests"), "{message}");
    }
}

mod robustness {
    use super::*;

    /// SplitMix64: a tiny fixed generator, so every run tries the same inputs.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % (n.max(1) as u64)).unwrap()
        }
    }

    /// Tokens worth inserting: brackets, quotes, comments, numbers at the edges,
    /// other variants and RON extensions.
    const TOKENS: &[&str] = &[
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"",
        "'",
        "\\",
        "/*",
        "*/",
        "//",
        "#",
        "r#\"",
        "b\"",
        "None",
        "Some(",
        "true",
        "-1",
        "0",
        "1e999",
        "-inf",
        "NaN",
        "99999999999999999999999",
        "0x1F",
        "1_000",
        ".5",
        "Wait",
        "Exit",
        "Pause",
        "Path(4294967296)",
        "Next",
        "id",
        "format_version",
        "version: 0,",
        "#![enable(implicit_some)]",
        "\u{feff}",
        "é",
        "\n",
        "  ",
    ];

    /// Byte ranges of rough tokens: runs of word bytes (UTF-8 sequences count as word
    /// bytes, so a token never splits a character), and single other bytes.
    fn tokens(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b >= 0x80;
        let mut out = Vec::with_capacity(bytes.len() / 2);
        let mut start = 0;
        for i in 1..=bytes.len() {
            if i == bytes.len() || !(word(bytes[i]) && word(bytes[i - 1])) {
                out.push(start..i);
                start = i;
            }
        }
        out
    }

    fn mutate(rng: &mut Rng, text: &str) -> Vec<u8> {
        let mut bytes = text.as_bytes().to_vec();
        for _ in 0..=rng.below(3) {
            let len = bytes.len();
            let at = rng.below(len + 1);
            match rng.below(8) {
                0 if len > 0 => bytes[at.min(len - 1)] ^= 1 << rng.below(8),
                1 => bytes.truncate(at),
                2 => {
                    let end = (at + 1 + rng.below(40)).min(len);
                    bytes.drain(at.min(end)..end);
                }
                3 => {
                    let token = TOKENS[rng.below(TOKENS.len())];
                    bytes.splice(at..at, token.bytes());
                }
                4 => {
                    let byte = u8::try_from(rng.below(256)).unwrap();
                    bytes.insert(at, byte);
                }
                _ => {
                    // Token-level edits: swap, duplicate, delete or replace a token.
                    let toks = tokens(&bytes);
                    if toks.is_empty() {
                        continue;
                    }
                    let (a, b) = (toks[rng.below(toks.len())].clone(), toks[rng.below(toks.len())].clone());
                    let (a, b) = if a.start <= b.start { (a, b) } else { (b, a) };
                    bytes = match rng.below(4) {
                        0 if a.end <= b.start => [
                            &bytes[..a.start],
                            &bytes[b.clone()],
                            &bytes[a.end..b.start],
                            &bytes[a.clone()],
                            &bytes[b.end..],
                        ]
                        .concat(),
                        1 => [&bytes[..b.start], &bytes[a.clone()], &bytes[b.start..]].concat(),
                        2 => [&bytes[..a.start], &bytes[a.end..]].concat(),
                        _ => [&bytes[..a.start], TOKENS[rng.below(TOKENS.len())].as_bytes(), &bytes[a.end..]].concat(),
                    };
                }
            }
        }
        bytes
    }

    /// The journey the mutations start from: every node kind, a small scenario.
    fn seed_text() -> String {
        let mut j = every_kind();
        j.setup.dnd.windows.retain(|d, _| *d == journey_studio::model::Weekday::Mon);
        j.scenario.events.retain(|name, _| name == "Charged");
        j.scenario.population.activity_curve.truncate(3);
        j.scenario.population.reachability.unsubscribed.clear();
        j.scenario.fatigue.retain(|c, _| *c == Channel::Email);
        for node in j.graph.nodes.values_mut() {
            if let NodeKind::Channel { message, .. } = &mut node.kind {
                *message = Message { body: "Hi".into(), ..Message::default() };
            }
        }
        // Without indentation: same tokens and lines, less text to parse 10,000 times.
        let text: String = to_ron(&j).lines().map(|l| format!("{}\n", l.trim_start())).collect();
        assert_eq!(from_ron(&text).unwrap(), j);
        text
    }

    #[test]
    fn corrupted_files_never_panic_and_what_loads_saves_again() {
        let text = seed_text();
        let kinds: std::collections::BTreeSet<KindTag> =
            from_ron(&text).unwrap().graph.nodes.values().map(|n| n.kind.tag()).collect();
        assert_eq!(kinds.len(), KindTag::all().len(), "the seed has every node kind");
        // FORMAT_FUZZ=ITERATIONS[:SEED] runs a longer or different search.
        let env = std::env::var("FORMAT_FUZZ").unwrap_or_default();
        let mut parts = env.split(':').map(|p| p.parse::<u64>().ok());
        let iterations = parts.next().flatten().unwrap_or(10_000);
        let mut rng = Rng(parts.next().flatten().unwrap_or(0x5EED));
        let (mut ok, mut err) = (0, 0);
        for _ in 0..iterations {
            let bytes = mutate(&mut rng, &text);
            let result = match std::str::from_utf8(&bytes) {
                Ok(s) => from_ron(s),
                Err(_) => from_bytes(&bytes),
            };
            match result {
                Ok(j) if ok % 4 == 0 => {
                    ok += 1;
                    // Whatever loads saves and loads again unchanged (checked on every
                    // fourth success, to keep the test quick in debug builds).
                    let saved = to_ron(&j);
                    let again = from_ron(&saved).unwrap_or_else(|e| panic!("{e}\n{saved}"));
                    assert_eq!(to_ron(&again), saved);
                }
                Ok(_) => ok += 1,
                Err(FormatError::Parse { line, col, message }) => {
                    err += 1;
                    let lines = 1 + bytes.iter().filter(|b| **b == b'\n').count();
                    assert!(line >= 1 && line <= lines && col >= 1 && !message.is_empty(), "{line}:{col} {message}");
                }
                Err(FormatError::TooNew { .. }) => err += 1,
                Err(other) => panic!("unexpected error kind {other:?}"),
            }
        }
        assert!(
            ok > iterations / 100 && err > iterations / 2,
            "the mutations should both break and keep files: {ok} ok, {err} errors"
        );
    }
}

mod saving {
    use std::fs;

    use super::*;

    #[test]
    fn save_then_load_gives_the_journey_and_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.journey");
        let j = every_kind();
        save(&path, &j).unwrap();
        let first = fs::read(&path).unwrap();
        assert_eq!(load(&path).unwrap(), j);
        save(&path, &load(&path).unwrap()).unwrap();
        assert_eq!(fs::read(&path).unwrap(), first, "saving an unchanged journey gives identical bytes");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_failed_save_leaves_the_old_file_byte_identical() {
        // The save runs in a child process on a "full disk": the new file is larger than
        // a file may grow there.
        let name = "format::saving::a_failed_save_leaves_the_old_file_byte_identical";
        if let Some(dir) = crate::fault::child_dir() {
            let path = dir.join("a.journey");
            let e = save(&path, &every_kind()).unwrap_err();
            match &e {
                FormatError::Io { action: "saving", path: p, .. } => assert_eq!(p, &path),
                other => panic!("{other:?}"),
            }
            assert!(e.to_string().starts_with("saving failed: "), "{e}");
            assert!(e.to_string().ends_with(&path.display().to_string()), "the path comes last: {e}");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.journey");
        save(&path, &Journey::new("old")).unwrap();
        let old = fs::read(&path).unwrap();
        assert!(to_ron(&every_kind()).len() as u64 > crate::fault::FULL_DISK_BYTES);
        crate::fault::rerun_on_full_disk(name, dir.path());
        assert_eq!(fs::read(&path).unwrap(), old);
        assert_eq!(load(&path).unwrap(), Journey::new("old"));
        assert_eq!(crate::fault::names(dir.path()), ["a.journey"], "no temporary file");
    }

    #[test]
    fn a_failed_rename_removes_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a folder with a file in it: the rename over it fails.
        let path = dir.path().join("taken.journey");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), b"keep").unwrap();
        let e = save(&path, &Journey::new("x")).unwrap_err();
        assert!(matches!(&e, FormatError::Io { path: p, .. } if p == &path), "{e:?}");
        assert_eq!(fs::read(path.join("inside")).unwrap(), b"keep");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [std::ffi::OsString::from("taken.journey")], "the temporary file was cleaned up");
    }

    #[test]
    fn saving_into_a_missing_folder_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("a.journey");
        let e = save(&path, &Journey::new("x")).unwrap_err();
        assert!(matches!(&e, FormatError::Io { path: p, .. } if p == &path), "{e:?}");
        assert!(!path.exists());
    }
}

/// Issue 17's scenario and condition fields (an event's own activity shape, a channel's
/// click-as event, a condition counted from arrival) default, so files saved before them
/// load unchanged, and a journey that sets none of them saves without them.
mod realism_fields {
    use super::*;
    use journey_studio::model::{CountedFrom, Journey};

    fn files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["assets", "tests/fixtures"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "journey") {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    fn assert_defaults(name: &str, j: &Journey) {
        for n in j.graph.nodes.values() {
            if let NodeKind::Condition { counted_from, .. } = &n.kind {
                assert_eq!(*counted_from, CountedFrom::Entry, "{name}: {}", n.label);
            }
        }
        for (e, b) in &j.scenario.events {
            assert_eq!(b.activity_shape, None, "{name}: {e}");
        }
        for (c, r) in &j.scenario.channels {
            assert_eq!(r.click_counts_as, None, "{name}: {c:?}");
        }
    }

    #[test]
    fn files_saved_before_the_realism_fields_load_with_their_defaults() {
        let files = files();
        assert!(files.len() >= 7, "{files:?}");
        for p in &files {
            let name = p.display().to_string();
            let j = load(p).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_defaults(&name, &j);
            // Saved again, they still say nothing of the new fields.
            let text = to_ron(&j);
            for field in ["counted_from", "click_counts_as", "activity_shape: Some"] {
                assert!(!text.contains(field), "{name} writes {field}");
            }
            assert_eq!(from_ron(&text).unwrap(), j, "{name}");
        }
    }

    #[test]
    fn the_realism_fields_round_trip_when_set() {
        let mut j = Journey::new("realism");
        let mut b = journey_studio::model::EventBehaviour::at_rate(0.2);
        b.activity_shape = Some(0.7);
        j.scenario.events.insert("Charged".into(), b);
        j.scenario.channels.get_mut(&journey_studio::model::Channel::Push).unwrap().click_counts_as =
            Some("App Launched".into());
        let id = j.graph.next_node_id();
        let mut kind = journey_studio::model::KindTag::Condition.default_kind();
        if let NodeKind::Condition { window, counted_from, .. } = &mut kind {
            *window = Some(Seconds::days(2));
            *counted_from = CountedFrom::Arrival;
        }
        j.graph.nodes.insert(
            id,
            journey_studio::model::Node { id, label: "Next launch".into(), pos: CanvasPos::new(0.0, 0.0), kind },
        );
        let text = to_ron(&j);
        for field in ["counted_from: Arrival", "click_counts_as: Some(\"App Launched\")", "activity_shape: Some(0.7)"] {
            assert!(text.contains(field), "{field} missing from:\n{text}");
        }
        assert_eq!(from_ron(&text).unwrap(), j);
    }
}
