//! Who said it: reported speech in an article sentence (a quote, or a clause after a speech
//! verb) and its named speaker, found by rule in every language with a home. The "who said"
//! exercise asks for the speaker, with the article's other speakers as options: people in
//! the same role, so no option is ruled out without reading.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::exercise::SpeechWords;
use crate::text;

/// Quote marks that open and close a quotation.
const QUOTES: &[(char, char)] = &[('“', '”'), ('«', '»'), ('„', '“'), ('"', '"')];

/// A quote's length in words: long enough to be a statement, short enough for a question.
const QUOTE_WORDS: std::ops::RangeInclusive<usize> = 4..=30;

/// Reported speech in one sentence.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Speech<'a> {
    /// The speaker as the sentence writes them ("Lena Ortiz", "Mayor Ortiz").
    pub speaker: &'a str,
    /// The question that asks who said it, in the article's language.
    pub question: String,
}

/// The verbs that report speech in a language, and how its "who said" question is written
/// (its home's `exercises.toml`, `[speech]`).
fn verbs(lang: &str) -> Option<&'static SpeechWords> {
    crate::exercise::phrasing_of(lang).map(|p| &p.speech)
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
}

/// The first quotation in `sentence` whose text is a statement of a sensible length: the
/// byte range of its inner text.
fn quotation(sentence: &str) -> Option<(usize, usize)> {
    for (open, close) in QUOTES {
        let Some(start) = sentence.find(*open) else {
            continue;
        };
        let inner = start + open.len_utf8();
        let Some(len) = sentence[inner..].find(*close) else {
            continue;
        };
        let quoted = &sentence[inner..inner + len];
        if QUOTE_WORDS.contains(&text::words(quoted).len()) {
            return Some((inner, inner + len));
        }
    }
    None
}

/// The language's given names (its home's `given-names.txt`), lower case; none where the
/// home has no list.
fn given_names(lang: &str) -> Option<&'static HashSet<&'static str>> {
    home_words(lang, GIVEN_NAMES)
}

/// Whether `word` after the given name `given` is a surname that is also a month: "Mark
/// May", "Theresa May" (whose "May" stood among the months, and Mark May among nobody, on
/// real English news).
pub(super) fn month_surname(lang: &str, given: &str, word: &str) -> bool {
    text::calendar_word(lang, word) == Some(text::CalendarWord::Month)
        && given_names(lang).is_some_and(|n| n.contains(given.to_lowercase().as_str()))
}

/// The language's nouns for kinds of people (its home's `person-nouns.txt`: "businessman",
/// "player"), lower case; none where the home has no list.
fn person_nouns(lang: &str) -> Option<&'static HashSet<&'static str>> {
    home_words(lang, PERSON_NOUNS)
}

const GIVEN_NAMES: &str = "given-names.txt";
const PERSON_NOUNS: &str = "person-nouns.txt";

/// The words of one of the language's lists of words (`file`, one of [`GIVEN_NAMES`] and
/// [`PERSON_NOUNS`]; `#` opens a comment line), read once.
fn home_words(lang: &str, file: &str) -> Option<&'static HashSet<&'static str>> {
    // By file, then by language.
    type Lists = HashMap<&'static str, HashMap<&'static str, HashSet<&'static str>>>;
    static LISTS: LazyLock<Lists> = LazyLock::new(|| {
        [GIVEN_NAMES, PERSON_NOUNS]
            .into_iter()
            .map(|file| {
                let by_lang = crate::lang::optional_lists(file, |text, _| {
                    crate::lang::data_lines(text)
                        .flat_map(str::split_whitespace)
                        .collect()
                });
                (file, by_lang)
            })
            .collect()
    });
    LISTS.get(file)?.get(lang)
}

/// Whether the words after a name and its comma describe a person: an article, then a
/// noun phrase of up to four words (up to its first function word) that ends on a noun for
/// a kind of person that no firm is called ("Qasim Tarin, a businessman from California",
/// "May, a former player at Pittsburgh"; not "Vivus, a drug developer", nor "Virginia,
/// according to a criminal complaint").
fn described_as_person(lang: &str, appositive: &str) -> bool {
    let Some(nouns) = person_nouns(lang) else {
        return false;
    };
    let phrase = appositive
        .split([',', ';', ':', '.', '(', ')', '—', '–'])
        .next()
        .unwrap_or_default();
    let words = text::normalized_words(phrase);
    let Some((first, rest)) = words.split_first() else {
        return false;
    };
    let head: Vec<&String> = rest
        .iter()
        .take_while(|w| !text::is_stop_word(lang, w))
        .collect();
    super::pooled().appositive_openers.contains(&first.as_str())
        && (1..=4).contains(&head.len())
        && head.last().is_some_and(|w| {
            nouns.contains(w.as_str()) && !super::pooled().firm_roles.contains(&w.as_str())
        })
}

