//! Is a model-phrased question a grammatical question of its evidence sentence, asking for
//! its key and nothing else?
//!
//! The program chooses the key, the evidence and the question's opening from the key's
//! kind ("How many players", "Who", "In which year"); the model phrases the rest from the
//! sentence's own words ([`crate::exercise::Origin::Phrased`]). This module decides whether
//! what it wrote is the sentence's clause around the key, turned into a question the way the
//! language does it, with the question's gap exactly where the key is. For English:
//! - subject gap: "How many people | attended the festival?" (the words after the key, as
//!   the sentence has them);
//! - do-support: "How many players | did the club have?" (did/does/do, the clause's
//!   subject, the base form of its verb, the words up to the key);
//! - inversion: "In which year | was the bridge opened?" (the clause's auxiliary before its
//!   subject).
//!
//! Anything else is refused as ungrammatical (a wrong verb form after do-support: "did the
//! planet detected"; repeated words; a question that stops on a function word) or, when the
//! clause is the sentence's but not next to the key, as misdirected. Other languages have no
//! rules yet, so their phrased questions are refused.

use std::collections::HashSet;

use super::ArticleText;
use super::places::{self, PlaceKind};
use crate::text::{CalendarWord, calendar_word};

/// What is wrong with a phrased question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionFault {
    /// Not the sentence's clause turned into a question the way the language does it.
    Ungrammatical,
    /// The sentence's clause, but its gap is not where the key is.
    Misdirected,
}

/// The languages whose questions this module can judge.
pub fn supported(lang: &str) -> bool {
    lang == "en"
}

/// The question's opening, chosen by the program from the key's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    /// "How many" and the counted words as the sentence writes them after the number.
    HowMany(Vec<String>),
    /// An amount of money ("$35 million", [`amounts`]).
    HowMuch,
    /// A person.
    Who,
    /// A year that the sentence gives as "in 1932".
    InWhichYear,
    /// A month that the sentence gives as "in March" (no day or year after it).
    InWhichMonth,
    /// A weekday that the sentence gives as "on Thursday".
    OnWhichDay,
    /// A place of a kind the language's list knows that the sentence gives as "in Kabul"
    /// ([`places`]): "In which city".
    InWhichPlace(PlaceKind),
}

impl Opening {
    /// The opening as the question starts.
    pub fn text(&self) -> String {
        match self {
            Opening::HowMany(unit) => format!("How many {}", unit.join(" ")),
            Opening::HowMuch => "How much".into(),
            Opening::Who => "Who".into(),
            Opening::InWhichYear => "In which year".into(),
            Opening::InWhichMonth => "In which month".into(),
            Opening::OnWhichDay => "On which day".into(),
            Opening::InWhichPlace(kind) => format!("In which {}", kind.noun()),
        }
    }

    /// Whether the opening may stand for the clause's subject ("Who", "How many players"),
    /// so that the question goes on with the words after the key, the first of them
    /// `next`. A time ("In which year") never does: "In which year Smith won the cup?" is
    /// no question. An amount does before a verb only ("How much was raised"): before
    /// anything else it was part of a phrase ("$8 sandwiches", "$100 million above"); so
    /// does a person ("Who won", "Who says", not "Who and Ralph Waldo Emerson", "Who
    /// Foundation gave").
    pub fn may_be_subject(&self, next: &str) -> bool {
        let next = next.to_lowercase();
        match self {
            Opening::HowMany(_) => true,
            Opening::HowMuch => subject_auxiliary(&next) || looks_past(&next),
            Opening::Who => {
                subject_auxiliary(&next)
                    || crate::analysis::classes::may_be("en", &next, "ZD") == Some(true)
            }
            Opening::InWhichYear
            | Opening::InWhichMonth
            | Opening::OnWhichDay
            | Opening::InWhichPlace(_) => false,
        }
    }

    /// Whether the opening may ask for the complement of "be" ("Who was the head judge?",
    /// "How much was the bill?", "In which month was the meeting?"); not a count ("How
    /// many players was the total?").
    pub fn may_be_complement(&self) -> bool {
        !matches!(self, Opening::HowMany(_))
    }

    /// The preposition before a time key, and the calendar list the key must be on (none
    /// for a year).
    fn time(&self) -> Option<(&'static str, Option<CalendarWord>)> {
        match self {
            Opening::InWhichYear => Some(("in", None)),
            Opening::InWhichMonth => Some(("in", Some(CalendarWord::Month))),
            Opening::OnWhichDay => Some(("on", Some(CalendarWord::Weekday))),
            Opening::Who | Opening::HowMany(_) | Opening::HowMuch | Opening::InWhichPlace(_) => {
                None
            }
        }
    }

    /// The span of the evidence's tokens that answers this opening, with the key at
    /// `key_at` (`key_len` tokens). A count after "more than" or "at least" is no answer to
    /// "how many"; one after "about" is, and the gap takes the "about" in.
    fn gap(&self, tokens: &[Token<'_>], key_at: usize, key_len: usize) -> Option<(usize, usize)> {
        let joined = |from: usize, to: usize| (from + 1..to).all(|i| !tokens[i].break_before);
        match self {
            // A person's role phrase before the name belongs to the subject the question
            // asks for: "The venue's owner Bianca Sharma | spotted the ruins".
            Opening::Who => Some((
                role_start(tokens, key_at).unwrap_or(key_at),
                key_at + key_len,
            )),
            Opening::HowMany(unit) => {
                let end = key_at + key_len + unit.len();
                let start = count_start(tokens, key_at)?;
                // "worked for eight years": "how many years" takes the "for" in.
                let start = if start == key_at && duration_for(tokens, key_at, unit) {
                    key_at - 1
                } else {
                    start
                };
                // "31 years ago": "how many years" asks for no time ago.
                let ago = tokens
                    .get(end)
                    .is_some_and(|t| t.lower == "ago" && !t.break_before);
                (end <= tokens.len()
                    && !ago
                    && joined(key_at, end)
                    && unit
                        .iter()
                        .zip(&tokens[key_at + key_len..end])
                        .all(|(u, t)| t.text == u))
                .then_some((start, end))
            }
            // The whole amount: its currency sign, its number and the scale word after it.
            Opening::HowMuch => {
                let end = key_at + key_len;
                let whole = amounts_of(tokens)
                    .iter()
                    .any(|&(from, to)| from == key_at && to == end);
                (whole && joined(key_at, end))
                    .then(|| count_start(tokens, key_at))
                    .flatten()
                    .map(|start| (start, end))
            }
            Opening::InWhichYear | Opening::InWhichMonth | Opening::OnWhichDay => {
                let (preposition, list) = self.time()?;
                let end = key_at + key_len;
                let kind_ok = match list {
                    None => key_len == 1 && tokens[key_at].text.len() == 4,
                    Some(list) => {
                        key_len == 1
                            && calendar_word("en", tokens[key_at].text) == Some(list)
                            // "in March 2015", "on Thursday 5": the date goes on.
                            && tokens.get(end).is_none_or(|t| {
                                t.break_before || !t.text.starts_with(|c: char| c.is_ascii_digit())
                            })
                    }
                };
                // "the Mail on Sunday": a capitalised word before the preposition makes the
                // time part of a name (a Sunday paper's: "District Court on Wednesday" is
                // none).
                let in_name = tokens[key_at].lower == "sunday"
                    && key_at >= 2
                    && !tokens[key_at - 1].break_before
                    && tokens[key_at - 2].text.starts_with(char::is_uppercase)
                    && key_at - 2 > 0;
                // "on Wednesday afternoon": the part of the day goes with the day.
                let end = match tokens.get(end) {
                    Some(t) if !t.break_before && DAY_PARTS.contains(&t.lower.as_str()) => end + 1,
                    _ => end,
                };
                // "last February", "next Tuesday" stand where "in" and "on" would.
                let before_ok =
                    |w: &str| w == preposition || (list.is_some() && RELATIVE_TIMES.contains(&w));
                (kind_ok
                    && !in_name
                    && key_at > 0
                    && before_ok(&tokens[key_at - 1].lower)
                    && joined(key_at - 1, end))
                .then_some((key_at - 1, end))
            }
            // The whole run of capitals after "in", a place of the kind: "in Kabul", not "in
            // Kabul Bank" nor "Mayor of Kabul".
            // Not after a count ("properties all over the country including four | in
            // California": the place is the four's, not the properties').
            Opening::InWhichPlace(kind) => {
                let end = key_at + key_len;
                (key_at > 0
                    && tokens[key_at - 1].lower == "in"
                    && (key_at < 2 || count(tokens[key_at - 2].text).is_none())
                    && !tokens[key_at].break_before
                    && place_runs(tokens, *kind).contains(&(key_at, end)))
                .then_some((key_at - 1, end))
            }
        }
    }
}

/// The runs of capitalised words in `tokens` (none of them after punctuation inside the
/// run) that name a place of `kind`, as token ranges.
fn place_runs(tokens: &[Token<'_>], kind: PlaceKind) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !capitalised(&tokens[i]) {
            i += 1;
            continue;
        }
        let end = run_end(tokens, i);
        // "From Boston": the sentence's capital on a function word opens no name.
        if i == 0 && end > 1 && crate::text::is_stop_word("en", &tokens[0].lower) {
            i = 1;
        }
        if places::kind("en", &run_text(tokens, i, end)) == Some(kind) {
            out.push((i, end));
        }
        i = end;
    }
    out
}

/// Words before a number that make it no count: a bound ("more than 40", "nearly 40") or a
/// label ("level 3", "phase 2", "page 12").
pub const BOUNDS: &[&str] = &[
    "almost", "article", "category", "chapter", "class", "flight", "gate", "grade", "just",
    "least", "level", "line", "most", "nearly", "no", "number", "only", "over", "page", "phase",
    "room", "round", "route", "section", "stage", "step", "than", "tier", "to", "under", "version",
];

/// Counts that news writes out in words ("three people", "seven weeks"): two to twelve.
pub const COUNT_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
];

/// The value of a count as an English article writes it: digits ("1,300") or, from two to
/// twelve, a lower-case word ("three").
pub fn count(word: &str) -> Option<u64> {
    crate::text::count_value(word).or_else(|| {
        COUNT_WORDS
            .iter()
            .position(|w| *w == word)
            .map(|k| k as u64 + 2)
    })
}

/// Whether a word is said with a vowel first, so takes "an" rather than "a": "an October",
/// "an 8", "an 11", "an hour", "an FBI agent"; but "a union", "a one-off", "a European".
pub fn takes_an(word: &str) -> bool {
    let lower = word.to_lowercase();
    let Some(first) = lower.chars().next() else {
        return false;
    };
    if first.is_ascii_digit() {
        // Said from its first group: "8", "80", "8,000"; "11" and "18" ("eleven thousand").
        let group: String = word.chars().take_while(char::is_ascii_digit).collect();
        return first == '8' || matches!(group.as_str(), "11" | "18");
    }
    // An abbreviation is said letter by letter: "an FBI agent", "an NHS trust".
    if word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase()) {
        return "aefhilmnorsx".contains(first);
    }
    const SAID_AS_YOU: &[&str] = &[
        "uni", "use", "usu", "usa", "ura", "ure", "uro", "uti", "uto", "eu", "ewe", "one", "once",
    ];
    const SILENT_H: &[&str] = &["hour", "honest", "honor", "honour", "heir"];
    if SILENT_H.iter().any(|h| lower.starts_with(h)) {
        return true;
    }
    "aeiou".contains(first) && !SAID_AS_YOU.iter().any(|p| lower.starts_with(p))
}

/// Whether an option may stand where the key stands after `previous`: after "a" or "an",
/// only a word said as the key starts, else the article tells the key ("In an _____ town
/// hall meeting": October, among November, March and June, on real English news).
pub fn article_agrees(previous: Option<&str>, key: &str, option: &str) -> bool {
    !matches!(previous, Some("a" | "an")) || takes_an(key) == takes_an(option)
}

/// Words before a count that leave it the answer to "how many": "about 5,000 people".
const APPROXIMATE: &[&str] = &["about", "around", "roughly", "approximately", "some"];

