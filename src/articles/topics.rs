//! Which topics is an article about? Feed and entry categories first, then keyword hits in
//! the title and text, per language.

use crate::text;

/// Keyword stems per language code.
type Keywords = &'static [(&'static str, &'static [&'static str])];

/// The topics HyperLearn knows, with stems of keywords per language.
const TOPICS: &[(&str, Keywords)] = &[
    (
        "science",
        &[
            (
                "en",
                &[
                    "scienc",
                    "scientist",
                    "research",
                    "studi",
                    "laboratori",
                    "telescop",
                    "planet",
                    "astronom",
                    "physic",
                    "biolog",
                    "experi",
                ],
            ),
            (
                "es",
                &[
                    "cienci",
                    "cientif",
                    "investig",
                    "estudi",
                    "laboratori",
                    "telescopi",
                    "planet",
                ],
            ),
            (
                "fr",
                &[
                    "scienc",
                    "scientif",
                    "recherch",
                    "étud",
                    "laboratoir",
                    "télescop",
                    "planet",
                ],
            ),
            (
                "de",
                &[
                    "wissenschaft",
                    "forsch",
                    "studi",
                    "labor",
                    "teleskop",
                    "planet",
                ],
            ),
            (
                "ru",
                &[
                    "наук",
                    "учен",
                    "исследован",
                    "лаборатор",
                    "телескоп",
                    "планет",
                    "обсерватор",
                ],
            ),
        ],
    ),
    (
        "technology",
        &[
            (
                "en",
                &[
                    "technolog",
                    "robot",
                    "softwar",
                    "app",
                    "comput",
                    "digit",
                    "internet",
                    "data",
                    "engin",
                    "autonom",
                    "batteri",
                ],
            ),
            (
                "es",
                &[
                    "tecnolog", "robot", "softwar", "aplic", "digital", "internet", "dat",
                ],
            ),
            (
                "fr",
                &[
                    "technolog",
                    "robot",
                    "logiciel",
                    "applic",
                    "numer",
                    "internet",
                    "donné",
                    "ordin",
                ],
            ),
            (
                "de",
                &[
                    "technik",
                    "technolog",
                    "robot",
                    "softwar",
                    "digital",
                    "intern",
                    "dat",
                    "fahrerlos",
                    "comput",
                ],
            ),
            (
                "ru",
                &[
                    "технолог",
                    "робот",
                    "программ",
                    "цифров",
                    "интернет",
                    "данн",
                    "компьютер",
                ],
            ),
        ],
    ),
    (
        "sport",
        &[
            (
                "en",
                &[
                    "sport", "footbal", "match", "team", "player", "goal", "race", "marathon",
                    "champion", "leagu", "coach",
                ],
            ),
            (
                "es",
                &[
                    "deport", "fútbol", "partid", "equip", "jugador", "gol", "carrer", "maratón",
                    "campeon", "entren",
                ],
            ),
            (
                "fr",
                &[
                    "sport", "footbal", "match", "équip", "joueur", "but", "cours", "marathon",
                    "champion", "entraîn",
                ],
            ),
            (
                "de",
                &[
                    "sport",
                    "fussbal",
                    "fußbal",
                    "spiel",
                    "mannschaft",
                    "spiel",
                    "tor",
                    "lauf",
                    "marathon",
                    "meist",
                    "train",
                ],
            ),
            (
                "ru",
                &[
                    "спорт",
                    "футбол",
                    "матч",
                    "команд",
                    "игрок",
                    "гол",
                    "забег",
                    "марафон",
                    "чемпион",
                    "тренер",
                ],
            ),
        ],
    ),
    (
        "environment",
        &[
            (
                "en",
                &[
                    "environ", "climat", "pollut", "plastic", "tree", "forest", "recycl", "wast",
                    "emiss", "wildlif", "river",
                ],
            ),
            (
                "es",
                &[
                    "ambient", "clima", "contamin", "plástic", "árbol", "bosqu", "recicl",
                    "residu", "emision",
                ],
            ),
            (
                "fr",
                &[
                    "environ",
                    "climat",
                    "pollut",
                    "plastiqu",
                    "arbre",
                    "forêt",
                    "recycl",
                    "déchet",
                    "émission",
                ],
            ),
            (
                "de",
                &[
                    "umwelt",
                    "klima",
                    "verschmutz",
                    "plastik",
                    "baum",
                    "bäum",
                    "wald",
                    "recycl",
                    "abfall",
                    "müll",
                    "emission",
                ],
            ),
            (
                "ru",
                &[
                    "экол",
                    "климат",
                    "загрязн",
                    "пластик",
                    "дерев",
                    "лес",
                    "переработ",
                    "отход",
                    "выброс",
                ],
            ),
        ],
    ),
    (
        "culture",
        &[
            (
                "en",
                &[
                    "cultur", "art", "museum", "exhibit", "music", "film", "book", "librari",
                    "festiv", "theatr", "painter",
                ],
            ),
            (
                "es",
                &[
                    "cultur",
                    "arte",
                    "muse",
                    "exposi",
                    "músic",
                    "películ",
                    "libr",
                    "bibliotec",
                    "festival",
                    "teatr",
                ],
            ),
            (
                "fr",
                &[
                    "cultur",
                    "art",
                    "musé",
                    "exposit",
                    "musiqu",
                    "film",
                    "livr",
                    "bibliothequ",
                    "festival",
                    "théâtr",
                ],
            ),
            (
                "de",
                &[
                    "kultur",
                    "kunst",
                    "museum",
                    "ausstell",
                    "musik",
                    "film",
                    "buch",
                    "bibliothek",
                    "festival",
                    "theat",
                ],
            ),
            (
                "ru",
                &[
                    "культур",
                    "искусств",
                    "музе",
                    "выставк",
                    "музык",
                    "фильм",
                    "книг",
                    "библиотек",
                    "фестивал",
                    "театр",
                    "художник",
                ],
            ),
        ],
    ),
    (
        "business",
        &[
            (
                "en",
                &[
                    "busi", "compani", "market", "econom", "profit", "invest", "job", "factori",
                    "sale", "price", "bank",
                ],
            ),
            (
                "es",
                &[
                    "empres", "mercad", "econom", "benefici", "invers", "empleo", "fábric",
                    "venta", "preci", "banc",
                ],
            ),
            (
                "fr",
                &[
                    "entrepris",
                    "march",
                    "économ",
                    "bénéfic",
                    "invest",
                    "emploi",
                    "usin",
                    "vent",
                    "prix",
                    "banqu",
                ],
            ),
            (
                "de",
                &[
                    "unternehm",
                    "firma",
                    "markt",
                    "wirtschaft",
                    "gewinn",
                    "invest",
                    "arbeitsplätz",
                    "fabrik",
                    "verkauf",
                    "preis",
                    "bank",
                ],
            ),
            (
                "ru",
                &[
                    "бизнес",
                    "компан",
                    "рынок",
                    "рынк",
                    "эконом",
                    "прибыл",
                    "инвест",
                    "рабоч",
                    "завод",
                    "продаж",
                    "цен",
                    "банк",
                    "предприят",
                ],
            ),
        ],
    ),
    (
        "food",
        &[
            (
                "en",
                &[
                    "food", "cook", "recip", "restaur", "chef", "bread", "chees", "kitchen",
                    "bakeri", "dish", "eat",
                ],
            ),
            (
                "es",
                &[
                    "comid", "cocin", "recet", "restaur", "chef", "pan", "queso", "plato",
                ],
            ),
            (
                "fr",
                &[
                    "cuisin",
                    "recett",
                    "restaur",
                    "chef",
                    "pain",
                    "fromag",
                    "plat",
                    "boulang",
                    "gastronom",
                ],
            ),
            (
                "de",
                &[
                    "essen", "koch", "rezept", "restaur", "brot", "käse", "küch", "bäcker",
                    "gericht",
                ],
            ),
            (
                "ru",
                &[
                    "еда",
                    "кухн",
                    "рецепт",
                    "ресторан",
                    "повар",
                    "хлеб",
                    "сыр",
                    "блюд",
                ],
            ),
        ],
    ),
    (
        "health",
        &[
            (
                "en",
                &[
                    "health", "hospit", "doctor", "patient", "diseas", "medic", "vaccin", "nurs",
                ],
            ),
            (
                "es",
                &["salud", "hospital", "médic", "pacient", "enfermed", "vacun"],
            ),
            (
                "fr",
                &["santé", "hôpital", "médec", "patient", "maladi", "vaccin"],
            ),
            (
                "de",
                &[
                    "gesund",
                    "krankenhaus",
                    "arzt",
                    "ärzt",
                    "patient",
                    "krankheit",
                    "impf",
                ],
            ),
            (
                "ru",
                &["здоров", "больниц", "врач", "пациент", "болезн", "вакцин"],
            ),
        ],
    ),
    (
        "politics",
        &[
            (
                "en",
                &[
                    "polit",
                    "govern",
                    "elect",
                    "minist",
                    "parliament",
                    "vote",
                    "law",
                    "mayor",
                    "council",
                ],
            ),
            (
                "es",
                &[
                    "polít",
                    "gobiern",
                    "eleccion",
                    "ministr",
                    "parlament",
                    "vot",
                    "ley",
                    "alcald",
                ],
            ),
            (
                "fr",
                &[
                    "polit",
                    "gouvern",
                    "élect",
                    "ministr",
                    "parlement",
                    "vot",
                    "loi",
                    "mair",
                ],
            ),
            (
                "de",
                &[
                    "polit",
                    "regier",
                    "wahl",
                    "minist",
                    "parlament",
                    "gesetz",
                    "bürgermeist",
                ],
            ),
            (
                "ru",
                &[
                    "полит",
                    "правительств",
                    "выбор",
                    "министр",
                    "парламент",
                    "голос",
                    "закон",
                    "мэр",
                ],
            ),
        ],
    ),
];