/// Runs of capitalised words joined by single spaces: (first word index, last word index).
fn capital_runs(spans: &[(usize, &str)], sentence: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < spans.len() {
        if !capitalised(spans[i].1) {
            i += 1;
            continue;
        }
        let mut j = i;
        while let Some((o, w)) = spans.get(j + 1) {
            let end = spans[j].0 + spans[j].1.len();
            if capitalised(w) && sentence[end..*o] == *" " {
                j += 1;
            } else {
                break;
            }
        }
        runs.push((i, j));
        i = j + 1;
    }
    runs
}

/// Words of a sentence that stand in a run of two or more capitalised words ("Mark May",
/// "Ohio State"): parts of names.
pub(super) fn name_words(sentence: &str) -> Vec<&str> {
    let spans = text::word_spans(sentence);
    capital_runs(&spans, sentence)
        .into_iter()
        .filter(|(first, last)| last > first)
        .flat_map(|(first, last)| spans[first..=last].iter().map(|(_, w)| *w))
        .collect()
}

/// Whether a run of capitalised words reads as a person's name: no function word, month or
/// word the article writes in lower case; a run that opens the sentence, or a German one
/// (German capitalises nouns), needs two words. A month may end a name that a given name
/// begins ([`month_surname`]).
fn is_name(lang: &str, words: &[&str], opens_sentence: bool, lower_case: &HashSet<String>) -> bool {
    let two_needed = opens_sentence || text::capitalises_nouns(lang);
    (words.len() >= 2 || !two_needed)
        && words.iter().enumerate().all(|(k, w)| {
            let lower = w.to_lowercase();
            (k > 0 && k + 1 == words.len() && month_surname(lang, words[0], w))
                || (w.chars().count() >= 2
                    && !text::is_stop_word(lang, &lower)
                    && text::calendar_list(lang, w).is_none()
                    && (text::capitalises_nouns(lang) || !lower_case.contains(&lower)))
        })
}

