use super::*;

fn profile(name: &str) -> Option<Value> {
    match name {
        "name" => Some(text("Ada")),
        "tier" => Some(text("gold")),
        "age" => Some(number(36.0)),
        "score" => Some(number(2.5)),
        "vip" => Some(Value::scalar(true)),
        "signup" => Some(instant(1_767_225_600)), // 2026-01-01 00:00:00 UTC
        "tags" => Some(list(["shoes", "bags"])),
        _ => None,
    }
}

fn event(name: &str) -> Option<Value> {
    match name {
        "Product Name" => Some(text("Red Shoes")),
        "price" => Some(number(49.0)),
        _ => None,
    }
}

fn render(src: &str) -> Rendered {
    let t = compile(src).unwrap_or_else(|e| panic!("{src:?} does not compile: {e}"));
    t.render(&mut profile, Some(&mut event))
}

fn out(src: &str) -> String {
    match render(src) {
        Rendered::Text(s) => s,
        other => panic!("{src:?} gave {other:?}"),
    }
}

#[test]
fn objects_and_bracket_names() {
    assert_eq!(out("Hi {{ Profile.name }}"), "Hi Ada");
    assert_eq!(out("{{ Event[\"Product Name\"] }} for {{ Event.price }}"), "Red Shoes for 49");
    assert_eq!(out("{{ Profile['name'] }}"), "Ada");
    assert_eq!(out("{{ Profile.age }} / {{ Profile.score }}"), "36 / 2.5");
    // A property the user lacks is nil, not an error.
    assert_eq!(out("[{{ Profile.missing }}]"), "[]");
    assert_eq!(out("plain text"), "plain text");
}

#[test]
fn tags_render_known_outputs() {
    let iff = "{% if Profile.tier == \"gold\" %}G{% elsif Profile.tier == \"silver\" %}S{% else %}B{% endif %}";
    assert_eq!(out(iff), "G");
    assert_eq!(out("{% unless Profile.vip %}regular{% else %}vip{% endunless %}"), "vip");
    assert_eq!(
        out("{% case Profile.tier %}{% when \"gold\" %}Gold!{% when \"silver\" %}Silver{% else %}?{% endcase %}"),
        "Gold!"
    );
    assert_eq!(out("{% for t in Profile.tags %}{{ t }};{% endfor %}"), "shoes;bags;");
    assert_eq!(out("{% assign greeting = \"Hello\" %}{{ greeting }}, {{ Profile.name }}"), "Hello, Ada");
}

#[test]
fn filters_render_known_outputs() {
    assert_eq!(out("{{ Profile.nickname | default: \"there\" }}"), "there");
    assert_eq!(out("{{ Profile.name | default: \"there\" }}"), "Ada");
    assert_eq!(out("{{ Profile.signup | date: \"%Y-%m-%d\" }}"), "2026-01-01");
    assert_eq!(out("{{ Profile.name | upcase }}"), "ADA");
    assert_eq!(out("{{ Profile.name | downcase }}"), "ada");
    assert_eq!(out("{{ \"ada lovelace\" | capitalize }}"), "Ada lovelace");
    assert_eq!(out("{{ Profile.name | append: \"!\" | prepend: \"¡\" }}"), "¡Ada!");
    assert_eq!(out("{{ \"  x  \" | strip }}|"), "x|");
    assert_eq!(out("{{ \"Red Shoes\" | replace: \"Red\", \"Blue\" }}"), "Blue Shoes");
    assert_eq!(out("{{ \"abcdefghij\" | truncate: 6 }}"), "abc...");
    assert_eq!(out("{{ Event[\"Product Name\"] | size }}"), "9");
}

#[test]
fn abort_cancels_the_message() {
    let t = compile("{% if Profile.tier == \"gold\" %}{% abort %}{% endif %}Hello").unwrap_or_else(|e| panic!("{e}"));
    assert!(t.aborts);
    assert_eq!(t.render(&mut profile, None), Rendered::Aborted);
    assert!(t.aborts_for(&mut profile, None));
    let mut silver = |n: &str| (n == "tier").then(|| text("silver"));
    assert_eq!(t.render(&mut silver, None), Rendered::Text("Hello".into()));
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let e = compile("Hello\n{% if Profile.vip %}\nVIP").err().unwrap_or_else(|| panic!("unclosed if parsed"));
    assert_eq!((e.line, e.column), (2, 1), "{e}");
    let e = compile("Hi {{ Profile.name | }}").err().unwrap_or_else(|| panic!("bad filter parsed"));
    assert_eq!(e.line, 1, "{e}");
    assert!(e.column > 1, "{e}");
    let e = compile("ok\nthen {% frobnicate %}").err().unwrap_or_else(|| panic!("unknown tag parsed"));
    assert_eq!((e.line, e.column), (2, 9), "{e}");
    assert_eq!(e.message, "`{% frobnicate %}` is not a known tag");
    let e = compile("{{ Profile.name | shout }}").err().unwrap_or_else(|| panic!("unknown filter parsed"));
    assert_eq!(e.message, "`shout` is not a known filter", "{e}");
    assert_eq!((e.line, e.column), (1, 19), "{e}");
    let e = compile("Hello\n{% if Profile.vip %}\nVIP").err().unwrap_or_else(|| panic!("unclosed if parsed"));
    assert_eq!(e.message, "Unclosed block. {% endif %} tag expected.");
}

#[test]
fn include_and_render_are_refused() {
    for src in ["{% include 'secrets' %}", "a\n {%- render \"x\" -%}"] {
        let e = compile(src).err().unwrap_or_else(|| panic!("{src} parsed"));
        assert!(e.message.contains("not allowed"), "{e}");
    }
}

#[test]
fn references_name_what_is_read() {
    let refs = references(
        "{{ Profile.name }} {{ Event[\"Product Name\"] | default: 'x' }}\n{% if Profile.vip %}{% endif %} {{ 'Profile.fake' }}",
    );
    let names: Vec<(Root, &str, bool)> = refs.iter().map(|r| (r.root, r.name.as_str(), r.guarded)).collect();
    assert_eq!(
        names,
        vec![(Root::Profile, "name", false), (Root::Event, "Product Name", true), (Root::Profile, "vip", true)]
    );
    assert_eq!((refs[2].line, refs[2].column), (2, 7));
}
