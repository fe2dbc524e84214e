//! Places an article names after "in": countries, US states and cities, each with its kind
//! and group (the language's `places.txt`, from GeoNames by `scripts/make-places`). A
//! question about one asks "In which city", and its options are the article's other cities,
//! or where it names too few, the largest places of the key's kind and group ([`alike`]).

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

/// A language's list: each name's kind (none for a name of several kinds) and group (a
/// country's continent, a city's country; none for a name in several), and the names of
/// each kind and group, largest first.
struct Places {
    names: HashMap<&'static str, (Option<PlaceKind>, Option<&'static str>)>,
    groups: HashMap<(PlaceKind, &'static str), Vec<&'static str>>,
}

/// Each language's list, as `analysis::classes` keeps its word classes.
static LISTS: LazyLock<HashMap<&'static str, Places>> =
    LazyLock::new(|| crate::lang::optional_lists("places.txt", |text, _| parse(text)));

fn places(lang: &str) -> Option<&'static Places> {
    LISTS.get(lang)
}

/// The kind of place `name` names, as written ("Kabul", "Los Angeles"); none where the
/// language has no list, the list does not hold the name or names places of several kinds
/// by it ("Georgia").
pub fn kind(lang: &str, name: &str) -> Option<PlaceKind> {
    places(lang)?.names.get(name)?.0
}

/// Whether the language's list holds `name` as a place of any kind ("Hong Kong").
pub fn is_place(lang: &str, name: &str) -> bool {
    places(lang).is_some_and(|p| p.names.contains_key(name))
}

/// The places of `name`'s kind and group other than it, largest first: other US cities
/// for Atlanta, other Asian countries for Japan; none for a name of no one kind or group.
pub fn alike(lang: &str, name: &str) -> Vec<&'static str> {
    let Some(places) = places(lang) else {
        return Vec::new();
    };
    let Some(&(Some(kind), Some(group))) = places.names.get(name) else {
        return Vec::new();
    };
    places.groups[&(kind, group)]
        .iter()
        .copied()
        .filter(|n| *n != name)
        .collect()
}

fn parse(text: &'static str) -> Places {
    let mut places = Places {
        names: HashMap::new(),
        groups: HashMap::new(),
    };
    for line in crate::lang::data_lines(text) {
        let [kind, group, name] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("places.txt: not kind, group and name in {line:?}");
        };
        let kind = match kind {
            "place" => None,
            _ => Some(
                PlaceKind::of_noun(kind)
                    .unwrap_or_else(|| panic!("places.txt: unknown kind {kind:?}")),
            ),
        };
        let group = (group != "-").then_some(group);
        if let (Some(kind), Some(group)) = (kind, group) {
            places.groups.entry((kind, group)).or_default().push(name);
        }
        places.names.insert(name, (kind, group));
    }
    places
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

    #[test]
    fn places_alike_are_of_the_same_kind_and_group_largest_first() {
        let cities = alike("en", "Atlanta");
        assert_eq!(&cities[..3], ["New York City", "Los Angeles", "Chicago"]);
        assert!(!cities.contains(&"Atlanta") && !cities.contains(&"London"));
        assert!(alike("en", "Japan").contains(&"China"));
        assert!(!alike("en", "Japan").contains(&"France"));
        assert!(alike("en", "Ohio").contains(&"Texas"));
        // London is the United Kingdom's, not Canada's; Cambridge is of no one country; a
        // borough of New York City is no city beside others.
        assert!(alike("en", "London").contains(&"Birmingham"));
        assert!(alike("en", "Cambridge").is_empty());
        assert!(!alike("en", "Atlanta").contains(&"Brooklyn"));
        assert!(alike("en", "Georgia").is_empty());
        assert!(alike("fr", "Kabul").is_empty());
    }
}