/// Reported speech in `sentence` with a named speaker, if there is exactly one such speaker.
/// `lower_case`: the article's words as it writes them in lower case somewhere; `people`:
/// the article's people, whose surname alone may open the sentence ("Blackett said the
/// special conference would …", where a capital alone could be any word's: "Officials said").
pub(super) fn speech<'a>(
    lang: &str,
    sentence: &'a str,
    lower_case: &HashSet<String>,
    people: &[&str],
) -> Option<Speech<'a>> {
    let v = verbs(lang)?;
    let quote = quotation(sentence);
    let outside = |offset: usize| quote.is_none_or(|(s, e)| offset < s || offset >= e);
    let spans: Vec<(usize, &str)> = text::word_spans(sentence);
    let runs = capital_runs(&spans, sentence);
    let end_of = |k: usize| spans[k].0 + spans[k].1.len();
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for (k, (offset, word)) in spans.iter().enumerate() {
        let lower = word.to_lowercase();
        let after = v.after.contains(&lower.as_str());
        if !(after || v.before_only.contains(&lower.as_str())) || !outside(*offset) {
            continue;
        }
        let aux = k > 0
            && v.auxiliaries
                .contains(&spans[k - 1].1.to_lowercase().as_str());
        let verb_start = if aux { spans[k - 1].0 } else { *offset };
        for &(first, last) in &runs {
            if !outside(spans[first].0) {
                continue;
            }
            // "Ortiz said", or an appositive: "The mayor, Lena Ortiz, said".
            let before = lang != "de"
                && end_of(last) < verb_start
                && matches!(&sentence[end_of(last)..verb_start], " " | ", ")
                && (sentence[end_of(last)..verb_start] == *" "
                    || sentence[..spans[first].0].trim_end().ends_with(',')
                    || (first > 0 && !capitalised(spans[first - 1].1)));
            // "…," said Lena Ortiz: the speaker after the verb only after a quotation
            // ("who said Ohio State was out" reports a clause about Ohio State); a role
            // with its article may stand between ("…», ha dichiarato la presidente Elena
            // Marchetti", "…», dijo el alcalde Tomás Ruiz").
            let spaced = |from: usize, to: usize| {
                (from..to).all(|j| sentence[end_of(j)..spans[j + 1].0] == *" ")
            };
            let role = first == k + 3
                && text::is_stop_word(lang, &spans[k + 1].1.to_lowercase())
                && spans[k + 2].1.chars().all(char::is_lowercase);
            let behind = after
                && (first == k + 1 || role)
                && spaced(k, first)
                && quote.is_some_and(|(_, e)| e < *offset);
            let surname_opens = first == 0
                && last == 0
                && people
                    .iter()
                    .any(|p| text::words(p).last() == Some(&spans[0].1));
            if (before || behind)
                && let Some(first) =
                    name_start(lang, &spans, first, last, lower_case).or(surname_opens.then_some(0))
            {
                found.push((first, last, verb_start));
            }
        }
    }
    let [(first, last, verb_start)] = found.as_slice() else {
        return None;
    };
    let speaker = &sentence[spans[*first].0..end_of(*last)];
    let question = match quote {
        Some((s, e)) => {
            // English puts a quoted statement's own comma or full stop inside the marks; a
            // quote without one is a phrase ("called it “a waste of money”").
            if lang == "en" && !sentence[s..e].trim_end().ends_with([',', '.']) {
                return None;
            }
            let quoted = sentence[s..e].trim().trim_end_matches([',', '.', ';', ':']);
            if quoted.ends_with(['?', '!', '…']) || quoted.contains(['"', '“', '”', '«', '»'])
            {
                return None;
            }
            v.quote_question.replace("{q}", quoted)
        }
        // No quote: "Lena Ortiz said the city will ..." → "Who said the city will ...?":
        // the speaker is the verb's subject, whatever stands before it.
        None if lang != "de" => {
            let rest = sentence[*verb_start..]
                .trim_end()
                .trim_end_matches(['.', '!'])
                .trim_end();
            // What was said follows the verb, not a comma: in "…"execution-style," Mayor
            // Bill DeBlasio said, while sitting in their patrol car" (real English news) it
            // stands before, and "Who said, while sitting in their patrol car?" asks nothing.
            // (English: Russian and German put a comma before "что" and "dass".)
            let verb_ends_clause = lang == "en"
                && rest
                    .split_whitespace()
                    .take(2)
                    .any(|w| w.ends_with([',', ';', ':', '—', '–']));
            // A quotation mark opened and not closed ("should have gone to quirky British
            // comedy “Fleabag.", real English news, where the mark closed past the cut).
            if text::words(rest).len() < 5
                || rest.ends_with('?')
                || rest.contains('"')
                || !text::quotes_balanced(rest)
                || verb_ends_clause
            {
                return None;
            }
            // The full stop inside a closing mark goes with the sentence: "Who said she was
            // ‘appalled’ by “these serious allegations”?" (real English news had ".”?").
            let rest = match rest.strip_suffix(['”', '»', '’']) {
                Some(inner) if inner.ends_with('.') => {
                    format!("{}{}", inner.trim_end_matches('.'), &rest[inner.len()..])
                }
                _ => rest.to_string(),
            };
            let rest = if lang == "ru" {
                // "Кто" takes the masculine past: "сказала" → "сказал".
                let verb = text::words(&rest)[0];
                match verb.strip_suffix("ла") {
                    Some(stem) if verb.chars().count() > 3 => {
                        format!("{stem}л{}", &rest[verb.len()..])
                    }
                    _ => rest.to_string(),
                }
            } else {
                rest.to_string()
            };
            format!("{}{} {rest}{}?", v.opening, v.who, v.before_mark)
        }
        None => return None,
    };
    Some(Speech { speaker, question })
}

/// Where a person's name starts in a run of capitals (`None`: the run names nobody).
/// Words that open the run but are no name are left out ("Selon Théo", a title "Ms Pat
/// Ingram"); of three or more words, the last two are kept ("Mayor Lena Ortiz", "Resident
/// Pat Ingram"), so that every option is written the same way.
fn name_start(
    lang: &str,
    spans: &[(usize, &str)],
    first: usize,
    last: usize,
    lower_case: &HashSet<String>,
) -> Option<usize> {
    let mut f = first;
    while f <= last && before_name(lang, spans[f].1, lower_case) {
        f += 1;
    }
    if f > last {
        return None;
    }
    if last >= f + 2 {
        f = last - 1;
    }
    let words: Vec<&str> = spans[f..=last].iter().map(|(_, w)| *w).collect();
    is_name(lang, &words, f == 0, lower_case).then_some(f)
}

/// Whether a capitalised word that opens a run is no part of the name after it: a function
/// word, a title, or (where nouns take no capital) a word the article writes in lower case.
fn before_name(lang: &str, word: &str, lower_case: &HashSet<String>) -> bool {
    let lower = word.to_lowercase();
    text::is_stop_word(lang, &lower)
        || super::pooled().titles.contains(&lower.as_str())
        || (!text::capitalises_nouns(lang) && lower_case.contains(&lower))
}