/// Where the answer to "how many" or "how much" starts for a count or amount at `key_at`:
/// at it, or at an "about" right before it; none after a bound ("more than 40").
fn count_start(tokens: &[Token<'_>], key_at: usize) -> Option<usize> {
    let previous = key_at
        .checked_sub(1)
        .filter(|_| !tokens[key_at].break_before)
        .map(|i| tokens[i].lower.as_str());
    match previous {
        Some(w) if BOUNDS.contains(&w) => None,
        Some(w) if APPROXIMATE.contains(&w) => Some(key_at - 1),
        _ => Some(key_at),
    }
}

/// Words before a month or weekday that place it as "in" or "on" would: "Pelco announced
/// last February", "The council meets next Tuesday".
pub const RELATIVE_TIMES: &[&str] = &["last", "next"];

/// Parts of a day that may follow its weekday: "on Wednesday afternoon".
pub const DAY_PARTS: &[&str] = &["afternoon", "evening", "morning", "night"];

/// Units of time that "for" before their count makes a duration: "worked for eight years".
pub const DURATIONS: &[&str] = &[
    "centuries",
    "days",
    "decades",
    "hours",
    "minutes",
    "months",
    "nights",
    "seasons",
    "weeks",
    "years",
];

/// Whether the count at `key_at`, of `unit`, is a duration after "for" ("for eight years"),
/// which a question of it leaves out ("How many years did he work with Obama?").
fn duration_for(tokens: &[Token<'_>], key_at: usize, unit: &[String]) -> bool {
    key_at > 0
        && !tokens[key_at].break_before
        && tokens[key_at - 1].lower == "for"
        && unit
            .last()
            .is_some_and(|u| DURATIONS.contains(&u.to_lowercase().as_str()))
}

/// The start of a role phrase right before the person at `key_at`: "The venue's American
/// owner | Bianca Sharma spotted the ruins", "The head judge was chef | Omar Takeda". At most
/// [`ROLE_WORDS`] words, each a determiner or possessive, a capitalised word, or a noun or
/// adjective of the word list that is no function word; it ends at the clause's start or at
/// another word ("Police arrested | Smith"). None without one, or where a quotation mark
/// comes between ("“Mob Wives” star | Natalie Guercio" is no clause's subject).
fn role_start(tokens: &[Token<'_>], key_at: usize) -> Option<usize> {
    let mut at = key_at;
    while !opens_clause(tokens, at) {
        let t = &tokens[at - 1];
        let role_word = ROLE_DETERMINERS.contains(&t.lower.as_str())
            || t.text.ends_with("'s")
            || t.text.ends_with("’s")
            || (capitalised(t) && !t.after_colon)
            || (!crate::text::is_stop_word("en", &t.lower)
                // "remained near | Bennett": a preposition the word list knows as an
                // adjective or noun only opens no role ("Who did Debbie Meadows remain for
                // much of the event?" was model-phrased on real English news).
                && !PREPOSITIONS.contains(&t.lower.as_str())
                && crate::analysis::classes::may_be("en", &t.lower, "NPA") == Some(true)
                // "flat-out calling | Cosby": an -ing form is a verb's as often, also where
                // the list knows it as a noun only ("made headlines for backing | Biden",
                // model-phrased on real English news as "Who did the group make headlines
                // for?").
                && crate::analysis::classes::may_be("en", &t.lower, "G") != Some(true)
                && !(t.lower.len() > 5 && t.lower.ends_with("ing")));
        if !role_word {
            break;
        }
        if key_at - at == ROLE_WORDS {
            return None;
        }
        at -= 1;
    }
    (at < key_at && !tokens[at].after_quote).then_some(at)
}

/// Prepositions that are no stop words and that the word list knows as other words
/// ("near" as an adjective): they never open a role phrase ([`role_start`]).
const PREPOSITIONS: &[&str] = &[
    "across",
    "alongside",
    "along",
    "amid",
    "around",
    "behind",
    "beside",
    "beyond",
    "despite",
    "inside",
    "like",
    "near",
    "next",
    "opposite",
    "outside",
    "past",
    "round",
    "toward",
    "towards",
    "versus",
    "via",
];

/// Determiners and possessives that may open a role phrase ("the", "his wife").
const ROLE_DETERMINERS: &[&str] = &[
    "a", "an", "her", "his", "its", "my", "our", "the", "their", "your",
];

/// The most words a role phrase before a name holds ([`role_start`]).
const ROLE_WORDS: usize = 6;

/// Where the answer to "Who" starts in `sentence` for the person at byte `offset`: at the
/// role words right before the name ("The venue's American owner", "chef"), or at the
/// name.
pub fn who_start(sentence: &str, offset: usize) -> usize {
    let tokens = tokens(sentence);
    tokens
        .iter()
        .position(|t| t.start == offset)
        .and_then(|key_at| role_start(&tokens, key_at))
        .map_or(offset, |at| tokens[at].start)
}

/// Signs that open an amount of money.
pub const CURRENCY: &[char] = &['$', '£', '€', '¥'];

/// Words after an amount's number that belong to the amount ("$35 million"), with what
/// they multiply it by.
pub const SCALES: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
];

/// The amounts of money in a sentence, as byte ranges: a currency sign right before a
/// number ("$35", "£1.5"), and the scale word after it ("$35 million"). A sign after another
/// letter ("US$5") or with a space before the number opens none.
pub fn amounts(sentence: &str) -> Vec<(usize, usize)> {
    let tokens = tokens(sentence);
    amounts_of(&tokens)
        .into_iter()
        .map(|(from, to)| {
            let sign = sentence[..tokens[from].start]
                .chars()
                .next_back()
                .map_or(0, char::len_utf8);
            let last = &tokens[to - 1];
            (tokens[from].start - sign, last.start + last.text.len())
        })
        .collect()
}

/// The token ranges of the amounts of money among `tokens` ([`amounts`]).
fn amounts_of(tokens: &[Token<'_>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if !t.money || !t.text.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let scaled = tokens
            .get(i + 1)
            .is_some_and(|n| !n.break_before && SCALES.iter().any(|(w, _)| *w == n.lower));
        out.push((i, if scaled { i + 2 } else { i + 1 }));
    }
    out
}

/// Auxiliaries and modals that move before the subject.
const INVERTED: &[&str] = &[
    "am", "are", "can", "could", "did", "does", "had", "has", "have", "is", "may", "might", "must",
    "should", "was", "were", "will", "would",
];

/// Whether a lower-case word is an auxiliary or modal of [`INVERTED`] that may follow a
/// subject "Who" or "How much": the word itself or its negative contraction ("Who didn't
/// mind boasting", "Who wasn't told"; "can't" and "won't" too).
fn subject_auxiliary(word: &str) -> bool {
    let negated = word
        .strip_suffix("n't")
        .or_else(|| word.strip_suffix("n’t"))
        .map(|stem| match stem {
            "ca" => "can",
            "wo" => "will",
            other => other,
        });
    INVERTED.contains(&negated.unwrap_or(word))
}

/// Forms of "be" that a question may put before its subject with nothing after it.
pub const BE_FORMS: &[&str] = &["am", "are", "is", "was", "were"];

/// Forms of "be" and modals: no do-support for them.
const NO_DO_SUPPORT: &[&str] = &[
    "am", "are", "be", "been", "being", "can", "could", "is", "may", "might", "must", "shall",
    "should", "was", "were", "will", "would",
];

/// Words after which a clause starts.
const CLAUSE_OPENERS: &[&str] = &[
    "after", "although", "as", "because", "before", "how", "if", "since", "that", "though",
    "until", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why",
];

/// Words that open a clause a question may leave out: an adverbial or relative clause ("a
/// man | who stole", "was heralded | because"). Not "that", "how", "why", "whether" or
/// "if", whose clause a verb may need ("said | that", "explained | how"), nor "as", which
/// may be a preposition ("served | as mayor").
const ADJUNCT_OPENERS: &[&str] = &[
    "after", "although", "because", "before", "since", "though", "until", "when", "which", "while",
    "who", "whom", "whose",
];

/// Where a question may end the clause after a fronted answer ([`Frame::fronted`]),
/// `words` being the clause from its verb's next word on: at its end, or before a clause it
/// may leave out (an adverbial or relative clause: "because", "who") after a word that
/// carries meaning. The lengths of the words kept.
pub fn fronted_ends(words: &[impl AsRef<str>]) -> Vec<usize> {
    let lower: Vec<String> = words.iter().map(|w| w.as_ref().to_lowercase()).collect();
    (1..lower.len())
        .filter(|&k| {
            ADJUNCT_OPENERS.contains(&lower[k].as_str())
                && !crate::text::is_stop_word("en", &lower[k - 1])
        })
        .chain(std::iter::once(lower.len()))
        .collect()
}

/// Conjunctions that open a clause only after a comma: without one they join words
/// ("Han Lee and Junmyung Lee were arraigned", "Aisha's Salon and Spa").
const COORDINATORS: &[&str] = &["and", "but", "or", "so"];
/// Words no question of ours ends on: conjunctions, articles, "of", "in" and verbs of saying
/// whose object was dropped; "do" that stands for another verb ("In which year did it do?");
/// a participle that a name must follow ("In which month is the German capital launching a
/// new five-year project named?"; both phrased on real English news).
const DANGLING_ENDS: &[&str] = &[
    "a", "an", "and", "as", "but", "in", "into", "nor", "of", "or", "said", "say", "says", "than",
    "that", "the", "tell", "tells", "told", "do", "does", "did", "named", "called", "titled",
    "entitled", "dubbed",
];
/// Verbs that take what they tell as their object: a question that ends on one asks
/// nothing ("On which day did Mr Shapps announce?", phrased on real English news).
const NEEDS_OBJECT: &[&str] = &[
    "announce", "reveal", "unveil", "disclose", "explain", "confirm",
];
/// Prepositions that govern a count: its question strands them.
const STRANDED: &[&str] = &[
    "among", "at", "between", "by", "for", "from", "in", "into", "of", "on", "to", "with",
];

/// Whether a clause starts at token `at`: the sentence's start, after punctuation, after a
/// subordinating word, or after a conjunction that follows a comma.
fn opens_clause(tokens: &[Token<'_>], at: usize) -> bool {
    // "for “high-end” prostitutes was busted": a closing quotation mark alone ends no
    // clause ("In which city was prostitutes busted?" was model-phrased on real English
    // news).
    if at == 0 || (tokens[at].break_before && !tokens[at].after_closing_quote) {
        return true;
    }
    let previous = tokens[at - 1].lower.as_str();
    // "So Joe Biden worked …": a coordinator that opens the sentence opens the clause after
    // it. "As a" is a preposition's phrase ("The US as a whole has recorded"), no clause.
    if previous == "as" && ["a", "an"].contains(&tokens[at].lower.as_str()) {
        return false;
    }
    CLAUSE_OPENERS.contains(&previous)
        || (COORDINATORS.contains(&previous) && (tokens[at - 1].break_before || at == 1))
}

/// Whether the clause at `at` follows a relative pronoun: "which director Damien Chazelle
/// stages", "whom police arrested". The pronoun stands for something the clause needs (its
/// object, or its subject), so no question is made of the clause's words alone: "Who stages
/// with all the kinetic verve of a car chase?" has lost what is staged.
fn after_relative(tokens: &[Token<'_>], at: usize) -> bool {
    at > 0
        && !tokens[at].break_before
        && ["which", "who", "whom", "whose"].contains(&tokens[at - 1].lower.as_str())
}

/// Whether the name at tokens `from..to` is one of a list of names: "and" or "or" joins it
/// to a capitalised word, or a comma to a run of capitals that a comma, "and" or "or"
/// follows ("Warren, Bernie Sanders and Pete Buttigieg"); a comma and one run alone may be
/// an apposition ("Miami, Florida").
fn in_list(tokens: &[Token<'_>], from: usize, to: usize) -> bool {
    let joiner = |t: &Token<'_>| matches!(t.lower.as_str(), "and" | "or");
    let name_at = |k: usize| tokens.get(k).is_some_and(capitalised);
    // "X and | key", "key | and Y".
    if (from >= 2 && joiner(&tokens[from - 1]) && name_at(from - 2))
        || (tokens.get(to).is_some_and(|t| joiner(t) && !t.break_before) && name_at(to + 1))
    {
        return true;
    }
    // "key, Y Z, …" or "key, Y and Z": a run of capitals after a comma, then another joint.
    if tokens
        .get(to)
        .is_some_and(|t| t.break_before && capitalised(t))
    {
        let end = run_end(tokens, to);
        if tokens
            .get(end)
            .is_some_and(|t| (t.break_before && capitalised(t)) || joiner(t))
        {
            return true;
        }
    }
    // "…, Y, key" or "Y, key and": the key after a comma that follows a name.
    from >= 1 && tokens[from].break_before && name_at(from - 1) && {
        let mut start = from - 1;
        while start > 0 && capitalised(&tokens[start - 1]) && !tokens[start].break_before {
            start -= 1;
        }
        tokens[start].break_before && start > 0 && name_at(start - 1)
            || tokens.get(to).is_some_and(joiner)
    }
}

/// Whether the name at `sentence[from..to]` is one of a list of names: "and" or "or" joins
/// it to another, or commas join it to two others ("Warren, Bernie Sanders and Pete
/// Buttigieg").
pub fn name_in_list(sentence: &str, from: usize, to: usize) -> bool {
    let tokens = tokens(sentence);
    let first = tokens.iter().position(|t| t.start >= from);
    let last = tokens.iter().rposition(|t| t.start < to);
    match (first, last) {
        (Some(a), Some(b)) if a <= b => in_list(&tokens, a, b + 1),
        _ => false,
    }
}

/// Whether the token at `k` is a conjunction that joins another phrase to the clause
/// ("and promptly bought"), not one inside a name ("Jazz and Heritage Festival").
fn joins_verb_phrase(tokens: &[Token<'_>], k: usize) -> bool {
    COORDINATORS.contains(&tokens[k].lower.as_str())
        && tokens
            .get(k + 1)
            .is_some_and(|n| !n.break_before && !capitalised(n))
}

/// Whether a verb follows `from` in the same clause (before punctuation or a word that
/// opens another clause): an auxiliary, or an -s form with its object after it ("a new
/// report released on Monday by Stanford … calls that into question", where "On which day
/// did a new report release …" was a phrased question on a real English page).
fn verb_after(tokens: &[Token<'_>], from: usize) -> bool {
    // A conjunction inside a name ("Center on Poverty and Inequality") does not end it.
    let clause = tokens
        .iter()
        .enumerate()
        .skip(from)
        .take_while(|(i, t)| *i == from || !t.break_before)
        .take_while(|(i, t)| {
            !CLAUSE_OPENERS.contains(&t.lower.as_str())
                && (!COORDINATORS.contains(&t.lower.as_str())
                    || tokens.get(i + 1).is_some_and(|n| capitalised(n)))
        });
    clause.into_iter().any(|(i, t)| {
        INVERTED.contains(&t.lower.as_str())
            || (i > from
                && crate::analysis::classes::may_be("en", &t.lower, "Z") == Some(true)
                && tokens
                    .get(i + 1)
                    .is_some_and(|n| !n.break_before && OBJECT_OPENERS.contains(&n.lower.as_str())))
    })
}

/// Words that open a verb's object: after an -s form, they make it the clause's verb.
const OBJECT_OPENERS: &[&str] = &[
    "that", "the", "a", "an", "its", "their", "his", "her", "this", "these", "those", "it", "them",
    "him", "us",
];

/// Whether a lower-case word looks like a past form ("established", "said").
fn looks_past(word: &str) -> bool {
    word.ends_with("ed") || IRREGULAR.iter().any(|(_, past, _)| *past == word)
}

/// Words that cannot open a clause's subject in a question (relatives and wh-words).
const NOT_A_SUBJECT: &[&str] = &[
    "that", "what", "when", "where", "which", "who", "whom", "whose",
];

/// Irregular verbs: base, past, past participle.
const IRREGULAR: &[(&str, &str, &str)] = &[
    ("be", "was", "been"),
    ("be", "were", "been"),
    ("become", "became", "become"),
    ("begin", "began", "begun"),
    ("bring", "brought", "brought"),
    ("build", "built", "built"),
    ("buy", "bought", "bought"),
    ("catch", "caught", "caught"),
    ("choose", "chose", "chosen"),
    ("come", "came", "come"),
    ("cost", "cost", "cost"),
    ("cut", "cut", "cut"),
    ("do", "did", "done"),
    ("draw", "drew", "drawn"),
    ("drink", "drank", "drunk"),
    ("drive", "drove", "driven"),
    ("eat", "ate", "eaten"),
    ("fall", "fell", "fallen"),
    ("feel", "felt", "felt"),
    ("fight", "fought", "fought"),
    ("find", "found", "found"),
    ("fly", "flew", "flown"),
    ("forget", "forgot", "forgotten"),
    ("get", "got", "got"),
    ("give", "gave", "given"),
    ("go", "went", "gone"),
    ("grow", "grew", "grown"),
    ("have", "had", "had"),
    ("hear", "heard", "heard"),
    ("hide", "hid", "hidden"),
    ("hit", "hit", "hit"),
    ("hold", "held", "held"),
    ("hurt", "hurt", "hurt"),
    ("keep", "kept", "kept"),
    ("know", "knew", "known"),
    ("lay", "laid", "laid"),
    ("lead", "led", "led"),
    ("leave", "left", "left"),
    ("lend", "lent", "lent"),
    ("let", "let", "let"),
    ("lose", "lost", "lost"),
    ("make", "made", "made"),
    ("mean", "meant", "meant"),
    ("meet", "met", "met"),
    ("pay", "paid", "paid"),
    ("put", "put", "put"),
    ("read", "read", "read"),
    ("ride", "rode", "ridden"),
    ("ring", "rang", "rung"),
    ("rise", "rose", "risen"),
    ("run", "ran", "run"),
    ("say", "said", "said"),
    ("see", "saw", "seen"),
    ("sell", "sold", "sold"),
    ("send", "sent", "sent"),
    ("set", "set", "set"),
    ("shut", "shut", "shut"),
    ("sing", "sang", "sung"),
    ("sit", "sat", "sat"),
    ("sleep", "slept", "slept"),
    ("speak", "spoke", "spoken"),
    ("spend", "spent", "spent"),
    ("stand", "stood", "stood"),
    ("steal", "stole", "stolen"),
    ("strike", "struck", "struck"),
    ("swim", "swam", "swum"),
    ("take", "took", "taken"),
    ("teach", "taught", "taught"),
    ("tell", "told", "told"),
    ("think", "thought", "thought"),
    ("throw", "threw", "thrown"),
    ("understand", "understood", "understood"),
    ("wake", "woke", "woken"),
    ("wear", "wore", "worn"),
    ("win", "won", "won"),
    ("write", "wrote", "written"),
];

/// Irregular third-person singular forms.
const IRREGULAR_THIRD: &[(&str, &str)] = &[
    ("be", "is"),
    ("do", "does"),
    ("go", "goes"),
    ("have", "has"),
];

fn is_consonant(c: char) -> bool {
    c.is_ascii_alphabetic() && !"aeiou".contains(c)
}

/// The regular past of an English verb: "work" → "worked", "use" → "used", "carry" →
/// "carried", "stop" → "stopped" (doubling offered as a second form).
fn regular_past(base: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = base.chars().collect();
    match chars.as_slice() {
        [.., 'e'] => out.push(format!("{base}d")),
        [.., a, 'y'] if is_consonant(*a) => out.push(format!("{}ied", &base[..base.len() - 1])),
        [.., a, v, c] if is_consonant(*a) && "aeiou".contains(*v) && is_consonant(*c) => {
            out.push(format!("{base}ed"));
            if !"wxy".contains(*c) {
                out.push(format!("{base}{c}ed"));
            }
        }
        _ => out.push(format!("{base}ed")),
    }
    out
}

/// The regular third-person singular: "work" → "works", "reach" → "reaches", "carry" →
/// "carries".
fn regular_third(base: &str) -> String {
    let chars: Vec<char> = base.chars().collect();
    match chars.as_slice() {
        [.., a, 'y'] if is_consonant(*a) => format!("{}ies", &base[..base.len() - 1]),
        [.., 's' | 'x' | 'z' | 'o'] => format!("{base}es"),
        [.., 'c' | 's', 'h'] => format!("{base}es"),
        _ => format!("{base}s"),
    }
}

/// Whether `form` is the past of the base form `base`.
fn is_past(base: &str, form: &str) -> bool {
    match IRREGULAR.iter().find(|(b, ..)| *b == base) {
        Some(_) => IRREGULAR.iter().any(|(b, p, _)| *b == base && *p == form),
        None => regular_past(base).iter().any(|p| p == form),
    }
}

/// Whether `form` is the third-person singular present of `base`.
fn is_third(base: &str, form: &str) -> bool {
    match IRREGULAR_THIRD.iter().find(|(b, _)| *b == base) {
        Some((_, t)) => *t == form,
        None => regular_third(base) == form,
    }
}

/// Base forms a lower-case English word may be the past or third-person form of, for the
/// words a model may use after do-support ("had" → "have", "detected" → "detect",
/// "reaches" → "reach"). Every candidate is returned; callers keep the real words.
pub fn base_forms(word: &str) -> Vec<String> {
    let mut out: Vec<String> = IRREGULAR
        .iter()
        .filter(|(_, p, _)| *p == word)
        .map(|(b, ..)| b.to_string())
        .chain(
            IRREGULAR_THIRD
                .iter()
                .filter(|(_, t)| *t == word)
                .map(|(b, _)| b.to_string()),
        )
        .collect();
    let mut regular = Vec::new();
    if !out.is_empty() {
        // An irregular form ("has", "had") is no regular one as well ("ha").
    } else if let Some(stem) = word.strip_suffix("ied") {
        regular.push(format!("{stem}y"));
    } else if let Some(stem) = word.strip_suffix("ed") {
        regular.push(stem.to_string());
        regular.push(format!("{stem}e"));
        let c: Vec<char> = stem.chars().collect();
        if let [.., a, b] = c.as_slice()
            && a == b
        {
            regular.push(stem[..stem.len() - 1].to_string());
        }
    } else if let Some(stem) = word.strip_suffix("ies") {
        regular.push(format!("{stem}y"));
    } else if let Some(stem) = word.strip_suffix('s')
        && !stem.ends_with('s')
    {
        regular.push(stem.to_string());
        if let Some(shorter) = stem.strip_suffix('e') {
            regular.push(shorter.to_string());
        }
    }
    for base in regular {
        if base.chars().count() >= 3 && (is_past(&base, word) || is_third(&base, word)) {
            out.push(base);
        }
    }
    out.dedup();
    out
}

/// A word of the evidence, and whether punctuation separates it from its neighbours.
#[derive(Debug, Clone)]
struct Token<'a> {
    text: &'a str,
    /// Byte offset in the sentence.
    start: usize,
    lower: String,
    /// Punctuation (or a quotation mark) before the word: a clause or phrase boundary.
    break_before: bool,
    /// A colon before the word ("December 28, 2014: Markets opened"): a capital here may
    /// be the clause's, not a name's.
    after_colon: bool,
    /// Nothing but closing quotation marks between the word and the one before it
    /// (“high-end” | prostitutes): a break inside a phrase, not between clauses.
    after_closing_quote: bool,
    /// A quotation mark before the word: a quotation opens or closes here, which is no
    /// clause's start or end ("“Mob Wives” star", "said Christie “didn’t fight”").
    after_quote: bool,
    /// A currency sign, and nothing else, right before the word ("$35"); no break.
    money: bool,
}

/// Quotation marks, straight and curly.
/// Quotation marks that only close a quotation.
const CLOSING_QUOTES: &[char] = &['”', '»'];

const QUOTE_MARKS: &[char] = &['"', '“', '”', '„', '«', '»', '‘', '’', '\''];

/// The sentence's words with the boundaries between them: whitespace-separated pieces with
/// punctuation trimmed off their ends (inner apostrophes, hyphens and number separators
/// stay).
fn tokens(sentence: &str) -> Vec<Token<'_>> {
    let mut out: Vec<Token<'_>> = Vec::new();
    let mut pending_break = false;
    let mut pending_colon = false;
    let mut pending_quote = false;
    let mut pending_closing = false;
    let is_quote = |c: char| QUOTE_MARKS.contains(&c);
    for piece in sentence.split_whitespace() {
        let core = piece.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            pending_break = true;
            pending_closing = false;
            pending_colon |= piece.contains(':');
            pending_quote |= piece.contains(is_quote);
            continue;
        }
        let start = piece.find(core).unwrap_or(0);
        // "Nuns’ quarters": a plural's possessive apostrophe is part of the word, no quotation
        // mark or break.
        let rest = &piece[start + core.len()..];
        let core = if ((rest == "'" || rest == "’") && core.ends_with(['s', 'S']))
            || (rest == "." && abbreviated(core))
        {
            &piece[start..]
        } else if rest.starts_with('%') && core.ends_with(|c: char| c.is_ascii_digit()) {
            // "5.3%": the percent sign is the number's, no break after it.
            &piece[start..start + core.len() + 1]
        } else {
            core
        };
        let lead = &piece[..start];
        let money = !lead.is_empty() && lead.chars().all(|c| CURRENCY.contains(&c));
        let leading = start > 0 && !money;
        let trailing = start + core.len() < piece.len();
        out.push(Token {
            text: core,
            start: piece.as_ptr() as usize - sentence.as_ptr() as usize + start,
            lower: core.to_lowercase(),
            break_before: pending_break || leading,
            after_colon: pending_colon || piece[..start].contains(':'),
            after_quote: pending_quote || piece[..start].contains(is_quote),
            after_closing_quote: pending_closing && start == 0,
            money,
        });
        // Only closing quotation marks after the word: “high-end” | prostitutes.
        let tail = &piece[start + core.len()..];
        pending_closing = !tail.is_empty() && tail.chars().all(|c| CLOSING_QUOTES.contains(&c));
        pending_break = trailing;
        pending_colon = piece[start + core.len()..].contains(':');
        pending_quote = piece[start + core.len()..].contains(is_quote);
    }
    out
}

/// The sentence's tokens ([`tokens`]) without its asides, which a question of its clause
/// leaves out: one in parentheses ("SandRidge Mississippian Trust II (NYSE: SDR) dropped
/// about 5.3% on Monday" reads "SandRidge Mississippian Trust II dropped about 5.3% on
/// Monday", with no break before "dropped"), and a description of a name between commas
/// ([`described`]). A parenthesis that does not close, or one inside another, leaves the
/// tokens as they are.
fn clause_tokens(sentence: &str) -> Vec<Token<'_>> {
    let all = described(sentence, tokens(sentence));
    let mut out = Vec::with_capacity(all.len());
    // While inside an aside: whether punctuation stood before its opening parenthesis.
    let mut aside: Option<bool> = None;
    let mut end = 0;
    for mut t in all.iter().cloned() {
        let between = &sentence[end..t.start];
        end = t.start + t.text.len();
        let (opens, closes) = (between.find('('), between.find(')'));
        match (aside, opens, closes) {
            (None, None, None) => out.push(t),
            (None, Some(o), None) => {
                let before = between[..o].trim();
                aside = Some(!before.is_empty() || out.is_empty());
            }
            (Some(_), None, None) => {}
            (Some(punctuated), None, Some(c)) => {
                aside = None;
                let after = between[c + 1..].trim();
                t.break_before = punctuated || !after.is_empty();
                t.after_quote = after.contains(QUOTE_MARKS);
                t.after_colon = after.contains(':');
                t.after_closing_quote = false;
                out.push(t);
            }
            _ => return all,
        }
    }
    if aside.is_some() { all } else { out }
}

/// Longest description of a name between commas that [`described`] leaves out.
const APPOSITIVE_WORDS: usize = 8;

/// `tokens` without the descriptions of names between commas, where the clause goes on after
/// them: "Kenneth Preston, a Broward County high school student, says he supports …" reads
/// "Kenneth Preston says he supports …". A description starts with one of the language's
/// `appositive_openers` (its home's `exercises.toml`: an article) and holds no
/// punctuation; the clause goes on in a lower-case word that joins no list ("Smith, a
/// lawyer, and Jones").
fn described<'a>(sentence: &str, tokens: Vec<Token<'a>>) -> Vec<Token<'a>> {
    let comma_before = |k: usize| {
        k > 0 && {
            let end = tokens[k - 1].start + tokens[k - 1].text.len();
            sentence[end..tokens[k].start].trim() == ","
        }
    };
    let mut out: Vec<Token<'a>> = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        let opens = comma_before(k)
            && capitalised(&tokens[k - 1])
            && crate::exercise::phrasing_of("en")
                .is_some_and(|p| p.appositive_openers.contains(&tokens[k].lower.as_str()));
        let close = opens
            .then(|| (k + 1..tokens.len()).find(|&m| tokens[m].break_before))
            .flatten()
            .filter(|&m| {
                let next = &tokens[m];
                (2..=APPOSITIVE_WORDS).contains(&(m - k))
                    && comma_before(m)
                    && !next.after_quote
                    && next.text == next.lower
                    && !COORDINATORS.contains(&next.lower.as_str())
                    && !CLAUSE_OPENERS.contains(&next.lower.as_str())
            });
        match close {
            Some(m) => {
                let mut next = tokens[m].clone();
                next.break_before = false;
                out.push(next);
                k = m + 1;
            }
            None => {
                out.push(tokens[k].clone());
                k += 1;
            }
        }
    }
    out
}

