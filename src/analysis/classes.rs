//! Which word classes a word form may have, where a language's home has a list of them
//! (`word-classes.txt`, by `scripts/make-word-classes`: English from WordNet 3.0, French from
//! the Dicollecte dictionary, Italian from morph-it!, Spanish from spaCy's lemmatizer
//! tables): noun (singular, plural), verb (base, -s form, past or participle, -ing form;
//! elsewhere infinitive, finite form, past participle, present participle or gerund),
//! adjective (plain, comparative, superlative) or adverb. A word bank keeps options of its
//! key's class with them: "This _____ is hurtful" holds a noun, so "common" gives itself away
//! among "question", "person" and "opinion", and "One thing I _____" a verb, so "unbiased"
//! does among "learned" and "turned"; "résiste à la _____" a noun, so "intéresse" and
//! "organise" do among "sécheresse". An ending alone cannot tell these apart. In English it
//! also tells which forms mean nearly the same ([`related`], from `related.txt`): such a word
//! fits a gap made for the other, so it is no wrong option there.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A set of word classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classes(u16);

/// The classes, one letter each, as the list writes them: noun, plural, verb, -s form,
/// past or participle, -ing form, adjective, comparative, superlative, adverb, and a
/// subjunctive (French, Spanish).
const LETTERS: &str = "NPVZDGACSRJ";

impl Classes {
    /// Every class: no restriction.
    pub const ALL: Classes = Classes((1 << LETTERS.len()) - 1);

    /// The classes of the list's letters; a letter it does not know is a bug of the list.
    fn of(letters: &str) -> Option<Classes> {
        letters.chars().try_fold(Classes(0), |acc, c| {
            LETTERS.find(c).map(|bit| Classes(acc.0 | 1 << bit))
        })
    }