/// The people the article names, in order of first mention, each in the longest form the
/// article gives ("Lena Ortiz", not "Ortiz"): names with a title before them, a relative
/// pronoun for people or an age after them; speakers of reported speech named with two
/// words or more; and two-word names whose surname speaks alone elsewhere ("Farida
/// Lindgren" ... "Lindgren explained").
pub(super) fn people<'a>(
    lang: &str,
    sentences: &'a [String],
    lower_case: &HashSet<String>,
) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    let mut two_words: Vec<&'a str> = Vec::new();
    // Surnames that speak alone ("Pike said") or that a relative pronoun for people follows
    // ("Young, who said"): the two-word names they end are people ("Mark Young", whose
    // words are both common words).
    let mut speaking: HashSet<String> = HashSet::new();
    for sentence in sentences {
        let mut found: Vec<&'a str> = Vec::new();
        // A firm or a government speaks too ("the Taliban said"): a speaker is a person
        // only with a given name and a surname.
        if let Some(s) = speech(lang, sentence, lower_case, &[])
            && text::words(s.speaker).len() > 1
            && !no_persons_name(s.speaker)
        {
            found.push(s.speaker);
        }
        let spans: Vec<(usize, &str)> = text::word_spans(sentence);
        let verbs = verbs(lang);
        let speech_verb = |k: usize, after_only: bool| {
            spans.get(k).zip(verbs).is_some_and(|((_, w), v)| {
                let w = w.to_lowercase();
                v.after.contains(&w.as_str())
                    || (!after_only && v.before_only.contains(&w.as_str()))
            })
        };
        for (first, last) in capital_runs(&spans, sentence) {
            // "Laurence des Cars, the museum’s president": "Cars" is no person's whole name
            // (it became one in a false statement on real English news).
            if super::particle_joined(&spans, first, last) {
                continue;
            }
            let end = spans[last].0 + spans[last].1.len();
            let rest = &sentence[end..];
            let after: Vec<String> = text::normalized_words(rest).into_iter().take(2).collect();
            // After a preposition the run is most often a place, and a relative pronoun or
            // an age after it describes the person before: "Jeff Miller, a city councilman in
            // Hendersonville, who was …", "the Labour MP for Newcastle Central, who is …"
            // (real English news).
            let placed = first > 0
                && PLACE_PREPOSITIONS.contains(&spans[first - 1].1.to_lowercase().as_str());
            // ", who", ", whose": a relative pronoun for people follows the run.
            let who_follows = !placed
                && rest.starts_with(", ")
                && after
                    .first()
                    .is_some_and(|w| super::pooled().person_after.contains(&w.as_str()));
            // ", a businessman from California": a noun for a person describes the run.
            let appositive = rest
                .strip_prefix(", ")
                .is_some_and(|a| described_as_person(lang, a));
            if first == last
                && (speech_verb(last + 1, false)
                    || (first > 0 && speech_verb(first - 1, true))
                    || who_follows
                    || appositive)
            {
                speaking.insert(spans[first].1.to_lowercase());
            }
            // "Marwan Al-Sayed": the run stops at the hyphen, and "Marwan Al" is no name; nor
            // is "Louis David" of "Jacques-Louis David". A run that a possessive of a name
            // goes on ("President Donald Trump’s vows" made "Donald" a person on real
            // English news) is cut short too. A run that ends a quoted title is a work's
            // name ("“The Marvelous Mrs Maisel”" made "Maisel" a person).
            let possessive_follows = rest.strip_prefix(' ').is_some_and(|r| {
                r.starts_with(char::is_uppercase)
                    && text::words(r).first().is_some_and(|w| {
                        w.ends_with("’s")
                            || w.ends_with("'s")
                            || r[w.len()..].starts_with(['’', '\''])
                    })
            });
            if sentence[end..]
                .strip_prefix('-')
                .is_some_and(|rest| rest.starts_with(char::is_uppercase))
                || sentence[..spans[first].0].ends_with('-')
                || possessive_follows
                || rest.starts_with(['”', '»'])
            {
                continue;
            }
            let Some(start) = name_start(lang, &spans, first, last, lower_case) else {
                continue;
            };
            let name = &sentence[spans[start].0..end];
            if last == start + 1 {
                two_words.push(name);
            }
            // Nothing but a space between them: "the ministries of Justice, Economy and
            // Security" made "Economy" a person, and "Superintendent (Ag" made "Ag" one
            // (real English news).
            let titled = start > 0
                && super::pooled()
                    .titles
                    .contains(&spans[start - 1].1.to_lowercase().as_str())
                && sentence[spans[start - 1].0 + spans[start - 1].1.len()..spans[start].0]
                    .trim_matches([' ', '.'])
                    .is_empty();
            // Described as a person: "who" after the name, an age ("Theo, 34, bakes") or a
            // noun for a person ("Qasim Tarin, a businessman").
            let described = who_follows
                || appositive
                || (!placed
                    && rest.starts_with(", ")
                    && after.first().is_some_and(|w| {
                        w.chars().all(|c| c.is_ascii_digit())
                            && (rest[2 + w.len()..].starts_with(',')
                                || after.get(1).is_some_and(|a| {
                                    super::pooled().age_words.contains(&a.as_str())
                                }))
                    }));
            // A name of two words that begins with a given name ("Theodore Roosevelt",
            // "Omar Mateen") and does not end as a place's or a firm's does ("Virginia
            // Beach"), nor is two common words ("Mid Winter Meeting").
            let (given_name, surname) =
                (spans[start].1.to_lowercase(), spans[last].1.to_lowercase());
            let common = |w: &str| crate::analysis::classes::classes(lang, w).is_some();
            // The whole name: "Ralph Waldo Emerson" is not written "Waldo Emerson".
            let whole = (first..start).all(|k| before_name(lang, spans[k].1, lower_case));
            let given = last == start + 1
                && whole
                // "Hong Kong battery seller" became "Evan Symon battery seller" in a false
                // statement on real English news.
                && !crate::analysis::places::is_place(lang, name)
                && given_names(lang).is_some_and(|names| names.contains(given_name.as_str()))
                && !(common(&given_name) && common(&surname))
                && !super::pooled().not_surnames.contains(&surname.as_str());
            // "was taken to Royal Shrewsbury hospital": a word of a place's or a body's
            // name follows it.
            let institution = after
                .first()
                .is_some_and(|w| super::pooled().not_surnames.contains(&w.as_str()));
            if (titled || described || given) && !institution && !no_persons_name(name) {
                found.push(name);
            }
        }
        for name in found {
            add_person(&mut out, name);
        }
    }
    for name in two_words {
        let surname = text::normalized_words(name).pop().unwrap_or_default();
        if speaking.contains(&surname) {
            add_person(&mut out, name);
        }
    }
    for name in first_names(lang, sentences, lower_case) {
        add_person(&mut out, name);
    }
    out
}

