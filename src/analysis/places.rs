//! Places an article names after "in": countries, US states and cities, each with its kind
//! (the language's `places.txt`, from GeoNames by `scripts/make-places`). A question about
//! one asks "In which city", and its options are the article's other cities.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What kind of place a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    Country,
    State,
    City,
}

impl PlaceKind {
    /// The noun a question asks with: "In which city".
    pub fn noun(self) -> &'static str {
        match self {
            PlaceKind::Country => "country",
            PlaceKind::State => "state",
            PlaceKind::City => "city",
        }
    }

    /// The kind a question's noun asks for ("city"), or the list's name of it.
    pub fn of_noun(kind: &str) -> Option<PlaceKind> {
        [PlaceKind::Country, PlaceKind::State, PlaceKind::City]
            .into_iter()
            .find(|k| k.noun() == kind)
    }
}

/// Each listed name's kind; none for a name of several kinds.
type Places = HashMap<&'static str, Option<PlaceKind>>;

/// Each language's list, as `analysis::classes` keeps its word classes.
static LISTS: LazyLock<HashMap<&'static str, Places>> = LazyLock::new(|| {
    crate::lang::HOMES
        .iter()
        .filter_map(|h| Some((h.code, parse(h.optional_file("places.txt")?))))
        .collect()
});

fn places(lang: &str) -> Option<&'static Places> {
    LISTS.get(lang)
}

/// The kind of place `name` names, as written ("Kabul", "Los Angeles"); none where the
/// language has no list, the list does not hold the name or names places of several kinds
/// by it ("Georgia").
pub fn kind(lang: &str, name: &str) -> Option<PlaceKind> {
    places(lang)?.get(name).copied().flatten()
}

/// Whether the language's list holds `name` as a place of any kind ("Hong Kong").
pub fn is_place(lang: &str, name: &str) -> bool {
    places(lang).is_some_and(|p| p.contains_key(name))
}

fn parse(text: &'static str) -> Places {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (kind, name) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("places.txt: no tab in {l:?}"));
            let kind = match kind {
                "place" => None,
                _ => Some(
                    PlaceKind::of_noun(kind)
                        .unwrap_or_else(|| panic!("places.txt: unknown kind {kind:?}")),
                ),
            };
            (name, kind)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_english_list_knows_each_place_as_one_kind() {
        assert_eq!(kind("en", "Kabul"), Some(PlaceKind::City));
        assert_eq!(kind("en", "Los Angeles"), Some(PlaceKind::City));
        assert_eq!(kind("en", "Ohio"), Some(PlaceKind::State));
        assert_eq!(kind("en", "Afghanistan"), Some(PlaceKind::Country));
        // A country and a US state: no one kind.
        assert_eq!(kind("en", "Georgia"), None);
        assert!(is_place("en", "Georgia") && is_place("en", "Hong Kong"));
        assert!(!is_place("en", "Harry"));
        assert_eq!(kind("en", "kabul"), None);
        assert_eq!(kind("fr", "Kabul"), None);
    }
}