    /// The classes in both sets.
    pub fn and(self, other: Classes) -> Classes {
        Classes(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Each language's list, by lower-case word form.
static LISTS: LazyLock<HashMap<&'static str, HashMap<&'static str, Classes>>> =
    LazyLock::new(|| crate::lang::optional_lists(FILE, parse));

const FILE: &str = "word-classes.txt";

/// A list: `#` comments, then lines of classes, a tab and the words with those classes.
fn parse(text: &'static str, code: &str) -> HashMap<&'static str, Classes> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (letters, words) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("lang/{code}/{FILE}:{}: no tab", n + 1));
        let classes = Classes::of(letters)
            .unwrap_or_else(|| panic!("lang/{code}/{FILE}:{}: classes {letters:?}", n + 1));
        for w in words.split(' ') {
            out.insert(w, classes);
        }
    }
    out
}

/// Each language's related meanings, by lower-case word form: WordNet synsets near the
/// form's commonest senses (`related.txt`, by `scripts/make-related`; English only).
static RELATED: LazyLock<HashMap<&'static str, HashMap<&'static str, Vec<&'static str>>>> =
    LazyLock::new(|| {
        crate::lang::optional_lists("related.txt", |text, _| {
            crate::lang::data_lines(text)
                .filter_map(|l| l.split_once('\t'))
                .map(|(form, ids)| (form, ids.split(' ').collect()))
                .collect()
        })
    });

/// Whether two word forms mean nearly the same, by the language's list of related meanings:
/// synonyms ("vaccination", "immunization"), one a kind of the other within two steps, or
/// kinds of one narrow thing ("batter", "butter": foodstuff). Either may fit a gap made for
/// the other, so one is no wrong option beside the other. False where the language has no
/// such list or the list does not hold a word.
pub fn related(lang: &str, a: &str, b: &str) -> bool {
    let Some(list) = RELATED.get(lang) else {
        return false;
    };
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    match (list.get(a.as_str()), list.get(b.as_str())) {
        (Some(x), Some(y)) => x.iter().any(|id| y.contains(id)),
        _ => false,
    }
}

/// Whether the language's home has a list of word classes.
pub fn has_list(lang: &str) -> bool {
    LISTS.contains_key(lang)
}

/// The classes a word form may have; none where the language has no list or the list
/// does not hold the word.
pub fn classes(lang: &str, word: &str) -> Option<Classes> {
    LISTS.get(lang)?.get(word.to_lowercase().as_str()).copied()
}

/// Whether a word form may have one of the classes of `letters` ("ZD": an -s form or a
/// past); none where the language has no list or the list does not hold the word.
pub fn may_be(lang: &str, word: &str, letters: &str) -> Option<bool> {
    let wanted = Classes::of(letters).expect("known class letters");
    classes(lang, word).map(|c| !c.and(wanted).is_empty())
}

/// Whether every class a word form may have is among `letters` ("R": an adverb only); none
/// where the language has no list or the list does not hold the word.
pub fn only(lang: &str, word: &str, letters: &str) -> Option<bool> {
    let allowed = Classes::of(letters).expect("known class letters");
    classes(lang, word).map(|c| c.and(allowed) == c)
}

/// Words after which a noun phrase goes on: no base verb, -s form or adverb follows.
const DETERMINERS: &[&str] = &[
    "a", "an", "another", "any", "each", "every", "few", "his", "its", "many", "my", "no", "our",
    "several", "some", "the", "their", "these", "this", "those", "your",
    // Numbers written as words.
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million", "billion", "dozen",
];
/// Subjects after which a verb follows (or an adverb before it).
const SUBJECTS: &[&str] = &["he", "i", "she", "they", "we"];
/// Words after which a base verb follows (or an adverb before it).
const BASE_VERB_AFTER: &[&str] = &[
    "can", "could", "did", "didn't", "do", "does", "doesn't", "don't", "may", "might", "must",
    "shall", "should", "will", "won't", "would",
];

/// The classes a gap right after `previous` (lower case) may hold, in English: a noun
/// phrase's word after a determiner or a number, a verb after a subject pronoun, a base
/// verb after a modal or "do"; any class elsewhere, and in languages without these rules.
pub fn slot(lang: &str, previous: Option<&str>) -> Classes {
    let Some(previous) = previous.filter(|_| lang == "en") else {
        return Classes::ALL;
    };
    let letters = if DETERMINERS.contains(&previous) || crate::text::count_value(previous).is_some()
    {
        "NPDGACS"
    } else if SUBJECTS.contains(&previous) {
        "VZDR"
    } else if BASE_VERB_AFTER.contains(&previous) {
        "VR"
    } else {
        return Classes::ALL;
    };
    Classes::of(letters).expect("known letters")
}

/// The word right before a byte offset of a sentence (only spaces between), in lower case:
/// the word before a gap.
pub fn word_before(sentence: &str, offset: usize) -> Option<String> {
    let before = &sentence[..offset];
    let (at, word) = crate::text::word_spans(before).last().copied()?;
    before[at + word.len()..]
        .trim()
        .is_empty()
        .then(|| word.to_lowercase())
}

/// The word right after `end` in `sentence`, lower-cased, where only spaces stand between;
/// none where punctuation or the end of the sentence comes first.
pub fn word_after(sentence: &str, end: usize) -> Option<String> {
    let after = &sentence[end..];
    let (at, word) = crate::text::word_spans(after).first().copied()?;
    after[..at].trim().is_empty().then(|| word.to_lowercase())
}

/// The parts of speech, as groups of classes: nominal, verbal, adjectival, adverbial.
const PARTS: [&str; 4] = ["NP", "VZDGJ", "ACS", "R"];

/// Whether `option` may stand in a word bank for `key`, the word of the gap after
/// `previous`. The key's classes that the gap allows are wanted (all of the key's, where the
/// gap allows none of them); the option shares a wanted class in every part of speech the
/// wanted classes reach. So where the key may be a plural or an -s verb ("the book _____
/// beautiful embroidery": "features"), so must every option ("pictures" gives itself away
/// by its grammar, whichever the gap takes). Where the list does not know the key, or the
/// language has no list, any option may; where the list does not know the key (a word
/// past its ~60,000 most frequent forms, or not a word of one class), none: its bank cannot
/// be shown to be of one class.
pub fn same_class(lang: &str, previous: Option<&str>, key: &str, option: &str) -> bool {
    let Some(list) = LISTS.get(lang) else {
        return true;
    };
    let Some(&of_key) = list.get(key.to_lowercase().as_str()) else {
        return false;
    };
    let fits = of_key.and(slot(lang, previous));
    let wanted = if fits.is_empty() { of_key } else { fits };
    classes(lang, option).is_some_and(|c| {
        PARTS.iter().all(|part| {
            let part = Classes::of(part).expect("known letters");
            wanted.and(part).is_empty() || !c.and(wanted).and(part).is_empty()
        }) && (!EVERY_READING.contains(&lang) || no_other_reading(c, wanted))
    })
}

/// The languages whose list keeps every reading its dictionary gives a form, however rare:
/// no tagged corpus counts them, as SemCor does English's. There an option that is also of
/// another part of speech may be read as that one: "portes" is an adjective too ("la veine
/// porte"), and among "tiges très _____" it read as doors (the demo's French lesson);
/// "stations" and "belote" are verb forms too, and read as nouns where a verb was wanted.
const EVERY_READING: &[&str] = &["fr", "it", "es"];

/// Whether an option's classes reach no part of speech that the wanted classes do not; a
/// participle that is also an adjective counts as an adjective ("ouvertes"). Nouns and
/// adjectives are parts of their own: "La France est en _____" took "financière" (a
/// noun too, rarely) beside "colère" on real French news.
fn no_other_reading(option: Classes, wanted: Classes) -> bool {
    let letters = |l: &str| Classes::of(l).expect("known letters");
    let option = if option.and(letters("A")).is_empty() {
        option
    } else {
        Classes(option.0 & !letters("DG").0)
    };
    let mut allowed = Classes(0);
    for part in PARTS {
        let part = letters(part);
        if !wanted.and(part).is_empty() {
            allowed = Classes(allowed.0 | part.0);
        }
    }
    option.and(allowed) == option
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_fr(w: &str, letters: &str) -> bool {
        let wanted = Classes::of(letters).unwrap();
        classes("fr", w).is_some_and(|c| c.and(wanted) == wanted)
    }

    #[test]
    fn the_english_list_parses_and_knows_common_forms() {
        let has = |w: &str, letters: &str| {
            let c = classes("en", w).unwrap_or_else(|| panic!("{w} is in the list"));
            c.and(Classes::of(letters).unwrap()) == Classes::of(letters).unwrap()
        };
        assert!(has("question", "NV"));
        assert!(has("questions", "PZ"));
        assert!(has("learned", "D"));
        assert!(has("stopped", "D"));
        assert!(has("working", "G"));
        assert!(has("nearest", "S"));
        assert!(has("happier", "C"));
        assert!(has("quickly", "R"));
        // A rare use is left out: "common" is a noun (a park) in 1 of 72 tagged uses.
        assert_eq!(classes("en", "common"), Classes::of("A"));
        assert_eq!(classes("en", "Common"), Classes::of("A"));
        assert_eq!(classes("de", "Frage"), None);
        // Italian and Spanish.
        assert_eq!(classes("it", "lentamente"), Classes::of("R"));
        assert!(classes("it", "abbandonando") == Classes::of("G"));
        assert!(
            classes("es", "preguntas")
                .is_some_and(|c| !c.and(Classes::of("P").unwrap()).is_empty())
        );
        assert_eq!(classes("es", "rápidamente"), Classes::of("R"));
        // French, from the Dicollecte dictionary.
        assert_eq!(classes("fr", "sécheresse"), Classes::of("N"));
        assert!(has_fr("intéresse", "ZJ") && !has_fr("intéresse", "N"));
        assert_eq!(classes("fr", "presque"), Classes::of("R"));
        assert!(has_fr("portes", "PZ") && has_fr("ouvertes", "DA") && has_fr("été", "ND"));
    }

    #[test]
    fn the_word_before_a_gap_is_next_to_it() {
        let s = "Great scenes, like great movies, adhere to no formula.";
        assert_eq!(
            word_before(s, s.find("scenes").unwrap()).as_deref(),
            Some("great")
        );
        assert_eq!(word_before(s, s.find("like").unwrap()), None);
        assert_eq!(word_before(s, 0), None);
        let end = s.find("great").unwrap() + "great".len();
        assert_eq!(word_after(s, end).as_deref(), Some("movies"));
        assert_eq!(word_after(s, s.len()), None);
    }

    #[test]
    fn related_meanings_are_near_ones_only() {
        // Wrong options that fitted their gaps on real English news.
        assert!(related("en", "vaccination", "immunization"));
        assert!(related("en", "batter", "butter"));
        assert!(related("en", "Vaccination", "protection"));
        // Words of one broad field are no near meanings: "act" joins these two.
        assert!(!related("en", "challenges", "influences"));
        assert!(!related("en", "mobilized", "registered"));
        assert!(!related("en", "vaccination", "zqxwv"));
        assert!(!related("fr", "vaccination", "immunisation"));
    }

    #[test]
    fn a_bank_keeps_the_class_its_gap_and_key_share() {
        // "This _____ is hurtful": a noun.
        assert!(same_class("en", Some("this"), "question", "opinion"));
        assert!(!same_class("en", Some("this"), "question", "common"));
        // "One thing I _____": a verb, not the adjective "learned" also is.
        assert!(same_class("en", Some("i"), "learned", "turned"));
        assert!(!same_class("en", Some("i"), "learned", "unbiased"));
        // "three _____ wineries", "the _____ theater": an adjective.
        assert!(!same_class("en", Some("three"), "different", "percent"));
        assert!(same_class("en", Some("the"), "nearest", "finest"));
        assert!(!same_class("en", Some("the"), "nearest", "protagonist"));
        // A plural noun after a determiner, not an -s verb.
        assert!(same_class("en", Some("the"), "scenes", "stages"));
        assert!(!same_class("en", Some("the"), "scenes", "begins"));
        // Where the gap does not say, an option may be all the key may be: "the book _____
        // beautiful embroidery" with "features" takes no "pictures", nor "includes".
        assert!(same_class("en", Some("book"), "features", "surprises"));
        assert!(!same_class("en", Some("book"), "features", "pictures"));
        assert!(!same_class("en", Some("book"), "features", "includes"));
        // A word the list does not know is no option for a word it knows.
        assert!(!same_class("en", Some("the"), "scenes", "zqxwv"));
        // A key it does not know has no bank; a language without a list cannot tell (the
        // constructor gives its content words no bank).
        assert!(!same_class("en", Some("the"), "zqxwv", "scenes"));
        assert!(same_class("de", Some("die"), "Frage", "wieder"));
        assert!(!same_class("es", Some("la"), "pregunta", "rápidamente"));
        // "quiere que _____ juntos" takes a subjunctive: an indicative gives itself away
        // (real Spanish news: "trabajemos" among "convocamos" and "respetamos").
        assert!(same_class("es", Some("que"), "trabajemos", "hablemos"));
        assert!(!same_class("es", Some("que"), "trabajemos", "convocamos"));
        // French: "résiste à la _____" holds the noun "sécheresse", not the verbs
        // "intéresse" and "organise"; "très _____" the adjective "hautes", not "sortes".
        assert!(same_class("fr", Some("la"), "sécheresse", "chaleur"));
        assert!(!same_class("fr", Some("la"), "sécheresse", "intéresse"));
        assert!(!same_class("fr", Some("la"), "sécheresse", "organise"));
        assert!(same_class("fr", Some("très"), "hautes", "ouvertes"));
        assert!(!same_class("fr", Some("très"), "hautes", "sortes"));
        // A rare reading does not make an option of the key's class: "portes" (doors, and
        // an adjective in "la veine porte") among "tiges très _____", "stations" and
        // "belote" (verb forms too) among nouns.
        assert!(!same_class("fr", Some("très"), "hautes", "portes"));
        assert!(same_class("fr", Some("très"), "hautes", "longues"));
        assert!(!same_class("fr", Some("les"), "fleurs", "stations"));
        assert!(!same_class("fr", Some("la"), "sécheresse", "belote"));
        assert!(same_class("fr", Some("les"), "fleurs", "tiges"));
        assert!(!same_class("fr", Some("en"), "colère", "financière"));
    }
}