/// Prepositions after which a name is most often a place's (English; other languages'
/// places rarely take an English preposition).
const PLACE_PREPOSITIONS: &[&str] = &["in", "at", "from", "for", "near", "of"];

/// Whether a name is none of a person's however it is used: it ends as a body's does ("The
/// Food Standards Agency warned" made "Standards Agency" a speaker on a real English page),
/// or it is written in capitals (a photo credit, "JIM WATSON", whose form stands out among
/// options).
fn no_persons_name(name: &str) -> bool {
    let words = text::words(name);
    words
        .last()
        .is_some_and(|w| super::pooled().bodies.contains(&w.to_lowercase().as_str()))
        || words
            .iter()
            .all(|w| w.chars().count() > 1 && !w.chars().any(char::is_lowercase))
}

/// Given names that the article uses alone inside sentences, twice or more ("Harry" and
/// "Meghan", an article calls people by their first names): people, in order of first
/// mention. Not after a preposition of place ("in Florida"), not a place of the language's
/// list ("Paris", "Jordan"), not a word the article also writes in lower case ("Will").
fn first_names<'a>(
    lang: &str,
    sentences: &'a [String],
    lower_case: &HashSet<String>,
) -> Vec<&'a str> {
    let Some(names) = given_names(lang) else {
        return Vec::new();
    };
    let mut seen: Vec<(&'a str, usize)> = Vec::new();
    for sentence in sentences {
        let spans = text::word_spans(sentence);
        for (first, last) in capital_runs(&spans, sentence) {
            let (at, word) = spans[first];
            let lower = word.to_lowercase();
            let after_place_word = first > 0
                && ["in", "at", "from", "to", "near", "of"]
                    .contains(&spans[first - 1].1.to_lowercase().as_str());
            if first != last
                || first == 0
                || after_place_word
                || sentence[at + word.len()..].starts_with('-')
                || !names.contains(lower.as_str())
                || lower_case.contains(&lower)
                || crate::analysis::places::is_place(lang, word)
            {
                continue;
            }
            let name = &sentence[at..at + word.len()];
            match seen.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => *count += 1,
                None => seen.push((name, 1)),
            }
        }
    }
    seen.into_iter()
        .filter(|&(_, count)| count >= 2)
        .map(|(name, _)| name)
        .collect()
}