/// The names of all known topics.
pub fn known_topics() -> impl Iterator<Item = &'static str> {
    TOPICS.iter().map(|(name, _)| *name)
}

/// Topics of an article: categories (lower-cased, mapped to a known topic when they name
/// one) plus every known topic with at least `min_hits` keyword hits in the title and text.
pub fn classify_topics(lang: &str, title: &str, body: &str, categories: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in categories {
        let c = c.trim().to_lowercase();
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    let words: Vec<String> = text::normalized_words(title)
        .into_iter()
        .chain(text::normalized_words(body))
        .collect();
    let total = words.len().max(1);
    let min_hits = (total / 120).clamp(2, 6);
    let mut scored: Vec<(&str, usize)> = TOPICS
        .iter()
        .filter_map(|(name, langs)| {
            let keys = langs.iter().find(|(l, _)| *l == lang)?.1;
            let hits = words
                .iter()
                .filter(|w| keys.iter().any(|k| w.starts_with(k)))
                .count();
            (hits >= min_hits).then_some((*name, hits))
        })
        .collect();
    scored.sort_by_key(|(_, hits)| std::cmp::Reverse(*hits));
    for (name, _) in scored.into_iter().take(2) {
        if !out.iter().any(|t| t == name) {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_categories_give_topics() {
        let topics = classify_topics(
            "en",
            "Robot cleans harbour",
            "The robot collected plastic waste. Engineers built the robot with cheap software. The plastic was recycled.",
            &["Local News".into()],
        );
        assert_eq!(topics[0], "local news");
        assert!(topics.contains(&"technology".to_string()), "{topics:?}");
        assert!(topics.contains(&"environment".to_string()), "{topics:?}");
    }
}