/// Titles and words of firms that English abbreviates with a full stop: "Dr. Amanda
/// Pinder", "Apple Inc. said".
const ABBREVIATIONS: &[&str] = &[
    "Co", "Corp", "Dr", "Gen", "Gov", "Inc", "Jr", "Ltd", "Mr", "Mrs", "Ms", "Prof", "Rep", "Sen",
    "Sr", "St", "vs",
];

/// Whether a word before a full stop is an abbreviation that the stop belongs to, so that
/// no clause ends there: letters with stops between them ("U.S", "a.m"), an initial ("A"
/// of "Walter A. Clyburn Reed") or a title ([`ABBREVIATIONS`]). "Boston’s U.S. District
/// Court" was cut after "U.S." on real English news.
fn abbreviated(word: &str) -> bool {
    let letters = |part: &str| {
        (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic)
    };
    (word.contains('.') && word.split('.').all(letters))
        || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
        || ABBREVIATIONS.contains(&word)
}

/// Whether a question's word is one word, with no punctuation around it; an abbreviation's
/// full stop is its own ("U.S.").
fn bare_word(word: &str) -> bool {
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    (core == word
        || word
            .strip_suffix('.')
            .is_some_and(|w| w == core && abbreviated(w))
        || word
            .strip_suffix('%')
            .is_some_and(|w| w == core && w.ends_with(|c: char| c.is_ascii_digit())))
        && !word.contains(['"', '“', '”'])
}

/// What the checks need to know of the language's words beyond the sentence.
struct Words<'a> {
    lang: &'a str,
    /// Whether a lower-case word is a word of the language (a verb's base form must be).
    known: &'a dyn Fn(&str) -> bool,
    /// How a question writes the sentence's first word.
    first: FirstWord,
    /// Whether the article writes a capitalised word so inside a sentence (where no
    /// sentence's start explains the capital): a name.
    name: &'a dyn Fn(&str) -> bool,
}

/// How a question writes its sentence's first word, which may be capitalised only because
/// it opens the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstWord {
    /// In lower case: a function word, or a word the article writes so elsewhere.
    Lower,
    /// As the sentence writes it: a name the article capitalises inside sentences too or
    /// that runs on in capitals ("Kevin Yearout"), or a word not capitalised at all.
    AsWritten,
    /// Neither is known: a question may not use the word.
    Unknown,
}

/// How a question about `sentence` of `article` writes the sentence's first word.
pub fn first_word(article: &ArticleText, sentence: &str) -> FirstWord {
    let Some(first) = tokens(sentence).into_iter().next() else {
        return FirstWord::Unknown;
    };
    if first.text == first.lower {
        return FirstWord::AsWritten;
    }
    if crate::text::is_stop_word(article.lang(), &first.lower)
        || crate::text::words(article.text()).contains(&first.lower.as_str())
    {
        return FirstWord::Lower;
    }
    let capitalised_inside = capitalised_inside(article, first.text, "");
    // "Kevin Yearout has added": a run of capitalised words opening the sentence is a name.
    let name_run = tokens(sentence)
        .get(1)
        .is_some_and(|t| !t.break_before && t.text.chars().next().is_some_and(char::is_uppercase));
    if capitalised_inside || name_run {
        FirstWord::AsWritten
    } else {
        FirstWord::Unknown
    }
}

/// Whether the article writes `word` inside a sentence other than `except`, past its first
/// word, as it is written here (with its capital).
fn capitalised_inside(article: &ArticleText, word: &str, except: &str) -> bool {
    article
        .sentences()
        .iter()
        .filter(|s| s.as_str() != except)
        .any(|s| crate::text::words(s).iter().skip(1).any(|w| *w == word))
}

/// The sentence around a question's gap: the words of the gap's clause before it (from the
/// clause's start; empty when the gap opens the clause, so the question asks for its
/// subject) and the words after it up to the next punctuation. A question's clause is built
/// from these (`generation::construct::plan::question_phrasings`).
///
/// A time or place that opens the sentence before a comma ("On Tuesday, the owner said a
/// man came in") is `fronted`: `before` is empty and `after` is the whole clause after the
/// comma, which the question puts in a question form ("On which day did the owner say a
/// man came in?").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub fronted: bool,
}

/// The frame of the answer at `answer` (a byte range of `sentence`; an "about" before a
/// count belongs to it), with the sentence's first word written as `first` says; none when
/// the frame holds a first word whose case is unknown.
pub fn frame(sentence: &str, answer: (usize, usize), first: FirstWord) -> Option<Frame> {
    let toks = clause_tokens(sentence);
    let inside: Vec<usize> = (0..toks.len())
        .filter(|&i| (answer.0..answer.1).contains(&toks[i].start))
        .collect();
    let (mut g0, g1) = (*inside.first()?, *inside.last()? + 1);
    if g0 > 0 && !toks[g0].break_before && APPROXIMATE.contains(&toks[g0 - 1].lower.as_str()) {
        g0 -= 1;
    }
    let mut start = g0;
    while !opens_clause(&toks, start) {
        start -= 1;
    }
    if after_relative(&toks, start) {
        return None;
    }
    if start == 0 && g0 > 0 && first == FirstWord::Unknown {
        return None;
    }
    // "James Lee was arrested in California | and is expected to be arraigned in Boston":
    // a question of the clause would ask the first verb phrase for the second's key.
    if (start..g0).any(|k| joins_verb_phrase(&toks, k)) {
        return None;
    }
    let shown = |i: usize| {
        if i == 0 && first == FirstWord::Lower {
            toks[i].lower.clone()
        } else {
            toks[i].text.to_string()
        }
    };
    let before = (start..g0).map(shown).collect();
    if fronted(sentence, &toks, (g0, g1)) {
        let end = clause_end(&toks, g1);
        return (end > g1 + 1).then(|| Frame {
            before,
            after: (g1..end).map(shown).collect(),
            fronted: true,
        });
    }
    let mut end = (g1..toks.len())
        .find(|&i| toks[i].break_before)
        .unwrap_or(toks.len());
    // Not up to a name that a comma cuts ("to his Albuquerque, New Mexico, company"): the
    // words after the key stop before the phrase that holds it.
    if end > g1 && cut_name(&toks, end - 1) {
        while end > g1 && capitalised(&toks[end - 1]) {
            end -= 1;
        }
        while end > g1 && crate::text::is_stop_word("en", &toks[end - 1].lower) {
            end -= 1;
        }
    }
    // "Doherty said Christie | “didn’t fight”": the clause goes on in a quotation, and a
    // question of the words before it would stop halfway.
    if toks.get(end).is_some_and(|t| t.after_quote) {
        end = g1;
    }
    // "spot the ruins in 1999 | and promptly bought the property": a second verb phrase,
    // which a question with "did" would leave in the past.
    if let Some(k) = (g1..end).find(|&k| joins_verb_phrase(&toks, k)) {
        end = k;
    }
    let after = (g1..end).map(shown).collect();
    Some(Frame {
        before,
        after,
        fronted: false,
    })
}