/// Adds a person once, in the longer of two forms that share a word.
fn add_person<'a>(people: &mut Vec<&'a str>, name: &'a str) {
    match people.iter_mut().find(|p| share_a_word(p, name)) {
        Some(p) if text::words(name).len() > text::words(p).len() => *p = name,
        Some(_) => {}
        None => people.push(name),
    }
}

/// Whether two names share a word ("Ortiz" and "Lena Ortiz" may be one person), or one
/// ends with the other's last word written apart or together ("De Blasio", "Bill
/// DeBlasio" and "Blasio" on real English news, where "anointed by Bill DeBlasio" was a
/// "false" statement for "anointed by De Blasio").
pub(super) fn share_a_word(a: &str, b: &str) -> bool {
    let words_a: HashSet<String> = text::normalized_words(a).into_iter().collect();
    if text::normalized_words(b)
        .iter()
        .any(|w| words_a.contains(w))
    {
        return true;
    }
    let squashed = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let last = |s: &str| {
        text::words(s)
            .last()
            .map(|w| squashed(w))
            .unwrap_or_default()
    };
    let (last_a, last_b) = (last(a), last(b));
    let ends_with_last =
        |whole: &str, last: &str| last.chars().count() >= 4 && squashed(whole).ends_with(last);
    // "Melissa Jagessar" and "Mellissa Jaggesar": one woman, spelled two ways on a real
    // English page, where each was an option beside the other.
    let shorter = last_a.chars().count().min(last_b.chars().count());
    ends_with_last(a, &last_b)
        || ends_with_last(b, &last_a)
        || (shorter >= 5 && edit_distance(&last_a, &last_b) <= shorter / 4)
}

