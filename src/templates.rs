//! The example journeys shipped in `assets/`, compiled in so `new --template` and the
//! app's first start need no files.
//!
//! Invariant: every template's text is byte-identical to its file in `assets/`, loads,
//! and validates without errors (`tests/examples.rs` checks all three).

use crate::format::{FormatError, from_ron};
use crate::model::Journey;

/// One example journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    /// The name used on the command line (`new --template on-the-fence`).
    pub name: &'static str,
    /// A title for menus.
    pub title: &'static str,
    /// The `.journey` text, as in `assets/`.
    pub text: &'static str,
}

impl Template {
    /// The file name the template has in `assets/` (`on_the_fence.journey`).
    #[must_use]
    pub fn file_name(&self) -> String {
        format!("{}.journey", self.name.replace('-', "_"))
    }

    /// Parses the template.
    ///
    /// # Errors
    /// Only if the compiled-in text is broken, which `tests/examples.rs` rules out.
    pub fn journey(&self) -> Result<Journey, FormatError> {
        from_ron(self.text)
    }
}

/// Every template, the default first.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "on-the-fence",
        title: "On-the-fence shoppers",
        text: include_str!("../assets/on_the_fence.journey"),
    },
    Template {
        name: "abandoned-cart",
        title: "Abandoned cart",
        text: include_str!("../assets/abandoned_cart.journey"),
    },
    Template { name: "onboarding", title: "Onboarding", text: include_str!("../assets/onboarding.journey") },
];

/// The template with this name (`on-the-fence`, `abandoned-cart`, `onboarding`).
#[must_use]
pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// The template names, comma separated, for messages.
#[must_use]
pub fn names() -> String {
    TEMPLATES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

/// Loads the template with this name.
///
/// # Errors
/// [`FormatError::Io`] of kind `NotFound`, naming the known templates, when there is
/// none by that name.
pub fn load(name: &str) -> Result<Journey, FormatError> {
    match find(name) {
        Some(t) => t.journey(),
        None => Err(FormatError::Io {
            action: "loading a template",
            path: format!("template {name}").into(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no template named {name:?}; the templates are {}", names()),
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for t in TEMPLATES {
            assert_eq!(find(t.name), Some(t));
            assert!(load(t.name).is_ok(), "{} does not load", t.name);
        }
        assert_eq!(find("nope"), None);
        assert!(load("nope").unwrap_err().to_string().contains("on-the-fence"));
    }
}