/// Whether the answer at tokens `gap` opens the sentence and a comma closes it: "On
/// Tuesday, the owner said …", "In 2019, the club moved …".
fn fronted(sentence: &str, tokens: &[Token<'_>], gap: (usize, usize)) -> bool {
    let (Some(last), Some(next)) = (gap.1.checked_sub(1), tokens.get(gap.1)) else {
        return false;
    };
    let end = tokens[last].start + tokens[last].text.len();
    gap.0 == 0
        && sentence[..tokens[0].start].trim().is_empty()
        && sentence[end..next.start].trim() == ","
        && !next.after_quote
}

/// Where the clause that starts at token `from` ends: at the next punctuation or
/// quotation mark, or before a second verb phrase ("and promptly bought").
fn clause_end(tokens: &[Token<'_>], from: usize) -> usize {
    (from + 1..tokens.len())
        .find(|&k| tokens[k].break_before || tokens[k].after_quote || joins_verb_phrase(tokens, k))
        .unwrap_or(tokens.len())
}

fn capitalised(t: &Token<'_>) -> bool {
    t.text.chars().next().is_some_and(char::is_uppercase)
}

/// Where the run of capitalised words that starts at `from` ends: the first token after it
/// that is not capitalised or follows punctuation.
fn run_end(tokens: &[Token<'_>], from: usize) -> usize {
    let mut end = from + 1;
    while end < tokens.len() && capitalised(&tokens[end]) && !tokens[end].break_before {
        end += 1;
    }
    end
}

/// The words of the tokens `from..to`, as the sentence writes them.
fn run_text(tokens: &[Token<'_>], from: usize, to: usize) -> String {
    let words: Vec<&str> = tokens[from..to].iter().map(|t| t.text).collect();
    words.join(" ")
}

/// Whether the token at `last` is a capitalised word that punctuation separates from a
/// capitalised word after it: a name or place cut by a comma ("Albuquerque, New Mexico").
fn cut_name(tokens: &[Token<'_>], last: usize) -> bool {
    capitalised(&tokens[last])
        && tokens
            .get(last + 1)
            .is_some_and(|t| t.break_before && capitalised(t))
}

/// Whether an auxiliary or modal may move before the subject ("was", "has", "can"), with
/// `next` the sentence's word after it: "have", "has" and "had" only as auxiliaries, before
/// a past participle ("had won"), not as verbs ("had a formidable lead": "In which state
/// had the former vice president a formidable lead?" was a phrasing on real English news).
pub fn inverts(word: &str, next: Option<&str>) -> bool {
    INVERTED.contains(&word)
        && (!["have", "has", "had"].contains(&word)
            || next.is_some_and(|n| looks_past(&n.to_lowercase())))
}

/// The do-support auxiliary for a verb form and its base form: "did" for a past
/// ("had"/"have"), "does" for a third-person singular ("reaches"/"reach"), "do" for the base
/// form itself; none otherwise.
pub fn do_support(base: &str, form: &str) -> Option<&'static str> {
    if is_past(base, form) {
        Some("did")
    } else if is_third(base, form) {
        Some("does")
    } else if base == form {
        Some("do")
    } else {
        None
    }
}

/// Whether a word of the sentence, followed by `next`, may be the verb that do-support
/// stands in for: written in lower case (a capitalised word is a name: "the United
/// Nations"), not "be" or a modal, and with no past form after it ("Nations established":
/// the verb is the past form), nor "by" ("a point emphasised by": a participle).
pub fn takes_do_support(form: &str, next: Option<&str>) -> bool {
    form.chars().all(|c| !c.is_uppercase())
        && !NO_DO_SUPPORT.contains(&form)
        && next.is_none_or(|n| {
            let n = n.to_lowercase();
            // "a point emphasised by a poll": a participle, not the clause's verb.
            !looks_past(&n) && n != "by"
        })
}

/// Determiners and possessives that open a noun phrase.
const DETERMINERS: &[&str] = &[
    "a", "all", "an", "another", "both", "each", "every", "her", "his", "its", "many", "most",
    "my", "our", "several", "some", "the", "their", "these", "this", "those", "your",
];

/// Pronouns that can only be subjects: a clause of its own starts with one.
const SUBJECT_PRONOUNS: &[&str] = &["he", "i", "she", "they", "we"];

/// Whether words may be a question's subject, without knowing word classes: a subject
/// pronoun, a name (up to six capitalised words, "and", "of" or "&" between them: "Aisha's
/// Salon and Spa", "Department of Correction"), a bare plural ("astronomers"), or a
/// determiner and up to five words that end on a content word, with no relative or wh-word ("a man who"), auxiliary or modal
/// ("did has play") or subject pronoun among them. Adverbs and prepositional phrases that
/// open a clause ("still", "with constant turnover") are thus no subjects.
pub fn may_be_subject(words: &[impl AsRef<str>]) -> bool {
    let lower: Vec<String> = words.iter().map(|w| w.as_ref().to_lowercase()).collect();
    let Some(first) = lower.first() else {
        return false;
    };
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    if lower.len() == 1 && (SUBJECT_PRONOUNS.contains(&first.as_str()) || first == "it") {
        return true;
    }
    // A name: capitalised words, "and", "of" or "&" between them.
    let joins = |w: &str| ["and", "of", "&"].contains(&w);
    if words.len() <= 6
        && capitalised(words[0].as_ref())
        && capitalised(words[words.len() - 1].as_ref())
        && !crate::text::is_stop_word("en", first)
        && words
            .iter()
            .zip(&lower)
            .all(|(w, l)| capitalised(w.as_ref()) || joins(l))
        && lower.windows(2).all(|p| !(joins(&p[0]) && joins(&p[1])))
    {
        return true;
    }
    let last = lower.last().map(String::as_str).unwrap_or_default();
    // A bare plural ("astronomers (first)") or a determiner and its words.
    let bare_plural = first.chars().count() >= 4
        && first.ends_with('s')
        && !first.ends_with("ss")
        && !first.ends_with("us")
        && !crate::text::is_stop_word("en", first)
        && lower.len() <= 3;
    (bare_plural || (DETERMINERS.contains(&first.as_str()) && (2..=6).contains(&lower.len())))
        && !crate::text::is_stop_word("en", last)
        && lower[1..].iter().all(|w| {
            !NOT_A_SUBJECT.contains(&w.as_str())
                && !INVERTED.contains(&w.as_str())
                && !NO_DO_SUPPORT.contains(&w.as_str())
                && !SUBJECT_PRONOUNS.contains(&w.as_str())
        })
}

/// Whether "be" and its subject open a cleft sentence ("it was Hannibal Buress calling
/// Cosby …"): its question would be "Who was it Hannibal Buress flat-out calling?".
pub fn cleft(aux: &str, subject: &[impl AsRef<str>]) -> bool {
    BE_FORMS.contains(&aux) && subject.len() == 1 && subject[0].as_ref().eq_ignore_ascii_case("it")
}

/// Whether the words between a question's verb and its key leave the key in a slot of the
/// clause: not inside a phrase ("reach temperatures of | 1,300 degrees", "12 of the | 13
/// states"), not inside a clause of its own ("a salesman who started a group | in 2010",
/// "the number he employed | in 2009"), and with no other number beside it, though a
/// percentage may stand there ("dropped about 5.3% | on Monday").
pub fn leads_to_slot(words: &[impl AsRef<str>]) -> bool {
    let lower: Vec<String> = words.iter().map(|w| w.as_ref().to_lowercase()).collect();
    lower
        .last()
        .is_none_or(|w| w != "of" && !DETERMINERS.contains(&w.as_str()))
        && lower.iter().all(|w| {
            !NOT_A_SUBJECT.contains(&w.as_str())
                && !CLAUSE_OPENERS.contains(&w.as_str())
                && !SUBJECT_PRONOUNS.contains(&w.as_str())
                && (!w.chars().any(|c| c.is_ascii_digit()) || w.ends_with('%'))
        })
}

/// Why a phrased question of `article` fails, if it does.
pub fn check(
    article: &ArticleText,
    question: &str,
    evidence: &str,
    key: &str,
) -> Result<(), QuestionFault> {
    let known = |w: &str| article.knows_word(w) != Some(false);
    let name = |w: &str| capitalised_inside(article, w, evidence);
    let words = Words {
        lang: article.lang(),
        known: &known,
        first: first_word(article, evidence),
        name: &name,
    };
    check_with(&words, question, evidence, key)
}

fn check_with(
    words_of: &Words<'_>,
    question: &str,
    evidence: &str,
    key: &str,
) -> Result<(), QuestionFault> {
    let lang = words_of.lang;
    if !supported(lang) {
        return Err(QuestionFault::Ungrammatical);
    }
    let Some(body) = question.trim().strip_suffix('?') else {
        return Err(QuestionFault::Ungrammatical);
    };
    let words: Vec<&str> = body.split_whitespace().collect();
    // Only words: no punctuation inside the question (apostrophes and hyphens in words).
    if !words.iter().all(|w| bare_word(w)) {
        return Err(QuestionFault::Ungrammatical);
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    // The writer's "I" or "we": a learner cannot tell whom the question means ("How much
    // was i less enthusiastic about a taco al pastor for?", phrased on a real English
    // review).
    if lower.iter().any(|w| {
        // "I'm", "we’ve": the pronoun before its contracted verb.
        let pronoun = w.split(['\'', '’']).next().unwrap_or(w);
        FIRST_PERSON.contains(&pronoun)
    }) {
        return Err(QuestionFault::Misdirected);
    }
    // A pronoun for a person after the fronted verb: whom "he" means, the question does
    // not say ("How many points did he score?" twice in one lesson on real English news,
    // with two answers, each among the other's options). "it" stays: an article's "it" is
    // most often its subject ("How many games did it win?", of a club).
    if lower
        .windows(2)
        .any(|w| FRONTED.contains(&w[0].as_str()) && THIRD_PERSON.contains(&w[1].as_str()))
    {
        return Err(QuestionFault::Misdirected);
    }
    // A second finite verb right after the fronted one: "In which country has this isn’t
    // the first time Arnault contributed to the art scene?" (phrased on real English news).
    if let Some(at) = lower.iter().position(|w| FRONTED.contains(&w.as_str()))
        && lower[at + 1..]
            .iter()
            .take(3)
            .any(|w| BE_FORMS.contains(&w.as_str()) || negative(w))
    {
        return Err(QuestionFault::Ungrammatical);
    }
    if that_clause_without_verb(&words) {
        return Err(QuestionFault::Ungrammatical);
    }
    // With do-support the question's verb is a base form; a participle at its end is
    // another verb's, and the key was that verb's: "How many days did the deadly fumes leak
    // out of the dodgy boiler flue pipe fitted?" (the pipe was fitted 12 days earlier; the
    // fumes leaked for no told time; phrased on real English news). Not after a verb of
    // saying, whose clause has its own verb ("did the firm say it employed").
    let classes = |w: &str, letters: &str| crate::analysis::classes::may_be("en", w, letters);
    let supported_verb = lower
        .iter()
        .position(|w| ["did", "does", "do"].contains(&w.as_str()))
        .is_some_and(|at| {
            lower[at + 1..lower.len().saturating_sub(1)]
                .iter()
                .any(|w| classes(w, "V") == Some(true))
        });
    if supported_verb
        && !lower
            .iter()
            .any(|w| base_forms(w).iter().any(|b| SAYING.contains(&b.as_str())))
        && lower.last().is_some_and(|w| {
            w.ends_with("ed") && classes(w, "D") == Some(true) && classes(w, "V") != Some(true)
        })
    {
        return Err(QuestionFault::Misdirected);
    }
    // A question ends on what it asks about, not on a word that needs more after it: "How
    // many years did Mars make its closest approach to us in?", "Who did they condemn the
    // killings of Officers Liu and?", "On which day did Soelistyo say?" (model-phrased, on
    // real English news). A preposition that a "Who" question may strand ("Who was the
    // soup made by?") is not among these.
    // A possessive needs its noun too: "Who received a hero’s?" (phrased on real English
    // news).
    if lower.last().is_some_and(|w| {
        DANGLING_ENDS.contains(&w.as_str())
            || ["'s", "’s", "s'", "s’"].iter().any(|e| w.ends_with(e))
            || base_forms(w)
                .iter()
                .chain([w])
                .any(|b| NEEDS_OBJECT.contains(&b.as_str()))
    }) {
        return Err(QuestionFault::Ungrammatical);
    }
    // A word said twice: a loop ("in a in a"), unless the sentence says it as often ("Han
    // Lee and Junmyung Lee").
    let tokens = clause_tokens(evidence);
    let times = |w: &str| lower.iter().filter(|x| *x == w).count();
    let in_evidence = |w: &str| tokens.iter().filter(|t| t.lower == w).count();
    if lower.windows(2).any(|w| w[0] == w[1])
        || lower
            .iter()
            .any(|w| !crate::text::is_stop_word(lang, w) && times(w) > in_evidence(w).max(1))
    {
        return Err(QuestionFault::Ungrammatical);
    }
    let key_tokens = self::tokens(key);
    let Some(key_at) = (0..tokens.len()).find(|&i| {
        i + key_tokens.len() <= tokens.len()
            && key_tokens
                .iter()
                .zip(&tokens[i..])
                .all(|(k, t)| k.text == t.text)
            && (i + 1..i + key_tokens.len()).all(|j| !tokens[j].break_before)
    }) else {
        return Err(QuestionFault::Misdirected);
    };
    if inside_a_subject(&tokens, key_at + key_tokens.len()) {
        return Err(QuestionFault::Misdirected);
    }
    if let Some((from, to)) = existential(&tokens, key_at, key_tokens.len()) {
        let asked = ["How", "many"]
            .into_iter()
            .chain(tokens[from..to].iter().map(|t| t.text))
            .chain([tokens[1].lower.as_str(), "there"]);
        if count(key).is_some_and(|n| n >= 2) && asked.eq(words.iter().copied()) {
            return Ok(());
        }
    }
    let mut misdirected = false;
    for (opening, rest) in openings(&words, &tokens, key_at, key_tokens.len()) {
        let Some(gap) = opening.gap(&tokens, key_at, key_tokens.len()) else {
            continue;
        };
        if matches!(opening, Opening::HowMany(_)) && count(key).is_none_or(|n| n < 2) {
            continue;
        }
        if opening == Opening::HowMuch && !key.starts_with(CURRENCY) {
            continue;
        }
        // One name of a list ("in Cambridge and Watertown", "for Elizabeth Warren, Bernie
        // Sanders and Pete Buttigieg"): the question has more answers than its key.
        if matches!(opening, Opening::Who | Opening::InWhichPlace(_))
            && in_list(&tokens, key_at, key_at + key_tokens.len())
        {
            misdirected = true;
            continue;
        }
        // "brought Bloomberg a spot": a name between a verb and its object is the indirect
        // object, which "Who" cannot ask for without a preposition ("Who has his rapid rise
        // in the polls brought a spot on the debate stage?", model-phrased on real English
        // news).
        if opening == Opening::Who && indirect_object(&tokens, key_at, key_tokens.len()) {
            continue;
        }
        // "the first two states": a count after an ordinal or "next" picks from a row, and
        // the question leaves the ordinal stranded ("How many states is Warren fourth in
        // polls of the first?", model-phrased on real English news).
        if matches!(opening, Opening::HowMany(_))
            && key_at > 0
            && gap.0 == key_at
            && ROW_WORDS.contains(&tokens[key_at - 1].lower.as_str())
        {
            continue;
        }
        // A count that a preposition governs ("an investigation into 341 congregations")
        // leaves the preposition behind: at the question's end it may stand ("How many
        // countries did she travel to?"), inside it, it cuts the clause ("How many American
        // congregations was the report the fruit of an investigation into guided by …?",
        // model-phrased on real English news).
        if matches!(opening, Opening::HowMany(_) | Opening::HowMuch)
            && key_at > 0
            && gap.0 == key_at
            && STRANDED.contains(&tokens[key_at - 1].lower.as_str())
            && lower.last() != Some(&tokens[key_at - 1].lower)
        {
            continue;
        }
        let subject = rest.first().is_some_and(|w| opening.may_be_subject(w));
        let complement = opening.may_be_complement();
        let fronted = (opening.time().is_some() || matches!(opening, Opening::InWhichPlace(_)))
            && fronted(evidence, &tokens, gap);
        let gap = Gap {
            span: gap,
            subject,
            complement,
            fronted,
        };
        match forms(words_of, rest, &tokens, &gap) {
            Fit::AtGap => return Ok(()),
            Fit::Elsewhere => misdirected = true,
            Fit::None => {}
        }
    }
    Err(if misdirected {
        QuestionFault::Misdirected
    } else {
        QuestionFault::Ungrammatical
    })
}

/// Words before a count that pick from a row: "the first two", "the next three".
const ROW_WORDS: &[&str] = &[
    "first", "last", "next", "past", "previous", "final", "top", "second", "third",
];

/// The writer's own pronouns ([`check`]).
const FIRST_PERSON: &[&str] = &["i", "me", "my", "we", "us", "our"];
/// Verbs a question puts before its subject.
const FRONTED: &[&str] = &[
    "did", "does", "do", "is", "was", "are", "were", "has", "have", "had", "will", "would", "can",
    "could",
];
/// Pronouns for a subject that only the article's context resolves.
const THIRD_PERSON: &[&str] = &["he", "she", "they"];

/// Whether a lower-case word is a negative contraction ("isn't", "don’t"): a finite verb.
fn negative(word: &str) -> bool {
    word.ends_with("n't") || word.ends_with("n’t")
}

/// Whether the question has "that" opening a clause that never reaches its verb: "Who
/// explained that in exercising her casting vote?", "On which day did Mr Shapps announce
/// that passengers returning?" (phrased on real English news, cut before "the consideration
/// was" and "would have to"). "that" before a singular noun ("Who explained that
/// decision?") is a determiner and opens no clause; a base form at the question's end
/// ("that prices rise") is taken for a noun, as it is more often there.
fn that_clause_without_verb(words: &[&str]) -> bool {
    let classes = |w: &str, letters: &str| crate::analysis::classes::may_be("en", w, letters);
    let Some(at) = words.iter().position(|w| w.eq_ignore_ascii_case("that")) else {
        return false;
    };
    let clause = &words[at + 1..];
    let opens = clause.first().is_some_and(|w| {
        let lower = w.to_lowercase();
        crate::text::is_stop_word("en", &lower)
            || w.starts_with(char::is_uppercase)
            || crate::analysis::classes::only("en", &lower, "P") == Some(true)
    });
    let finite = clause.iter().enumerate().any(|(k, w)| {
        let lower = w.to_lowercase();
        INVERTED.contains(&lower.as_str())
            || ["do", "shall"].contains(&lower.as_str())
            || negative(&lower)
            || classes(&lower, "ZD") == Some(true)
            || (k + 1 < clause.len() && classes(&lower, "V") == Some(true))
    });
    opens && !finite
}

/// Whether the key, which ends before token `end`, is part of a subject whose verb comes
/// after a second conjunct: "a big bloc of Democratic voters in Iowa | and nationally don’t
/// see anything wrong" (a question of the words before the key, "In which state does it
/// look like a big bloc of Democratic voters?", was model-phrased on real English news).
fn inside_a_subject(tokens: &[Token<'_>], end: usize) -> bool {
    let auxiliary = |t: &Token<'_>| {
        subject_auxiliary(&t.lower) || ["do", "don't", "don’t"].contains(&t.lower.as_str())
    };
    tokens
        .get(end)
        .is_some_and(|t| !t.break_before && COORDINATORS.contains(&t.lower.as_str()))
        && tokens
            .get(end + 1)
            .is_some_and(|n| !n.break_before && !capitalised(n) && !auxiliary(n))
        && tokens[end + 2..]
            .iter()
            .take(2)
            .take_while(|t| !t.break_before)
            .any(auxiliary)
}

/// Whether the key (`len` tokens from `at`) stands between a verb and that verb's object,
/// as its indirect object: "has brought | Bloomberg | a spot".
fn indirect_object(tokens: &[Token<'_>], at: usize, len: usize) -> bool {
    at > 0
        && !tokens[at].break_before
        && !capitalised(&tokens[at - 1])
        && !crate::text::is_stop_word("en", &tokens[at - 1].lower)
        && tokens
            .get(at + len)
            .is_some_and(|t| !t.break_before && DETERMINERS.contains(&t.lower.as_str()))
}

/// A count right after the "There are" or "There were" that opens the sentence, and the
/// words it counts up to the clause's end (or a clause of its own), ending on a word that
/// carries meaning: the tokens of those words. "There are two primary types of gene
/// mutations" asks "How many primary types of gene mutations are there?", a question form of
/// its own.
fn existential(tokens: &[Token<'_>], key_at: usize, key_len: usize) -> Option<(usize, usize)> {
    if key_at != 2
        || tokens[0].lower != "there"
        || !["are", "were"].contains(&tokens[1].lower.as_str())
        || tokens[1..=2].iter().any(|t| t.break_before)
    {
        return None;
    }
    let from = key_at + key_len;
    let to = (from..tokens.len())
        .find(|&k| {
            tokens[k].break_before
                || tokens[k].after_quote
                || (k > from && CLAUSE_OPENERS.contains(&tokens[k].lower.as_str()))
        })
        .unwrap_or(tokens.len());
    (to > from
        && !crate::text::is_stop_word("en", &tokens[to - 1].lower)
        && tokens[from..to]
            .iter()
            .all(|t| !t.text.chars().any(|c| c.is_ascii_digit())))
    .then_some((from, to))
}

/// The question of a count after the "There are" or "There were" that opens the sentence
/// (`existential`), and the byte where the counted words end: "How many primary types of
/// gene mutations are there?" for "There are two primary types of gene mutations."
pub fn existential_question(sentence: &str, offset: usize) -> Option<(String, usize)> {
    let tokens = clause_tokens(sentence);
    let key_at = tokens.iter().position(|t| t.start == offset)?;
    let (from, to) = existential(&tokens, key_at, 1)?;
    let counted: Vec<&str> = tokens[from..to].iter().map(|t| t.text).collect();
    let question = format!("How many {} {} there?", counted.join(" "), tokens[1].lower);
    Some((question, tokens[to - 1].start + tokens[to - 1].text.len()))
}

/// The openings a question may start with, each with the words after it.
fn openings<'q>(
    words: &'q [&'q str],
    tokens: &[Token<'_>],
    key_at: usize,
    key_len: usize,
) -> Vec<(Opening, &'q [&'q str])> {
    let mut out = Vec::new();
    match words {
        ["Who", rest @ ..] => out.push((Opening::Who, rest)),
        ["How", "much", rest @ ..] => out.push((Opening::HowMuch, rest)),
        ["In", "which" | "what", "year", rest @ ..] => out.push((Opening::InWhichYear, rest)),
        ["In", "which" | "what", "month", rest @ ..] => out.push((Opening::InWhichMonth, rest)),
        ["On", "which" | "what", "day", rest @ ..] => out.push((Opening::OnWhichDay, rest)),
        ["In", "which" | "what", noun, rest @ ..] => {
            if let Some(kind) = PlaceKind::of_noun(noun) {
                out.push((Opening::InWhichPlace(kind), rest));
            }
        }
        ["How", "many", rest @ ..] => {
            // The counted words are those after the key in the sentence, as many as the
            // question repeats.
            for n in 1..=3.min(rest.len()) {
                let unit: Vec<String> = rest[..n].iter().map(|w| w.to_string()).collect();
                let after = &tokens[(key_at + key_len).min(tokens.len())..];
                // Words of the count only: "How many miles in sits …" runs on into the clause.
                if after.len() >= n
                    && unit.iter().zip(after).all(|(u, t)| t.text == u)
                    && unit
                        .iter()
                        .all(|u| !crate::text::is_stop_word("en", &u.to_lowercase()))
                {
                    out.push((Opening::HowMany(unit), &rest[n..]));
                }
            }
        }
        _ => {}
    }
    out
}

enum Fit {
    /// A question form of the sentence's clause, whose gap is the key.
    AtGap,
    /// The sentence's clause, but its gap is elsewhere.
    Elsewhere,
    None,
}

/// Where a question's answer lies in its sentence, and what it may be there.
struct Gap {
    /// The tokens the answer covers.
    span: (usize, usize),
    /// The opening may stand for the clause's subject.
    subject: bool,
    /// The opening may stand for the complement of "be".
    complement: bool,
    /// A time or place that opens the sentence before a comma ([`Frame::fronted`]).
    fronted: bool,
}

/// Whether the question's words after the opening are the clause around `gap` in one of the
/// English question forms.
fn forms(words_of: &Words<'_>, rest: &[&str], tokens: &[Token<'_>], gap: &Gap) -> Fit {
    let Gap {
        span: gap,
        subject,
        complement,
        fronted,
    } = *gap;
    if rest.is_empty() {
        return Fit::None;
    }
    let lang = words_of.lang;
    let lower: Vec<String> = rest.iter().map(|w| w.to_lowercase()).collect();
    let stop = |w: &str| crate::text::is_stop_word(lang, w);
    // A run of the question's words equals the sentence's from `at`, with no punctuation
    // between them; capitals as the sentence has them, except its first word when that is
    // written in lower case inside a sentence.
    let same = |words: &[&str], at: usize| -> bool {
        at + words.len() <= tokens.len()
            && words.iter().enumerate().all(|(k, w)| {
                let t = &tokens[at + k];
                let shown = match (at + k, words_of.first) {
                    (0, FirstWord::Lower) => t.lower.as_str(),
                    (0, FirstWord::Unknown) => return false,
                    // A capital after a colon: the clause's or a name's, nobody knows, unless
                    // the article writes the word so elsewhere inside a sentence ("Marissa:
                    // Axios launched in 2017", where it has "joining Axios").
                    _ if t.after_colon && t.text != t.lower && !(words_of.name)(t.text) => {
                        return false;
                    }
                    _ => t.text,
                };
                (k == 0 || !t.break_before) && shown == *w
            })
    };
    // A base form after do-support: a word of the language; a function word only when it
    // is an irregular verb's ("have", "do").
    let base_form = |verb: &str| {
        (words_of.known)(verb) && (!stop(verb) || IRREGULAR.iter().any(|(b, ..)| *b == verb))
    };
    let clause_start = |at: usize| opens_clause(tokens, at) && !after_relative(tokens, at);
    let subject_ok = |s: &[&str]| may_be_subject(s);
    let ends_well = |last: usize| {
        // The clause ends here, or on a word that carries meaning; not inside a name cut by
        // a comma ("his Albuquerque | , New Mexico, company"), nor before a quotation that
        // goes on with it ("Doherty said Christie | “didn’t fight”"), nor inside a noun
        // phrase ([`cuts_noun_phrase`]).
        !cut_name(tokens, last)
            && !cuts_noun_phrase(tokens, last)
            && tokens.get(last + 1).is_none_or(|t| !t.after_quote)
            && (last + 1 == tokens.len()
                || tokens[last + 1].break_before
                || !stop(&tokens[last].lower))
    };
    let aux = lower[0].as_str();
    let mut elsewhere = false;

    // Subject gap: the words right after the key (when the opening stands for a subject).
    if subject
        && gap.1 < tokens.len()
        && clause_start(gap.0)
        && same(rest, gap.1)
        && !tokens[gap.1].break_before
        && (!stop(&lower[0]) || subject_auxiliary(&lower[0]))
        && ends_well(gap.1 + rest.len() - 1)
        && rest.len() >= 2
        // "Who relied on?": a subject question ends on a word that carries meaning.
        && lower.last().is_some_and(|w| !stop(w))
        // "Who said during the interview?" (phrased on real English news, where what was
        // said was the quotation before the name): a verb of saying keeps what was said.
        && (lower.iter().any(|w| w == "that")
            || base_forms(&lower[0])
                .iter()
                .all(|base| says_something(base, &rest[1..])))
    {
        return Fit::AtGap;
    }

    // The question's words after its verb: those of the sentence from `from` up to the
    // key (at least `least` of them), then perhaps those right after the key ("did the club
    // have | last season").
    let around_gap = |tail: &[&str], from: usize, least: usize| -> Fit {
        let mut fit = Fit::None;
        for split in least..=tail.len() {
            let (before, after) = tail.split_at(split);
            if !same(before, from) || (!before.is_empty() && tokens[from].break_before) {
                continue;
            }
            if !leads_to_slot(before) {
                continue;
            }
            // "was James Lee arrested in California | and is expected to be arraigned in
            // Boston": a second verb phrase between the question's verb and the key, which
            // the question would ask of the first ("In which city was James Lee arrested …",
            // model-phrased on real English news).
            if (from..gap.0).any(|k| joins_verb_phrase(tokens, k)) {
                continue;
            }
            if after.is_empty() {
                fit = Fit::Elsewhere;
            }
            let after_ok = after.is_empty()
                || (gap.1 < tokens.len()
                    && !tokens[gap.1].break_before
                    && same(after, gap.1)
                    && ends_well(gap.1 + after.len() - 1)
                    && !(gap.1..gap.1 + after.len()).any(|k| joins_verb_phrase(tokens, k)));
            if from + split == gap.0 && !tokens[gap.0].break_before && after_ok {
                return Fit::AtGap;
            }
        }
        fit
    };
    // After a fronted answer (`Frame::fronted`) the clause is the one after its comma, and
    // the question's words after its verb are that clause's to its end, or to a clause it may
    // leave out, at least one word: "On which day | did the owner say a man came in" for "On
    // Tuesday, | the owner said a man came in". Cut short, its verb may lose what it needs.
    let clause_end = clause_end(tokens, gap.1);
    let to_end = |tail: &[&str], from: usize| {
        if tail.is_empty() || from >= clause_end {
            return Fit::None;
        }
        let words: Vec<&str> = tokens[from..clause_end].iter().map(|t| t.text).collect();
        if !tokens[from].break_before
            && same(tail, from)
            && fronted_ends(&words).contains(&tail.len())
        {
            Fit::AtGap
        } else {
            Fit::None
        }
    };
    // Where the clause's subject may start: anywhere a clause does, or right after a
    // fronted answer's comma.
    let starts = if fronted {
        gap.1..gap.1 + 1
    } else {
        0..tokens.len()
    };
    // Do-support: did/does/do, subject, base form, the words up to the key.
    if matches!(aux, "did" | "does" | "do") {
        for s_len in 1..rest.len().saturating_sub(1) {
            let subject = &rest[1..1 + s_len];
            let verb = lower[1 + s_len].as_str();
            let tail = &rest[2 + s_len..];
            if !subject_ok(subject) || !base_form(verb) {
                continue;
            }
            for at in starts.clone() {
                let v = at + s_len;
                if v >= tokens.len() || !same(subject, at) || !clause_start(at) {
                    continue;
                }
                let form = &tokens[v];
                let next = tokens
                    .get(v + 1)
                    .filter(|t| !t.break_before)
                    .map(|t| t.text);
                let inflected = !form.break_before
                    && takes_do_support(form.text, next)
                    && match aux {
                        "did" => is_past(verb, &form.lower),
                        "does" => is_third(verb, &form.lower),
                        _ => form.lower == verb && !NO_DO_SUPPORT.contains(&verb),
                    };
                // "the rise in deaths announced on Friday was 777": the clause's verb comes
                // after the gap, and this word was a participle.
                if !inflected || (!fronted && verb_after(tokens, gap.1)) {
                    continue;
                }
                let fit = if fronted {
                    if says_something(verb, tail) {
                        to_end(tail, v + 1)
                    } else {
                        Fit::None
                    }
                } else {
                    around_gap(tail, v + 1, 0)
                };
                match fit {
                    Fit::AtGap => return Fit::AtGap,
                    Fit::Elsewhere => elsewhere = true,
                    Fit::None => {}
                }
            }
        }
    }

    // Inversion: the clause's auxiliary before its subject, then the rest up to the key; a
    // form of "be" may stand right before the key, which is its complement ("Who was the
    // head judge?", "How much was the bill?"), where the opening may ask for one.
    let copula = complement && BE_FORMS.contains(&aux);
    if INVERTED.contains(&aux) {
        let longest = rest.len() - usize::from(!copula);
        for s_len in 1..longest {
            let subject = &rest[1..1 + s_len];
            let tail = &rest[1 + s_len..];
            if !subject_ok(subject) || cleft(aux, subject) || disagrees(aux, subject) {
                continue;
            }
            for at in starts.clone() {
                let a = at + s_len;
                if a + 1 >= tokens.len()
                    || !same(subject, at)
                    || !clause_start(at)
                    || tokens[a].lower != aux
                    || tokens[a].break_before
                    || !inverts(aux, next_word(tokens, a))
                {
                    continue;
                }
                let fit = if fronted {
                    to_end(tail, a + 1)
                } else {
                    around_gap(tail, a + 1, usize::from(!copula))
                };
                match fit {
                    Fit::AtGap => return Fit::AtGap,
                    Fit::Elsewhere => elsewhere = true,
                    Fit::None => {}
                }
            }
        }
    }
    if elsewhere { Fit::Elsewhere } else { Fit::None }
}

/// Whether a question that ends on token `last` stops inside a noun phrase, before its
/// noun: on a count joined to a word ("52-week", "20,000-man"), which only ever describes
/// one, or on a word that can only be an adjective while the sentence goes on without a
/// break ("to post a new | 52-week low": "On which day did SandRidge Mississippian Trust II
/// drop about 5.3% to post a new?" was model-ranked first on real English news).
fn cuts_noun_phrase(tokens: &[Token<'_>], last: usize) -> bool {
    let t = &tokens[last];
    let counted = t.text.split_once('-').is_some_and(|(count, word)| {
        count.starts_with(|c: char| c.is_ascii_digit())
            && count.chars().all(|c| c.is_ascii_digit() || c == ',')
            && !word.is_empty()
            && word.chars().all(char::is_alphabetic)
    });
    let adjective = crate::analysis::classes::only("en", &t.lower, "ACS") == Some(true);
    counted || (adjective && tokens.get(last + 1).is_some_and(|n| !n.break_before))
}

/// The word after token `at` in its clause, if punctuation does not come between.
fn next_word<'t>(tokens: &[Token<'t>], at: usize) -> Option<&'t str> {
    tokens
        .get(at + 1)
        .filter(|t| !t.break_before)
        .map(|t| t.text)
}

/// Verbs of saying and writing in their base form, whose object a question must keep
/// ("Who wrote recently?" asks nothing: "as my colleague Geoffrey Skelley wrote recently",
/// model-phrased on real English news).
const SAYING: &[&str] = &["say", "tell", "write", "add", "note"];

/// Whether the words after a verb of saying start what was said: a clause's subject or
/// "that" ("did the owner say | a man came in"), not an adverb ("did Hasib say | shortly
/// after ABC13 left his office?", phrased on real English news, where what he said came
/// after a comma).
fn says_something(verb: &str, tail: &[&str]) -> bool {
    if !SAYING.contains(&verb) {
        return true;
    }
    tail.first().is_some_and(|w| {
        let lower = w.to_lowercase();
        w.starts_with(char::is_uppercase)
            || lower == "that"
            || lower == "it"
            || DETERMINERS.contains(&lower.as_str())
            || SUBJECT_PRONOUNS.contains(&lower.as_str())
            || ["him", "her", "them", "us", "me"].contains(&lower.as_str())
    })
}

/// Whether a singular auxiliary stands before a subject that is a plural noun alone or
/// after a determiner ("was prostitutes", "is the players"), or a plural one before a
/// singular noun ("were the club").
fn disagrees(aux: &str, subject: &[&str]) -> bool {
    let words: Vec<String> = subject.iter().map(|w| w.to_lowercase()).collect();
    let head = match words.as_slice() {
        [noun] => noun,
        [det, noun] if DETERMINERS.contains(&det.as_str()) => noun,
        _ => return false,
    };
    let may_be =
        |letters: &str| crate::analysis::classes::may_be("en", head, letters) == Some(true);
    match aux {
        "is" | "was" | "has" | "does" => may_be("P") && !may_be("N"),
        "are" | "were" | "have" | "do" => may_be("N") && !may_be("P") && !head.ends_with('s'),
        _ => false,
    }
}

/// The evidence's spans that could answer a question of the key's kind: its numbers, its
/// amounts of money, its runs of capitalised words (names) or its years. The round trip of a phrased question is a
/// choice among them.
pub fn candidate_spans(question: &str, evidence: &str) -> Vec<String> {
    let tokens = tokens(evidence);
    let mut out: Vec<String> = Vec::new();
    let is_number = |t: &Token<'_>| count(t.text).is_some();
    if question.starts_with("How many") {
        // Counts of what the question counts: "How many cases …?" is not answered by the
        // 16,700 of "467,000 cases and about 16,700 deaths".
        let asked: HashSet<String> = self::tokens(question)
            .into_iter()
            .map(|t| t.lower)
            .collect();
        out.extend(
            tokens
                .iter()
                .enumerate()
                .filter(|&(i, t)| {
                    is_number(t) && tokens.get(i + 1).is_some_and(|n| asked.contains(&n.lower))
                })
                .map(|(_, t)| t.text.to_string()),
        );
    } else if question.starts_with("How much") {
        out.extend(
            amounts(evidence)
                .into_iter()
                .map(|(from, to)| evidence[from..to].to_string()),
        );
    } else if question.starts_with("In which year") || question.starts_with("In what year") {
        out.extend(
            tokens
                .iter()
                .filter(|t| t.text.len() == 4 && t.text.parse::<u32>().is_ok())
                .map(|t| t.text.to_string()),
        );
    } else if let Some(list) = [
        ("In which month", CalendarWord::Month),
        ("In what month", CalendarWord::Month),
        ("On which day", CalendarWord::Weekday),
        ("On what day", CalendarWord::Weekday),
    ]
    .iter()
    .find(|(opening, _)| question.starts_with(opening))
    .map(|(_, list)| *list)
    {
        out.extend(
            tokens
                .iter()
                .filter(|t| calendar_word("en", t.text) == Some(list))
                .map(|t| t.text.to_string()),
        );
    } else if let Some(kind) = question
        .strip_prefix("In which ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(PlaceKind::of_noun)
    {
        out.extend(
            place_runs(&tokens, kind)
                .into_iter()
                .map(|(from, to)| run_text(&tokens, from, to)),
        );
    } else if question.starts_with("Who") {
        // A word whose part after a hyphen is in lower case ("Italianate-style",
        // "Texas-based") is no one's name.
        let adjective = |t: &Token<'_>| {
            t.text
                .split('-')
                .skip(1)
                .any(|part| part.starts_with(char::is_lowercase))
        };
        let mut i = 1;
        while i < tokens.len() {
            if capitalised(&tokens[i]) {
                let end = run_end(&tokens, i);
                if !tokens[i..end].iter().any(adjective) {
                    out.push(run_text(&tokens, i, end));
                }
                i = end;
            } else {
                i += 1;
            }
        }
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_and_an_follow_the_sound_an_option_starts_with() {
        for word in [
            "October", "8", "80", "11", "18,000", "hour", "FBI", "apple", "umbrella",
        ] {
            assert!(super::takes_an(word), "{word}");
        }
        for word in [
            "November", "1", "100", "union", "European", "one", "CIA", "house", "2020",
        ] {
            assert!(!super::takes_an(word), "{word}");
        }
        assert!(!super::article_agrees(Some("an"), "October", "March"));
        assert!(super::article_agrees(Some("an"), "October", "August"));
        assert!(super::article_agrees(Some("the"), "October", "March"));
        assert!(super::article_agrees(None, "October", "March"));
    }

    use super::*;

    const CLUB: &str = "The club had 40 players last season, and it won 12 games.";

    /// Checks an English question, with every word known and the sentence's first word in
    /// lower case inside a sentence when it is a function word or `lower`.
    fn en(question: &str, evidence: &str, key: &str) -> Result<(), QuestionFault> {
        let first = tokens(evidence)[0].lower.clone();
        let words = Words {
            lang: "en",
            known: &|_| true,
            first: if crate::text::is_stop_word("en", &first) || first == "astronomers" {
                FirstWord::Lower
            } else {
                FirstWord::AsWritten
            },
            name: &|_| false,
        };
        check_with(&words, question, evidence, key)
    }

    #[test]
    fn who_asks_for_a_person_with_the_role_words_before_the_name() {
        // Amy's demo lesson (A2) had "Who was the head judge chef?".
        let judge = "The head judge was chef Omar Takeda from the Blue Kettle restaurant.";
        assert_eq!(en("Who was the head judge?", judge, "Omar Takeda"), Ok(()));
        assert!(en("Who was the head judge chef?", judge, "Omar Takeda").is_err());
        assert_eq!(
            who_start(judge, judge.find("Omar").unwrap()),
            judge.find("chef").unwrap()
        );
    }

    #[test]
    fn an_aside_in_parentheses_is_left_out_and_a_percentage_stays_a_word() {
        // From real English news (B2): the ticker cut the clause before "dropped", and the
        // percent sign cut it before "on Monday", so the sentence had no question.
        let sdr = "SandRidge Mississippian Trust II (NYSE: SDR) dropped about 5.3% on Monday \
                   to post a new 52-week low.";
        let monday = sdr.find("on Monday").unwrap();
        let frame = frame(
            sdr,
            (monday, monday + "on Monday".len()),
            FirstWord::AsWritten,
        )
        .expect("a frame");
        assert_eq!(
            frame.before,
            [
                "SandRidge",
                "Mississippian",
                "Trust",
                "II",
                "dropped",
                "about",
                "5.3%"
            ]
        );
        let question = "On which day did SandRidge Mississippian Trust II drop about 5.3%?";
        assert_eq!(en(question, sdr, "Monday"), Ok(()));
        // Nothing of the aside, nor a word cut from it, may be in the question.
        assert!(
            en(
                "On which day did SandRidge Mississippian Trust II NYSE SDR drop about 5.3%?",
                sdr,
                "Monday"
            )
            .is_err()
        );
        assert!(en("On which day did SDR drop about 5.3%?", sdr, "Monday").is_err());
        // Nor may it stop before the noun of a phrase.
        for cut in ["to post a new", "to post a new 52-week"] {
            let q =
                format!("On which day did SandRidge Mississippian Trust II drop about 5.3% {cut}?");
            assert!(en(&q, sdr, "Monday").is_err(), "{q}");
        }
        assert_eq!(
            en(
                "On which day did SandRidge Mississippian Trust II drop about 5.3% to post a new \
                 52-week low?",
                sdr,
                "Monday"
            ),
            Ok(())
        );
        assert!(
            en(
                "On which day did SandRidge Mississippian Trust II drop about 5.3?",
                sdr,
                "Monday"
            )
            .is_err()
        );
        // A parenthesis that does not close keeps its break.
        let open = "The trust (a unit of SandRidge dropped about 5.3% on Monday.";
        let tokens = clause_tokens(open);
        assert_eq!(tokens.len(), self::tokens(open).len());
        assert!(tokens[2].break_before);
        // A description of a name between commas is an aside where the clause goes on
        // after it, not where a list does.
        let words = |s: &'static str| -> Vec<&'static str> {
            clause_tokens(s).into_iter().map(|t| t.text).collect()
        };
        assert_eq!(
            words("Kenneth Preston, a Broward County high school student, says he agrees."),
            ["Kenneth", "Preston", "says", "he", "agrees"]
        );
        assert_eq!(
            words("Ann Smith, a lawyer, and Tom Reed met.").len(),
            self::tokens("Ann Smith, a lawyer, and Tom Reed met.").len()
        );
        // Punctuation before the aside is still a break after it.
        let comma = clause_tokens("The trust, (NYSE: SDR) dropped.");
        assert_eq!(
            comma.iter().map(|t| t.text).collect::<Vec<_>>(),
            ["The", "trust", "dropped"]
        );
        assert!(comma[2].break_before);
    }

    #[test]
    fn a_count_after_there_are_asks_how_many_there_are() {
        // From real English news (B2), which had no question of it.
        let types = "There are two primary types of gene mutations.";
        let question = "How many primary types of gene mutations are there?";
        assert_eq!(en(question, types, "two"), Ok(()));
        assert_eq!(
            existential_question(types, types.find("two").unwrap()),
            Some((question.to_string(), types.len() - 1))
        );
        for wrong in [
            "How many primary types of gene mutations were there?",
            "How many types of gene mutations are there?",
            "How many primary types of gene are there?",
        ] {
            assert!(en(wrong, types, "two").is_err(), "{wrong}");
        }
        // The counted words end at the clause: before a clause of their own or a comma.
        let cells = "There were 40 people at the meeting, and most of them stayed.";
        assert_eq!(
            existential_question(cells, cells.find("40").unwrap()).map(|(q, _)| q),
            Some("How many people at the meeting were there?".to_string())
        );
        let that = "There were 40 people that came.";
        assert_eq!(
            existential_question(that, that.find("40").unwrap()).map(|(q, _)| q),
            Some("How many people were there?".to_string())
        );
        // Only right after the "There are" that opens the sentence.
        let now = "There are now more than 12,500 cameras in the schools.";
        assert_eq!(existential_question(now, now.find("12,500").unwrap()), None);
        assert!(en("How many cameras in the schools are there?", now, "12,500").is_err());
    }

    #[test]
    fn a_time_that_opens_the_sentence_asks_the_clause_after_its_comma() {
        // From real English news (B1): no question was made of a fronted time before.
        let thursday = "On Thursday, another glimmer of hope was heralded as official \
                        projections for the nationwide death toll were lowered.";
        assert_eq!(
            en(
                "On which day was another glimmer of hope heralded as official projections \
                 for the nationwide death toll were lowered?",
                thursday,
                "Thursday"
            ),
            Ok(())
        );
        let owner = "On Tuesday, the owner said a man came in, but he left at noon.";
        assert_eq!(
            en(
                "On which day did the owner say a man came in?",
                owner,
                "Tuesday"
            ),
            Err(QuestionFault::Ungrammatical),
            "it ends on \"in\""
        );
        let club = "In 2019, the club hired a coach who had won the cup.";
        assert_eq!(
            en("In which year did the club hire a coach?", club, "2019"),
            Ok(())
        );
        assert_eq!(
            en(
                "In which year did the club hire a coach who had won the cup?",
                club,
                "2019"
            ),
            Ok(())
        );
        // Cut short, the clause loses what its verb needs; its subject and verb are the
        // clause's own; the verb agrees with do-support.
        for wrong in [
            "In which year did the club hire?",
            "In which year did the club hire a?",
            "In which year did the coach hire a coach?",
            "In which year does the club hire a coach?",
            "In which year did the club hired a coach?",
            "In which year was the club hired a coach?",
        ] {
            assert!(en(wrong, club, "2019").is_err(), "{wrong}");
        }
        // "Had" moves before its subject as an auxiliary only.
        let lead = "The former vice president had a formidable lead in South Carolina.";
        assert!(
            en(
                "In which state had the former vice president a formidable lead?",
                lead,
                "South Carolina"
            )
            .is_err()
        );
        assert_eq!(
            en(
                "In which state did the former vice president have a formidable lead?",
                lead,
                "South Carolina"
            ),
            Ok(())
        );
        let won = "The club had won the cup in 2019.";
        assert_eq!(
            en("In which year had the club won the cup?", won, "2019"),
            Ok(())
        );
        let four = "Margaritaville Hotels and Resorts has properties all over the country \
                    including four in California.";
        assert!(
            en(
                "In which state does Margaritaville Hotels and Resorts have properties all over the country including four?",
                four,
                "California"
            )
            .is_err()
        );
        assert!(
            en(
                "In which state does Margaritaville Hotels and Resorts have properties?",
                four,
                "California"
            )
            .is_err()
        );
        let whole = "The US as a whole has recorded 467,000 cases and about 16,700 deaths.";
        assert!(en("How many cases has a whole recorded?", whole, "467,000").is_err());
        // An abbreviation's full stop ends no clause.
        let court =
            "Han Lee and Junmyung Lee were arraigned in Boston’s U.S. District Court on Wednesday.";
        assert_eq!(
            en(
                "On which day were Han Lee and Junmyung Lee arraigned in Boston’s U.S. District Court?",
                court,
                "Wednesday"
            ),
            Ok(())
        );
        assert!(abbreviated("U.S") && abbreviated("a.m") && abbreviated("A") && abbreviated("Dr"));
        assert!(!abbreviated("Boston") && !abbreviated("a") && !abbreviated("Hon.Kong"));
        assert!(bare_word("U.S.") && !bare_word("Boston.") && !bare_word("“Boston"));
        assert!(
            en("On which day were Han Lee and Junmyung Lee arraigned in Boston’s U.S. District Court afternoon?", &court.replace("Wednesday", "Wednesday afternoon"), "Wednesday").is_err()
        );
        assert_eq!(
            en(
                "On which day were Han Lee and Junmyung Lee arraigned in Boston’s U.S. District Court?",
                &court.replace("Wednesday", "Wednesday afternoon"),
                "Wednesday"
            ),
            Ok(())
        );
        let hasib = "On Wednesday night, Hasib said shortly after ABC13 left his office, someone took a report.";
        assert!(
            en(
                "On which day did Hasib say shortly after ABC13 left his office?",
                hasib,
                "Wednesday"
            )
            .is_err()
        );
        // "last February" is asked as "in February" is.
        let pelco = "Pelco announced last February that it will provide schools with video.";
        assert_eq!(
            en(
                "In which month did Pelco announce that it will provide schools with video?",
                pelco,
                "February"
            ),
            Ok(())
        );
        assert_eq!(
            en("In which month did Pelco announce that?", pelco, "February"),
            Err(QuestionFault::Ungrammatical)
        );
        let meets = "The council meets next Tuesday to vote on the plan.";
        assert_eq!(
            en("On which day does the council meet?", meets, "Tuesday"),
            Ok(())
        );
        assert!(
            en(
                "In which year does the council meet?",
                "The council met last 2019.",
                "2019"
            )
            .is_err()
        );
        // Without a comma the time is no fronted answer.
        let bare = "In 2019 the club hired a coach.";
        assert!(en("In which year did the club hire a coach?", bare, "2019").is_err());
    }

    #[test]
    fn a_duration_asks_without_its_for_and_names_may_hold_and() {
        // From real English news (B1), where neither made a question.
        let biden = "So Joe Biden worked for eight years with Barack Obama.";
        for ok in [
            "How many years did Joe Biden work with Barack Obama?",
            "How many years did Joe Biden work?",
        ] {
            assert_eq!(en(ok, biden, "eight"), Ok(()), "{ok}");
        }
        assert!(en("How many years did Joe Biden work for?", biden, "eight").is_err());
        assert!(en("How many years did So Joe Biden work?", biden, "eight").is_err());
        // A count that is no time keeps its preposition: "for" the number of people.
        let seats = "The hall has room for 300 people on most nights.";
        assert!(en("How many people does the hall have room?", seats, "300").is_err());
        let salon = "Aisha's Salon and Spa was founded 30 years ago to create a safe space.";
        assert_eq!(
            en(
                "How many years ago was Aisha's Salon and Spa founded?",
                salon,
                "30"
            ),
            Ok(())
        );
        assert!(may_be_subject(&["Department", "of", "Correction"]));
        assert!(!may_be_subject(&["Salon", "and"]));
        assert!(!may_be_subject(&["Salon", "and", "and", "Spa"]));
    }

    #[test]
    fn questions_that_end_on_a_word_needing_more_are_refused() {
        // Each was delivered once, model-phrased, in a B1 lesson on real English news.
        let mars = "The picture was taken just 11 hours before Mars made its closest approach to us in 60,000 years.";
        assert!(
            en(
                "How many years did Mars make its closest approach to us in?",
                mars,
                "60,000"
            )
            .is_err()
        );
        let officers =
            "At a peaceful gathering, they condemned the killings of Officers Liu and Ramos.";
        assert!(
            en(
                "Who did they condemn the killings of Officers Liu and?",
                officers,
                "Ramos"
            )
            .is_err()
        );
        let monday = "The plane could be at the bottom of the sea, Soelistyo said on Monday.";
        assert!(en("On which day did Soelistyo say?", monday, "Monday").is_err());
        let grant = "After his victory, General Grant received a hero’s welcome from the town.";
        assert_eq!(
            en("Who received a hero’s welcome?", grant, "General Grant"),
            Ok(())
        );
        assert!(en("Who received a hero’s?", grant, "General Grant").is_err());
        // A word with a lower-case part after its hyphen is no one's name, so no
        // candidate of a "Who" question.
        assert_eq!(
            candidate_spans(
                "Who received a hero’s welcome?",
                "Then General Grant received an Italianate-style mansion from Galena."
            ),
            vec!["General Grant", "Galena"]
        );
        let report = "The report was the fruit of an investigation into 341 American congregations guided by a sister.";
        assert!(
            en(
                "How many American congregations was the report the fruit of an investigation into guided by a sister?",
                report,
                "341"
            )
            .is_err()
        );
        // A "Who" question may strand its preposition.
        let soup = "The soup was made by Edna Marsh.";
        assert_eq!(en("Who was the soup made by?", soup, "Edna Marsh"), Ok(()));
    }

    #[test]
    fn questions_from_unseen_news_at_b2_that_ran_on_are_refused() {
        // Each was delivered once, in a lesson on real English news.
        let monastery = "About 18 miles in sits Monastero Santa Rosa, perched on a cliff.";
        assert!(
            en(
                "How many miles in sits Monastero Santa Rosa?",
                monastery,
                "18"
            )
            .is_err()
        );
        let nurse = "She has been a nurse for 16 years and was volunteering for Save The \
                     Children when she contracted the virus.";
        assert!(
            en(
                "How many years has she been a nurse for and was volunteering for Save The Children?",
                nurse,
                "16"
            )
            .is_err()
        );
        let ruins = "The owner Bianca Sharma spotted the ruins in 1999 and promptly bought \
                     the property.";
        assert!(
            en(
                "In which year did Bianca Sharma spot the ruins and promptly bought the property?",
                ruins,
                "1999"
            )
            .is_err()
        );
        assert_eq!(
            frame(ruins, (42, 49), FirstWord::AsWritten).map(|f| f.after),
            Some(vec![]),
            "{:?}",
            &ruins[42..49]
        );
        let calling = "In this case, it was Hannibal Buress flat-out calling Cosby a rapist.";
        let cosby = calling.find("Cosby").unwrap();
        assert_eq!(who_start(calling, cosby), cosby);
        // "backing" is a noun only in the list, and a verb here.
        let backing =
            "After she suspended her campaign, the group made headlines for backing Biden.";
        let biden = backing.find("Biden").unwrap();
        assert_eq!(who_start(backing, biden), biden);
        assert!(en("Who did the group make headlines for?", backing, "Biden").is_err());
        assert!(en("Who was it Hannibal Buress flat-out?", calling, "Cosby").is_err());
        // A cleft ("it was …") makes no question.
        assert!(
            en(
                "Who was it Hannibal Buress flat-out calling?",
                calling,
                "Cosby"
            )
            .is_err()
        );
        // A plural's possessive apostrophe is no break: "quarters" opens no clause.
        let rooms = "Nuns’ quarters are cleverly combined into 20 unique rooms.";
        assert!(
            en(
                "How many unique rooms are quarters cleverly combined into?",
                rooms,
                "20"
            )
            .is_err()
        );
    }

    #[test]
    fn questions_phrased_on_a_third_set_of_unseen_news_that_read_wrong_are_refused() {
        // Each was delivered once, in a lesson on real English news: (question, sentence,
        // key). All are checked before the test fails, so that switching a rule off shows
        // every question it alone refuses.
        let scored = "He scored six points and grabbed four rebounds in the first half.";
        let coal =
            "The country now generates half as much coal-fired electricity as it did in 2009.";
        let project = "In January, the German capital is launching a new five-year project named \
                       \"Remembrance in the City\".";
        let art = "This isn’t the first time Arnault has contributed to the art scene in France.";
        let vote = "Kangaloo explained that in exercising her casting vote, the consideration was \
                    to keep the motion in its original form.";
        let shapps = "It comes after Mr Shapps announced last Thursday that passengers returning \
                      from Denmark would have to self-isolate.";
        let fumes = "The deadly fumes leaked out of the boiler flue pipe fitted 12 days earlier by \
                     Andrew Hartley.";
        let refused = [
            ("How many points did he score?", scored, "six"),
            ("On which day did Mr Shapps announce?", shapps, "Thursday"),
            ("In which year did it do?", coal, "2009"),
            (
                "In which month is the German capital launching a new five-year project named?",
                project,
                "January",
            ),
            (
                "In which country has this isn’t the first time Arnault contributed to the art scene?",
                art,
                "France",
            ),
            (
                "Who explained that in exercising her casting vote?",
                vote,
                "Kangaloo",
            ),
            (
                "On which day did Mr Shapps announce that passengers returning?",
                shapps,
                "Thursday",
            ),
            (
                "How many days did the deadly fumes leak out of the boiler flue pipe fitted?",
                fumes,
                "12",
            ),
        ];
        let passed: Vec<&str> = refused
            .iter()
            .filter(|(q, s, k)| en(q, s, k).is_ok())
            .map(|(q, _, _)| *q)
            .collect();
        assert!(passed.is_empty(), "{passed:#?}");
        // Beside them, questions of the same kinds that stay.
        let named = "Embiid scored six points and grabbed four rebounds in the first half.";
        let leaked = "The deadly fumes leaked out of the boiler for 12 days before anyone noticed.";
        for (q, s, k) in [
            ("How many points did Embiid score?", named, "six"),
            (
                "On which day did Mr Shapps announce that passengers returning from Denmark would have to self-isolate?",
                shapps,
                "Thursday",
            ),
            (
                "How many days did the deadly fumes leak out of the boiler?",
                leaked,
                "12",
            ),
        ] {
            assert_eq!(en(q, s, k), Ok(()), "{q}");
        }
    }

    #[test]
    fn questions_phrased_on_unseen_news_at_b1_that_ask_nothing_clear_are_refused() {
        // Each was delivered once, in a lesson on real English news; beside each, a
        // question of the same sentence that stays.
        let interview = "\"I wasn't prepared for that,\" Harry said during the interview.";
        assert!(en("Who said during the interview?", interview, "Harry").is_err());
        let warned = "Harry said on Sunday that the palace was not prepared.";
        assert!(
            en(
                "Who said on Sunday that the palace was not prepared?",
                warned,
                "Harry"
            )
            .is_ok()
        );
        let colleague = "The biggest thing that stands out is the lack of them, as my colleague \
                         Geoffrey Skelley wrote recently.";
        assert!(en("Who wrote recently?", colleague, "Geoffrey Skelley").is_err());
        let stage = "His rapid rise in the polls has brought Bloomberg a spot on the debate stage.";
        assert!(
            en(
                "Who has his rapid rise in the polls brought a spot on the debate stage?",
                stage,
                "Bloomberg"
            )
            .is_err()
        );
        let pointed = "On Tuesday, Trump pointed to the former mayor's lavish contributions.";
        assert!(
            en(
                "Who pointed to the former mayor's lavish contributions?",
                pointed,
                "Trump"
            )
            .is_ok()
        );
        let taco = "I was less enthusiastic about a taco al pastor for $4.";
        assert!(
            en(
                "How much was i less enthusiastic about a taco al pastor for?",
                taco,
                "$4"
            )
            .is_err()
        );
        assert!(
            en(
                "How much was I less enthusiastic about a taco al pastor for?",
                taco,
                "$4"
            )
            .is_err()
        );
        // The writer's "I" inside a contraction (model-phrased on real English news).
        let headlines =
            "At the beginning of each week, I'm presented with three newspaper headlines.";
        assert!(
            en(
                "How many newspaper headlines did I'm present with?",
                headlines,
                "three"
            )
            .is_err()
        );
        // A person after a preposition: the question keeps the preposition ("Who did she
        // remain near?"); without it, it asks nothing (model-phrased on real English news).
        let fundraiser = "Debbie Meadows remained near Bennett for much of the event.";
        assert_eq!(
            en(
                "Who did Debbie Meadows remain for much of the event?",
                fundraiser,
                "Bennett"
            ),
            Err(QuestionFault::Ungrammatical)
        );
        assert_eq!(
            en("Who did Debbie Meadows remain near?", fundraiser, "Bennett"),
            Ok(())
        );
        let bloc = "It looks like a big bloc of Democratic voters in Iowa and nationally don't see \
                    anything wrong with Biden.";
        assert!(
            en(
                "In which state does it look like a big bloc of Democratic voters?",
                bloc,
                "Iowa"
            )
            .is_err()
        );
        let polls = "Warren is fourth in polls of the first two states, and Klobuchar is fifth.";
        assert!(
            en(
                "How many states is Warren fourth in polls of the first?",
                polls,
                "two"
            )
            .is_err()
        );
        let caucus = "A big bloc of Democratic voters gathered in Iowa.";
        assert!(
            en(
                "In which state did a big bloc of Democratic voters gather?",
                caucus,
                "Iowa"
            )
            .is_ok()
        );
    }

    #[test]
    fn who_asks_for_a_subject_with_its_role_phrase_before_a_verb() {
        let owner = "The venue's American owner Bianca Sharma spotted the ruins from a boat.";
        assert_eq!(
            en("Who spotted the ruins from a boat?", owner, "Bianca Sharma"),
            Ok(())
        );
        assert_eq!(who_start(owner, owner.find("Bianca").unwrap()), 0);
        let coach = "Suh left early, but coach Jim Caldwell vouched for him after the game.";
        assert_eq!(
            en("Who vouched for him after the game?", coach, "Jim Caldwell"),
            Ok(())
        );
        // A clause a relative pronoun opens lacks what the pronoun stands for.
        let display = "This display, which director Damien Chazelle stages with verve, ends it.";
        assert!(en("Who stages with verve?", display, "Damien Chazelle").is_err());
        assert_eq!(
            frame(display, (29, 44), FirstWord::AsWritten),
            None,
            "{:?}",
            &display[29..44]
        );
        // A quotation mark is no clause's start: the boyfriend is suing, not the star.
        let star = "The boyfriend of “Mob Wives” star Natalie Guercio is suing the club.";
        assert!(en("Who is suing the club?", star, "Natalie Guercio").is_err());
        assert_eq!(
            who_start(star, star.find("Natalie").unwrap()),
            star.find("Natalie").unwrap()
        );
        // Words that are no role: "Critics of | Smith", "Police arrested | Smith".
        let critics = "Critics of Tom Smith say the plan failed.";
        assert!(en("Who say the plan failed?", critics, "Tom Smith").is_err());
        // Nor a question that stops before the quotation its clause goes on in, on a
        // function word, or before a word that is no verb.
        let quote = "Later Doherty said Christie “didn’t fight hard enough” for the court.";
        assert!(en("Who said Christie?", quote, "Doherty").is_err());
        let relied = "The model Taylor relied on, the CanRCM4, generated a few trends.";
        assert!(en("Who relied on?", relied, "Taylor").is_err());
        let family = "The Smith family sold the house in May.";
        assert!(en("Who family sold the house in May?", family, "Smith").is_err());
        // A negated auxiliary follows a subject "Who" as the auxiliary does (real English
        // news: Holtz "didn't mind boasting"); "don't" does not agree with "Who".
        let boast = "After the game, Holtz didn't mind boasting about the Buckeyes.";
        assert_eq!(
            en(
                "Who didn't mind boasting about the Buckeyes?",
                boast,
                "Holtz"
            ),
            Ok(())
        );
        assert!(Opening::Who.may_be_subject("wasn’t"));
        assert!(Opening::Who.may_be_subject("won't"));
        assert!(!Opening::Who.may_be_subject("don't"));
    }

    #[test]
    fn how_much_asks_for_a_whole_amount_of_money() {
        let paid = "The club paid $35 million for the old stadium in 2019.";
        assert_eq!(
            en(
                "How much did the club pay for the old stadium?",
                paid,
                "$35 million"
            ),
            Ok(())
        );
        // The amount is its sign, its number and its scale word, and nothing less.
        assert!(
            en(
                "How much did the club pay for the old stadium?",
                paid,
                "$35"
            )
            .is_err()
        );
        assert!(
            en(
                "How much did the club pay for the old stadium?",
                paid,
                "35 million"
            )
            .is_err()
        );
        let raised = "With help from raffle prizes, $100,000 was raised for War Child.";
        assert_eq!(
            en("How much was raised for War Child?", raised, "$100,000"),
            Ok(())
        );
        // Before a word that is no verb, the amount was part of a phrase.
        let sandwiches = "Air travel brings bag charges, $8 stale sandwiches and delays.";
        assert_eq!(
            en("How much stale sandwiches?", sandwiches, "$8"),
            Err(QuestionFault::Ungrammatical)
        );
        // The complement of "be", but no count: "How many players was the club?".
        let bill = "The total bill for the project was $9 million.";
        assert_eq!(
            en(
                "How much was the total bill for the project?",
                bill,
                "$9 million"
            ),
            Ok(())
        );
        let strong = "The club was 40 players strong last season.";
        assert!(en("How many players was the club?", strong, "40").is_err());
        // A bound is no answer to "how much".
        let bound = "The mayor gave more than $5 million to the schools.";
        assert!(
            en(
                "How much did the mayor give to the schools?",
                bound,
                "$5 million"
            )
            .is_err()
        );
        assert_eq!(
            candidate_spans(
                "How much did the club pay?",
                "The club paid $35 million, and £2 and 40 players came."
            ),
            vec!["$35 million", "£2"]
        );
        let costs = "It cost US$5 and $ 7, then €1.5 billion.";
        let found: Vec<&str> = amounts(costs).iter().map(|&(a, b)| &costs[a..b]).collect();
        assert_eq!(found, vec!["€1.5 billion"]);
    }

    #[test]
    fn a_place_after_in_answers_in_which_city() {
        let tour = "The band played in Chicago last week and later in Ohio.";
        assert_eq!(
            en(
                "In which city did the band play last week?",
                tour,
                "Chicago"
            ),
            Ok(())
        );
        // The place is a state, or the kind is not the key's.
        assert!(en("In which city did the band play later?", tour, "Ohio").is_err());
        assert!(
            en(
                "In which state did the band play last week?",
                tour,
                "Chicago"
            )
            .is_err()
        );
        // Part of a longer name: "Chicago Heights" is no city of the list.
        let heights = "The band played in Chicago Heights last week.";
        assert!(
            en(
                "In which city did the band play Heights last week?",
                heights,
                "Chicago"
            )
            .is_err()
        );
        assert_eq!(
            candidate_spans(
                "In which city did the band play?",
                "From Boston the band went to Chicago Heights and Denver."
            ),
            vec!["Boston", "Denver"]
        );
    }

    #[test]
    fn a_name_of_a_list_or_a_key_past_a_second_verb_phrase_makes_no_question() {
        let network =
            "The defendants operated the network in Cambridge and Watertown in Massachusetts.";
        assert_eq!(
            en(
                "In which city did the defendants operate the network?",
                network,
                "Cambridge"
            ),
            Err(QuestionFault::Misdirected)
        );
        let rally = "Some young organizers are pulling for Elizabeth Warren, Bernie Sanders and Pete Buttigieg.";
        assert!(
            en(
                "Who are some young organizers pulling for?",
                rally,
                "Elizabeth Warren"
            )
            .is_err()
        );
        assert!(
            en(
                "Who are some young organizers pulling for?",
                rally,
                "Bernie Sanders"
            )
            .is_err()
        );
        assert!(
            en(
                "Who are some young organizers pulling for?",
                rally,
                "Pete Buttigieg"
            )
            .is_err()
        );
        // An apposition is no list.
        let miami = "The band played in Miami, Florida, on Friday.";
        assert_eq!(
            en("In which city did the band play?", miami, "Miami"),
            Ok(())
        );
        let lee = "James Lee was arrested in the Central District of California and is expected to be arraigned in Boston at a later date.";
        assert!(
            en(
                "In which city was James Lee arrested in the Central District of California and is expected to be arraigned at a later date?",
                lee,
                "Boston"
            )
            .is_err()
        );
        let at = lee.find("in Boston").unwrap();
        assert_eq!(frame(lee, (at, at + 9), FirstWord::AsWritten), None);
        assert!(name_in_list(
            network,
            network.find("Watertown").unwrap(),
            network.find(" in Mass").unwrap()
        ));
        assert!(!name_in_list(
            miami,
            miami.find("Miami").unwrap(),
            miami.find(", Florida").unwrap()
        ));
    }

    #[test]
    fn a_closing_quotation_mark_opens_no_clause_and_the_auxiliary_agrees() {
        let ring = "A sex ring catering to officers who paid up to $600 an hour for “high-end” prostitutes was busted in Boston, the feds announced.";
        assert!(en("In which city was prostitutes busted?", ring, "Boston").is_err());
        let club = "The players were paid in Boston last year.";
        assert_eq!(
            en(
                "In which city were the players paid last year?",
                club,
                "Boston"
            ),
            Ok(())
        );
        assert!(disagrees("was", &["prostitutes"]));
        assert!(disagrees("were", &["the", "club"]));
        assert!(!disagrees("was", &["the", "news"]));
        assert!(!disagrees("were", &["the", "players"]));
    }

    #[test]
    fn a_count_written_as_a_word_answers_how_many() {
        let arrests = "The police arrested three men and one woman near the station.";
        assert_eq!(
            en("How many men did the police arrest?", arrests, "three"),
            Ok(())
        );
        // "one" is no count that "how many" asks for.
        assert!(en("How many woman did the police arrest?", arrests, "one").is_err());
        assert_eq!(
            candidate_spans("How many men did the police arrest?", arrests),
            vec!["three"]
        );
        assert_eq!(count("seven"), Some(7));
        assert_eq!(count("Seven"), None);
        assert_eq!(count("1,300"), Some(1300));
    }

    #[test]
    fn do_support_takes_the_base_form_of_the_sentence_verb() {
        assert_eq!(
            en("How many players did the club have?", CLUB, "40"),
            Ok(())
        );
        assert_eq!(
            en("How many players did the club had?", CLUB, "40"),
            Err(QuestionFault::Ungrammatical)
        );
        assert_eq!(en("How many games did it win?", CLUB, "12"), Ok(()));
        assert_eq!(
            en(
                "How many players did the club have last season?",
                CLUB,
                "40"
            ),
            Ok(())
        );
        assert_eq!(
            en(
                "How many players did the club have last season and?",
                CLUB,
                "40"
            ),
            Err(QuestionFault::Ungrammatical)
        );
        let s = "The team estimates that its upper atmosphere reaches temperatures of 40 degrees.";
        assert!(
            en(
                "How many degrees does its upper atmosphere reach temperatures of?",
                s,
                "40"
            )
            .is_err()
        );
        let s = "The upper atmosphere reaches 40 degrees in summer.";
        assert_eq!(
            en("How many degrees does the upper atmosphere reach?", s, "40"),
            Ok(())
        );
        assert_eq!(
            en(
                "How many degrees does the upper atmosphere reaches?",
                s,
                "40"
            ),
            Err(QuestionFault::Ungrammatical)
        );
        let s = "Astronomers first detected the planet in 2019 with a small telescope.";
        assert_eq!(
            en(
                "In which year did astronomers first detect the planet?",
                s,
                "2019"
            ),
            Ok(())
        );
        assert_eq!(
            en(
                "In which year did Astronomers first detect the planet?",
                s,
                "2019"
            ),
            Err(QuestionFault::Ungrammatical),
            "a word the article writes in lower case is not capitalised inside a question"
        );
        assert_eq!(
            en(
                "In which year did the planet first detected the telescope?",
                s,
                "2019"
            ),
            Err(QuestionFault::Ungrammatical)
        );
    }

    #[test]
    fn a_month_or_a_weekday_after_its_preposition_is_asked_for_as_a_time() {
        let s = "The council closed the old library in March after a long debate.";
        assert_eq!(
            en(
                "In which month did the council close the old library?",
                s,
                "March"
            ),
            Ok(())
        );
        assert_eq!(
            en("In which month was the council closed?", s, "March"),
            Err(QuestionFault::Ungrammatical)
        );
        assert_eq!(
            en(
                "On which day did the council close the old library?",
                s,
                "March"
            ),
            Err(QuestionFault::Ungrammatical),
            "a month is no day"
        );
        let s = "The council closed the old library in March 2015 after a long debate.";
        assert!(
            en(
                "In which month did the council close the old library?",
                s,
                "March"
            )
            .is_err(),
            "the date goes on: the gap is not the month alone"
        );
        let s = "The drivers began a strike on Friday in a dispute over pay.";
        assert_eq!(
            en("On which day did the drivers begin a strike?", s, "Friday"),
            Ok(())
        );
        assert_eq!(
            candidate_spans("On which day did the drivers begin a strike?", s),
            vec!["Friday"]
        );
        let s = "December 28, 2014: Markets opened lower on Monday as traders waited.";
        assert!(en("On which day did Markets open lower?", s, "Monday").is_err());
        assert!(en("On which day did markets open lower?", s, "Monday").is_err());
        let s = "The daily rise in deaths announced in the state on Friday was 777.";
        assert!(
            en(
                "On which day did the daily rise in deaths announce in the state?",
                s,
                "Friday"
            )
            .is_err(),
            "'announced' is a participle: the clause's verb is 'was'"
        );
        // A real English page: the clause's verb is an -s form with its object.
        let s = "But a new report released on Monday by Stanford University's Center on \
                 Poverty and Inequality calls that into question.";
        assert!(
            en(
                "On which day did a new report release by Stanford University's Center on \
                 Poverty and Inequality calls that into question?",
                s,
                "Monday"
            )
            .is_err(),
            "'released' is a participle: the clause's verb is 'calls'"
        );
        let s = "The council released a report on Monday that calls for new homes.";
        assert_eq!(
            en(
                "On which day did the council release a report?",
                s,
                "Monday"
            ),
            Ok(())
        );
        let s = "The letter argues that voters care, a point emphasised by a Mail on Sunday poll today.";
        assert!(
            en(
                "On which day did a point emphasise by a Mail poll today?",
                s,
                "Sunday"
            )
            .is_err()
        );
        let s = "The poll was published by the Mail on Sunday after the debate.";
        assert!(
            en(
                "On which day was the poll published by the Mail?",
                s,
                "Sunday"
            )
            .is_err()
        );
        // A time is never the subject: no question goes on with the words after it.
        let s = "In 2019 Smith won the cup for the first time.";
        assert!(en("In which year Smith won the cup?", s, "2019").is_err());
        let s = "On Friday Smith won the cup for the first time.";
        assert!(en("On which day Smith won the cup?", s, "Friday").is_err());
    }

    #[test]
    fn subject_and_inversion_questions_keep_the_sentence_words() {
        let s = "About 5,000 people attended the festival on Saturday.";
        assert_eq!(
            en("How many people attended the festival?", s, "5,000"),
            Ok(())
        );
        assert_eq!(
            en("How many people attended the?", s, "5,000"),
            Err(QuestionFault::Ungrammatical)
        );
        let s = "The bridge was opened in 1932 by the mayor.";
        assert_eq!(
            en("In which year was the bridge opened?", s, "1932"),
            Ok(())
        );
        let s = "On Monday, Helen Marsh opened the new library in Leeds.";
        assert_eq!(en("Who opened the new library?", s, "Helen Marsh"), Ok(()));
        assert_eq!(
            en("Who opened the new the library?", s, "Helen Marsh"),
            Err(QuestionFault::Ungrammatical)
        );
        assert_eq!(
            en(
                "How many players did the club have?",
                "The club had more than 40 players.",
                "40"
            ),
            Err(QuestionFault::Ungrammatical),
            "more than 40 is no answer to how many"
        );
    }

    #[test]
    fn a_question_whose_gap_is_not_the_key_is_refused() {
        // She trains three evenings; the bakery does not "work" three evenings.
        let s = "She trains three evenings a week and works at the bakery on Mill Street.";
        assert!(
            en(
                "How many evenings does the bakery works on Mill Street?",
                s,
                "three"
            )
            .is_err()
        );
        let s = "The club had 40 players, and the town had 12 teams.";
        assert_eq!(
            en("How many players did the town have?", s, "40"),
            Err(QuestionFault::Misdirected)
        );
        assert!(en("How many players did the club have?", s, "12").is_err());
        assert_eq!(
            en("Who did the club have?", CLUB, "Helen"),
            Err(QuestionFault::Misdirected)
        );
    }

    #[test]
    fn an_auxiliary_is_no_subject() {
        let s = "The planet, catalogued as KTO-2291 b, was first flagged in 2025 by a telescope.";
        assert!(en("In which year did was first flag?", s, "2025").is_err());
        assert!(!may_be_subject(&["has"]));
        assert!(!may_be_subject(&["a", "man", "who"]));
        assert!(may_be_subject(&["the", "club"]));
    }

    #[test]
    fn a_key_inside_a_clause_of_its_own_or_a_bare_verb_is_refused() {
        let s = "The elder Mateen is a salesman who started a group in 2010 called Durand Jirga.";
        assert!(
            en(
                "In which year is the elder Mateen a salesman who started a group called Durand Jirga?",
                s,
                "2010"
            )
            .is_err()
        );
        let s = "The industry is driving growth in 12 states, Herrmann said.";
        assert!(en("Who said?", s, "Herrmann").is_err());
    }

    #[test]
    fn subjects_are_noun_phrases_and_keys_fill_a_slot() {
        let s = "With constant turnover in government departments in the past 15 years, there appears to be no record.";
        assert!(
            en(
                "How many years does with constant turnover in government department in the past?",
                s,
                "15"
            )
            .is_err()
        );
        let s = "That still leaves him with less than half the number he employed in 2009.";
        assert!(
            en(
                "In which year does still leave him with less than half the number he employed?",
                s,
                "2009"
            )
            .is_err()
        );
        let s = "The industry is driving the expansion in 12 of the 13 states leading growth.";
        assert!(
            en("How many states is the industry driving the expansion in 12 of the leading growth?", s, "13")
                .is_err()
        );
        let s = "He was living in the capital when he left 31 years ago for the U.S.";
        assert!(en("How many years did he leave?", s, "31").is_err());
        // Grammatical, but "he" names nobody: a question asks for its person.
        assert!(en("How many years ago did he leave?", s, "31").is_err());
        assert!(may_be_subject(&["the", "energy", "industry"]));
        assert!(may_be_subject(&["Leonard", "Pike"]));
        assert!(!may_be_subject(&["still"]));
        assert!(!may_be_subject(&["the"]));
    }

    #[test]
    fn a_question_does_not_stop_inside_a_name_a_comma_cuts() {
        let s = "Kevin Yearout has added about 80 jobs to his Albuquerque, New Mexico, company.";
        assert!(
            en(
                "How many jobs has Kevin Yearout added to his Albuquerque?",
                s,
                "80"
            )
            .is_err()
        );
        assert_eq!(
            en("How many jobs has Kevin Yearout added?", s, "80"),
            Ok(())
        );
        assert_eq!(
            frame(s, (30, 37), FirstWord::AsWritten).map(|f| f.after),
            Some(vec![])
        );
    }

    #[test]
    fn cases_from_unseen_news_are_refused() {
        let s = "Aisha's Salon and Spa was founded 30 years ago to create a safe space.";
        assert!(en("How many years ago was Spa founded?", s, "30").is_err());
        let s = "Han Lee and Junmyung Lee were arraigned in Boston.";
        assert!(en("Who were arraigned in Boston?", s, "Junmyung Lee").is_err());
        let s = "We invited the duo for a chat to discover how a beta test in 2019 escalated into a full migration.";
        assert!(
            en(
                "In which year did we invite the duo for a chat to discover how a beta test escalated into a full migration?",
                s,
                "2019"
            )
            .is_err()
        );
        let s = "The council gave an update as the country moves to level 3 restrictions.";
        assert!(
            en(
                "How many restrictions does the country move to level?",
                s,
                "3"
            )
            .is_err()
        );
        let s = "The IPCC is an intergovernmental body of the United Nations established in 1988.";
        assert!(
            en(
                "In which year does an intergovernmental body of the United nation established?",
                s,
                "1988"
            )
            .is_err()
        );
        // Still accepted: a comma before "and" opens a clause.
        assert_eq!(en("How many games did it win?", CLUB, "12"), Ok(()));
    }

    #[test]
    fn loops_and_other_languages_are_refused() {
        assert_eq!(
            en("How many players did the club have in a in a?", CLUB, "40"),
            Err(QuestionFault::Ungrammatical)
        );
        let words = Words {
            lang: "es",
            known: &|_| true,
            first: FirstWord::Lower,
            name: &|_| false,
        };
        assert_eq!(
            check_with(
                &words,
                "¿Cuántos jugadores tenía el club?",
                "El club tenía 40 jugadores.",
                "40"
            ),
            Err(QuestionFault::Ungrammatical)
        );
    }

    #[test]
    fn base_forms_undo_regular_and_irregular_inflection() {
        assert_eq!(base_forms("had"), vec!["have"]);
        assert_eq!(base_forms("has"), vec!["have"]);
        assert!(base_forms("detected").contains(&"detect".to_string()));
        assert!(base_forms("used").contains(&"use".to_string()));
        assert!(base_forms("stopped").contains(&"stop".to_string()));
        assert!(base_forms("carried").contains(&"carry".to_string()));
        assert!(base_forms("reaches").contains(&"reach".to_string()));
        assert!(base_forms("works").contains(&"work".to_string()));
        assert!(base_forms("table").is_empty());
    }

    #[test]
    fn a_frame_is_the_gap_clause_before_the_key_and_the_words_after_it() {
        let s = "The club had 40 players last season, and it won 12 games.";
        assert_eq!(
            frame(s, (13, 23), FirstWord::Lower),
            Some(Frame {
                before: vec!["the".into(), "club".into(), "had".into()],
                after: vec!["last".into(), "season".into()],
                fronted: false,
            })
        );
        assert_eq!(
            frame(s, (48, 56), FirstWord::Lower).map(|f| f.before),
            Some(vec!["it".to_string(), "won".into()])
        );
        let s = "About 6,000 people came this year, which is a new record.";
        assert_eq!(
            frame(s, (6, 18), FirstWord::Unknown),
            Some(Frame {
                before: vec![],
                after: vec!["came".into(), "this".into(), "year".into()],
                fronted: false,
            })
        );
    }

    #[test]
    fn the_round_trip_chooses_among_spans_of_the_key_kind() {
        // Counts of what the question counts: the 12 games are no count of players.
        assert_eq!(
            candidate_spans("How many players did the club have?", CLUB),
            vec!["40"]
        );
        assert_eq!(
            candidate_spans(
                "How many players did the club have?",
                "The club had 40 players last season and 25 players this season."
            ),
            vec!["40", "25"]
        );
        assert_eq!(
            candidate_spans(
                "Who opened the new library?",
                "Last week Helen Marsh opened the library with Tom Reed."
            ),
            vec!["Helen Marsh", "Tom Reed"]
        );
    }

    #[test]
    fn a_capital_after_a_colon_is_a_name_where_the_article_writes_it_so_inside_a_sentence() {
        let evidence = "Marissa: Axios launched in 2017 with a mission to inform people.";
        let check_in = |before: &str| {
            let text = format!("{before} {evidence} It grew fast.");
            let article = ArticleText::new("en", &text);
            check(
                &article,
                "In which year did Axios launch?",
                evidence,
                "2017",
            )
        };
        assert_eq!(check_in("Many readers joined Axios in 2019."), Ok(()));
        // Nowhere else inside a sentence: a capital after a colon may be the clause's.
        assert_eq!(
            check_in("Axios is a news site."),
            Err(QuestionFault::Ungrammatical)
        );
    }
}