/// The number of letters to insert, delete or change to turn one word into the other.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(lang: &str, sentence: &str) -> Option<(String, String)> {
        speech(lang, sentence, &HashSet::new(), &[]).map(|s| (s.speaker.to_string(), s.question))
    }

    #[test]
    fn the_people_of_an_article() {
        let sentences: Vec<String> = [
            "The study's lead author, ecologist Niamh Farrow, said the water carries less soil.",
            "Farmer Gareth Lowe, whose land borders the site, says the beavers cut his trees.",
            "The work was paid for by Hollin Valley Council in 2024.",
            "“I never thought I'd be grateful,” said Ms Pat Ingram on Monday.",
            "Farrow said the ponds trap mud.",
            "Her neighbour Theo, 34, bakes the bread for the whole street.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            people("en", &sentences, &HashSet::new()),
            ["Niamh Farrow", "Gareth Lowe", "Pat Ingram", "Theo"]
        );
        // Named again by the surname as a speaker: a person; a place is not, nor a
        // speaker with one name (a firm or a government speaks too). A name that begins
        // with a given name is a person's ("Leonard Pike"), unless it ends as a place's
        // ("Virginia Beach"); a name cut at a hyphen is none ("Marwan Al-Sayed").
        let sentences: Vec<String> = [
            "When Leonard Pike retired, he bought a telescope in Lower Denholm.",
            "Pike was one of 43 amateur observers in Lower Denholm.",
            "Later Farida Lindgren joined them.",
            "The Taliban said the telescopes are a waste of money and time.",
            "Lindgren said the observatories are full for months and years.",
            "The club moved to Virginia Beach with architect Marwan Al-Sayed.",
            "A seller in Hong Kong shipped the batteries from Hong Kong.",
            "The Mid Winter Meeting opens in March.",
            "Guests such as Ralph Waldo Emerson stayed at the hotel.",
            // Real English news: a street's name among the people of a "Who" question.
            "Roxanne Delgado, founder of the civic association Friends of Pelham Parkway, said Velázquez's reversal hurt her.",
            // Real English news: a town, a seat, a treaty, a firm, a ministry and a rank's
            // abbreviation among the people; one woman spelled two ways.
            "It just doesn't, said Jeff Miller, a councilman in Hendersonville, who ran in 2010.",
            "Chi Onwurah, the Labour MP for Newcastle Central, who backs the report, spoke.",
            "The goal remains to adhere to the 2015 Paris Agreement’s ambition, for now.",
            "Microsoft Corp said on Thursday it aims to remove more carbon than it emits.",
            "It will include the ministries of Justice, Economy and Security, it said.",
            "The search was led by Superintendent (Ag) Hart and his team on Friday.",
            "On Thursday, Mellissa Jaggesar was detained by the officers of the bureau.",
            "Melissa Jagessar was charged with the offence on Wednesday, the police said.",
            "So despite President Donald Trump’s vows to resurrect coal, it is still sliding.",
            "But “Mrs Maisel” actress Alex Borstein said the prize should have gone elsewhere.",
            "LVMH helped buy a Jacques-Louis David portrait in 1998, Paul Claverie said.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            people("en", &sentences, &HashSet::new()),
            [
                "Leonard Pike",
                "Roxanne Delgado",
                "Jeff Miller",
                "Chi Onwurah",
                "Mellissa Jaggesar",
                "Alex Borstein",
                "Paul Claverie",
                "Farida Lindgren"
            ]
        );
        // Given names the article uses alone, twice: people ("Harry", "Meghan"); not once
        // ("Kate"), not after "in" ("in Florida"), nor a place of the list ("Paris").
        let sentences: Vec<String> = [
            "The couple said Harry and Meghan will move to Canada.",
            "Last year Harry spoke about the press, and Meghan agreed.",
            "Friends said Kate was not told, and the couple left for Paris.",
            "They live in Florida now, while Paris and Florida wait.",
            "Aides said Paris had been the plan, and Florida too.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            people("en", &sentences, &HashSet::new()),
            ["Harry", "Meghan"]
        );
        // A surname that "who" follows makes the two-word name it ends a person's, even
        // of two common words ("Mark Young").
        let sentences: Vec<String> = [
            "Both analysts, Holtz and Mark Young, are paid to discuss the sport.",
            "Holtz bantered with Young about the playoff.",
            "Both times, Young, who said Ohio State was out, got the ruling.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(people("en", &sentences, &HashSet::new()), ["Mark Young"]);
        // A month ends a name a given name begins ("Mark May"), and not otherwise ("Sunday
        // May").
        let sentences: Vec<String> = [
            "Both analysts, Holtz and Mark May, are paid to discuss the sport.",
            "Both times, May, who said Ohio State was out, got the ruling.",
            "The party meets on Sunday May 1 at the George Street hall.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(people("en", &sentences, &HashSet::new()), ["Mark May"]);
        // A noun for a person after the name and a comma ("a businessman"); not one that
        // names firms too ("a drug developer").
        let sentences: Vec<String> = [
            "The group was started by Omar Mateen, according to Qasim Tarin, a businessman from California.",
            "Shares of Vivus, a drug developer, fell on Monday.",
            "The product was listed on Amazon, was stored in an Amazon warehouse.",
            "The show appears on a channel that supports the Afghan Taliban, which are mostly Pashtun.",
            "Holtz bantered with May, a former player at Pittsburgh.",
            "Both analysts, Holtz and Mark May, are paid to discuss the sport.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            people("en", &sentences, &HashSet::new()),
            ["Omar Mateen", "Qasim Tarin", "Mark May"]
        );
        // A superintendent is titled (real English news, B1, where Robert Runcie was no
        // one).
        let sentences: Vec<String> = [
            "There are 12,500 cameras in the schools, said Superintendent Robert Runcie.",
            "The cameras were bought last year.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(people("en", &sentences, &HashSet::new()), ["Robert Runcie"]);
        // A surname after a particle is no person's whole name (real English news).
        let sentences: Vec<String> = [
            "said Laurence des Cars, the museum’s president and director.",
            "The museum houses the Arnault collection, said Bernard Arnault.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            people("en", &sentences, &HashSet::new()),
            ["Bernard Arnault"]
        );
        // A real English page: a body that speaks ("Standards Agency"), a hospital ("Royal
        // Shrewsbury"), a photo credit in capitals ("JIM WATSON").
        let sentences: Vec<String> = [
            "Eloise Parry, 21, was taken to Royal Shrewsbury hospital on 12 April.",
            "The Food Standards Agency warned people to stay away from the pills.",
            "The tweet was shared widely, said chief inspector Jennifer Mattinson.",
            "Photo by JIM WATSON, who works for the agency, shows the crowd.",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            people("en", &sentences, &HashSet::new()),
            ["Eloise Parry", "Jennifer Mattinson"]
        );
        let french = ["Selon Théo, 34 ans, son pain se conserve 5 jours.".to_string()];
        // "Selon" opens the sentence; the article writes it in lower case elsewhere.
        let lower: HashSet<String> = ["selon".to_string()].into();
        assert_eq!(people("fr", &french, &lower), ["Théo"]);
    }

    #[test]
    fn a_surname_alone_opens_a_sentence_as_a_speaker_only_of_the_articles_people() {
        let sentence = "Blackett said the special conference would feature a devotion.";
        let said = |people: &[&str]| {
            speech("en", sentence, &HashSet::new(), people).map(|s| s.speaker.to_string())
        };
        assert_eq!(said(&["Steve Blackett"]), Some("Blackett".into()));
        // A capital alone may be any word's: "Officials said", "Police said".
        assert_eq!(said(&[]), None);
        assert_eq!(said(&["Steve Blackwell"]), None);
    }

    #[test]
    fn speakers_and_questions_in_five_languages() {
        assert_eq!(
            found(
                "en",
                "The study's lead author, ecologist Niamh Farrow, said the water leaving the site now carries less soil."
            ),
            Some((
                "Niamh Farrow".into(),
                "Who said the water leaving the site now carries less soil?".into()
            ))
        );
        assert_eq!(
            found(
                "en",
                "“We will buy two more robots next spring,” said Lena Ortiz, the mayor."
            ),
            Some((
                "Lena Ortiz".into(),
                "Who said: “We will buy two more robots next spring”?".into()
            ))
        );
        assert_eq!(
            found(
                "en",
                "Lena Ortiz said the city will buy two more robots next spring."
            ),
            Some((
                "Lena Ortiz".into(),
                "Who said the city will buy two more robots next spring?".into()
            ))
        );
        // What was said stands before the verb, not after its comma (real English news).
        assert_eq!(
            found(
                "en",
                "Two officers had been shot \"execution-style,\" Mayor Bill DeBlasio said, while sitting in their patrol car."
            ),
            None
        );
        // Quotation marks inside what was said (real English news).
        assert_eq!(
            found(
                "en",
                "British Foreign Secretary Elizabeth Truss said she was ‘appalled’ by “these serious allegations.”"
            ),
            Some((
                "Elizabeth Truss".into(),
                "Who said she was ‘appalled’ by “these serious allegations”?".into()
            ))
        );
        assert_eq!(
            found(
                "en",
                "But actress Alex Borstein said the comedy prize should have gone to the comedy “Fleabag."
            ),
            None
        );
        // What was said comes after a dash, not the verb (real English news: "Who announced
        // — Bennett posted photos …?").
        assert_eq!(
            found(
                "en",
                "And shortly after midnight — about five hours before Meadows announced — Bennett posted photos of herself with the congressman."
            ),
            None
        );
        assert!(share_a_word("De Blasio", "Bill DeBlasio"));
        assert!(share_a_word("DeBlasio", "Blasio"));
        assert!(!share_a_word("Omar Takeda", "Lily Brandt"));
        // The subject of a reported clause is no speaker.
        assert_eq!(
            found(
                "en",
                "Both times, May, who said Ohio State and the Big Ten were out, got the ruling."
            ),
            None
        );
        // The listener is no speaker; a pronoun names nobody.
        assert_eq!(
            found(
                "en",
                "The mayor told Reuters that the city will buy more robots."
            ),
            None
        );
        assert_eq!(
            found("en", "“It works better than we hoped,” she said on Monday."),
            None
        );
        assert_eq!(
            found(
                "es",
                "«Vamos a comprar dos robots más en primavera», dijo Lena Ortiz."
            ),
            Some((
                "Lena Ortiz".into(),
                "¿Quién dijo: «Vamos a comprar dos robots más en primavera»?".into()
            ))
        );
        assert_eq!(
            found(
                "fr",
                "Marie Dupont a déclaré que la ville achètera deux robots au printemps."
            ),
            Some((
                "Marie Dupont".into(),
                "Qui a déclaré que la ville achètera deux robots au printemps ?".into()
            ))
        );
        assert_eq!(
            found(
                "de",
                "„Wir kaufen im Frühling zwei weitere Roboter“, sagte Anna Weber am Montag."
            ),
            Some((
                "Anna Weber".into(),
                "Wer sagte: „Wir kaufen im Frühling zwei weitere Roboter“?".into()
            ))
        );
        // German capitalises nouns: a noun after the verb is no speaker.
        assert_eq!(
            found(
                "de",
                "„Wir kaufen im Frühling zwei weitere Roboter“, sagte Bürgermeisterin am Montag."
            ),
            None
        );
        assert_eq!(
            found(
                "ru",
                "Анна Петрова сказала, что город купит ещё два робота весной."
            ),
            Some((
                "Анна Петрова".into(),
                "Кто сказал, что город купит ещё два робота весной?".into()
            ))
        );
    }
}
