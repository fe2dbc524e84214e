//! Questions whose answer the program picks and the model phrases: the program chooses the
//! evidence sentence, the key (a count, a year, a person), the options (the key's kind from
//! other sentences) and the question's opening from the key's kind ("How many players",
//! "In which year", "Who"); the rest of the question is the sentence's clause in one of the
//! language's question forms (for a time or place that opens the sentence, "On Thursday,",
//! the clause after its comma), which the model chooses among
//! ([`crate::generation::Generator::rank_phrasings`]), and verification checks that what
//! it chose is the sentence's question about the key.

use std::collections::HashSet;

use super::{
    AGE, Builder, Kind, Rng, Target, addresses_you, believable_numbers, believable_ratio,
    inside_quotes, is_percent, same_kind_elsewhere, size_of, targets_in, usable,
};
use crate::analysis::english::{
    BOUNDS as COUNT_BOUNDS, COUNT_WORDS, CURRENCY, DAY_PARTS, DURATIONS, Frame, Opening,
    RELATIVE_TIMES, SCALES, amounts, base_forms, count, existential_question, first_word, frame,
    name_in_list, supported as phrasing_supported, who_start,
};
use crate::analysis::places::{self, PlaceKind};
use crate::analysis::{ArticleText, classes};
use crate::exercise::Exercise;
use crate::text::{self, CalendarWord};

/// One question for the model to phrase.
#[derive(Debug, Clone)]
pub struct QuestionPlan {
    /// The sentence the question is about.
    pub evidence: String,
    /// The question's first words, chosen from the key's kind.
    pub opening: Opening,
    /// What the question asks for, as the sentence says it ("40 players", "in 1932").
    pub answer_phrase: String,
    /// The options, the key among them.
    pub options: Vec<String>,
    pub answer: usize,
    /// The sentence around the answer: its clause before it, the words after it.
    pub frame: Frame,
    /// The questions the plan may be phrased as: the frame's clause in the language's
    /// question forms (`generation::grammar::question_phrasings`).
    pub phrasings: Vec<String>,
}

impl QuestionPlan {
    /// The multiple-choice exercise with the model's question.
    pub fn exercise(&self, question: String) -> Exercise {
        Exercise::MultipleChoice {
            question,
            options: self.options.clone(),
            answer: self.answer,
            evidence: self.evidence.clone(),
        }
    }
}

/// Up to `n` question plans from different sentences not in `avoid`, for the languages whose
/// questions verification can judge ([`phrasing_supported`]); none for the others.
pub fn question_plans(
    article: &ArticleText,
    n: usize,
    seed: u64,
    avoid: &HashSet<String>,
) -> Vec<QuestionPlan> {
    let lang = article.lang();
    if !phrasing_supported(lang) || n == 0 {
        return Vec::new();
    }
    let builder = Builder::new(article);
    let mut rng = Rng::new(seed);
    let mut sentences: Vec<&String> = article
        .sentences()
        .iter()
        .filter(|s| {
            usable(lang, s)
                && !avoid.contains(s.as_str())
                && !addresses_you(lang, s)
                && !article.repeats_with_other_numbers(s)
        })
        .collect();
    rng.shuffle(&mut sentences);
    let mut out = Vec::new();
    for sentence in sentences {
        if out.len() >= n {
            break;
        }
        let mut plans: Vec<QuestionPlan> = targets_in(lang, sentence, Some(&builder.lower_case))
            .into_iter()
            .chain(count_words(sentence))
            .chain(opening_person(&builder, sentence))
            .filter(|t| !inside_quotes(sentence, t.offset))
            .filter_map(|t| plan(&builder, sentence, &t, &mut rng))
            .collect();
        if !plans.is_empty() {
            out.push(plans.swap_remove(rng.below(plans.len())));
        }
    }
    out
}

/// A person of the article whose name opens the sentence ("Kenneth Preston, a Broward
/// County high school student, says …"): the name is no target of a gap, where the
/// sentence's capital may belong to any word, but the article's people are known, so a
/// "Who" question may ask for it. The name must be one of them in full, or a surname alone.
fn opening_person<'s>(builder: &Builder<'_>, sentence: &'s str) -> Option<Target<'s>> {
    let spans = text::word_spans(sentence);
    let &(first, _) = spans.first()?;
    if !sentence[..first].trim().is_empty() {
        return None;
    }
    let mut end = first;
    let mut words = 0;
    for &(o, w) in &spans {
        let capital = w.chars().next().is_some_and(char::is_uppercase);
        if !capital || (words > 0 && &sentence[end..o] != " ") {
            break;
        }
        end = o + w.len();
        words += 1;
    }
    let name = &sentence[first..end];
    let known = builder.people.iter().any(|p| {
        *p == name
            || (words == 1 && text::words(p).len() > 1 && text::words(p).last() == Some(&name))
    });
    known.then(|| Target {
        offset: first,
        word: name,
        kind: Kind::Name,
        unit: words.to_string(),
    })
}

/// The plan for one target of a sentence, if its kind has a question opening.
fn plan(
    builder: &Builder<'_>,
    sentence: &str,
    target: &super::Target<'_>,
    rng: &mut Rng,
) -> Option<QuestionPlan> {
    let lang = builder.lang;
    let before = &sentence[..target.offset];
    let previous = text::words(before)
        .last()
        .map(|w| w.to_lowercase())
        .unwrap_or_default();
    let end = target.offset + target.word.len();
    // "$35 million": the amount of money the number is in.
    let amount = (target.kind == Kind::Number)
        .then(|| {
            amounts(sentence)
                .into_iter()
                .find(|&(from, to)| from < target.offset && target.offset < to)
        })
        .flatten();
    // One name of a list ("in Cambridge and Watertown"): the question would have more
    // answers than its key.
    if target.kind == Kind::Name && name_in_list(sentence, target.offset, end) {
        return None;
    }
    // A question of a form of its own: "There are two primary types of gene mutations"
    // asks "How many primary types of gene mutations are there?".
    let mut own_form = None;
    // (opening, the byte range the answer covers, other options, the key)
    let (opening, range, others, key) = match target.kind {
        Kind::Number if amount.is_some() => {
            let (from, to) = amount?;
            if COUNT_BOUNDS.contains(&previous.as_str()) {
                return None;
            }
            // "for less than its original $4 billion asking price": an amount that
            // describes the noun after it is no answer of its own ("How much did Zuckerberg
            // say … for less than its original asking price?" on a real English page).
            if classes::word_after(sentence, to).is_some_and(|w| {
                !text::is_stop_word(lang, &w) && classes::may_be(lang, &w, "NPA") == Some(true)
            }) {
                return None;
            }
            let key = &sentence[from..to];
            let others = other_amounts(builder, sentence, target, key);
            (Opening::HowMuch, (from, to), others, key.to_string())
        }
        Kind::Number => 'count: {
            let counted = count(target.word).is_some_and(|n| n >= 2)
                && target.unit != AGE
                && !is_percent(&target.unit)
                && target.unit.chars().all(char::is_alphabetic)
                && !target.unit.is_empty()
                && !COUNT_BOUNDS.contains(&previous.as_str())
                && !before.trim_end().ends_with(CURRENCY);
            if !counted {
                return None;
            }
            let mut others = || {
                if COUNT_WORDS.contains(&target.word) {
                    other_count_words(sentence, target.word, rng)
                } else {
                    same_kind_elsewhere(
                        lang,
                        builder.article,
                        &builder.lower_case,
                        sentence,
                        target,
                    )
                }
            };
            if let Some((question, end)) = existential_question(sentence, target.offset) {
                let counted: Vec<String> =
                    text::words(&sentence[target.offset + target.word.len()..end])
                        .into_iter()
                        .map(str::to_string)
                        .collect();
                if counted.iter().any(|w| is_plural(&w.to_lowercase())) {
                    own_form = Some(question);
                    break 'count (
                        Opening::HowMany(counted),
                        (target.offset, end),
                        others(),
                        target.word.to_string(),
                    );
                }
            }
            // The counted words: from the number to its unit, separated by spaces only.
            let after = &sentence[end..];
            let mut unit = Vec::new();
            let mut unit_end = end;
            for (o, w) in text::word_spans(after) {
                if !after[unit_end - end..o].trim().is_empty() || unit.len() == 3 {
                    return None;
                }
                unit.push(w.to_string());
                unit_end = end + o + w.len();
                if w.to_lowercase() == target.unit {
                    break;
                }
            }
            // "600 light years": a unit word that is no plural takes the plural after it.
            if let Some((o, w)) = text::word_spans(&sentence[unit_end..]).first()
                && sentence[unit_end..unit_end + o].trim().is_empty()
                && !is_plural(&target.unit)
                && is_plural(&w.to_lowercase())
                && !text::is_stop_word(lang, &w.to_lowercase())
            {
                unit.push(w.to_string());
                unit_end += o + w.len();
            }
            // "31 years ago": the question asks "how many years ago".
            if let Some((o, w)) = text::word_spans(&sentence[unit_end..]).first()
                && sentence[unit_end..unit_end + o].trim().is_empty()
                && w.eq_ignore_ascii_case("ago")
                && is_plural(&target.unit)
            {
                unit.push(w.to_string());
                unit_end += o + w.len();
            }
            // "five years of Islamist rule": the counted thing goes on past the unit, and a
            // question of the unit alone strands it ("How many years was a civil war followed
            // by of radical Islamist rule?", model-phrased on real English news).
            if text::word_spans(&sentence[unit_end..])
                .first()
                .is_some_and(|(o, w)| {
                    sentence[unit_end..unit_end + o].trim().is_empty() && *w == "of"
                })
            {
                return None;
            }
            // "How many" asks for a plural: "players", "people", not "light" or "pm".
            let counted = unit.iter().rev().find(|u| !u.eq_ignore_ascii_case("ago"));
            if counted.is_none_or(|u| !is_plural(&u.to_lowercase())) {
                return None;
            }
            let others = others();
            let key = target.word.to_string();
            // "worked for eight years": the duration's "for" goes with the answer.
            let duration = previous == "for"
                && before.ends_with("for ")
                && counted.is_some_and(|u| DURATIONS.contains(&u.to_lowercase().as_str()));
            let start = if duration {
                target.offset - "for ".len()
            } else {
                target.offset
            };
            (Opening::HowMany(unit), (start, unit_end), others, key)
        }
        // A time after its preposition, the preposition right before it: "in 2019", "in
        // March", "on Thursday"; or opening the sentence ("On Thursday, …").
        Kind::Year | Kind::Calendar if after_preposition(before, &previous) => {
            let opening = match (target.kind, previous.as_str()) {
                (Kind::Year, "in") => Opening::InWhichYear,
                (Kind::Calendar, "in")
                    if text::calendar_word(lang, target.word) == Some(CalendarWord::Month) =>
                {
                    Opening::InWhichMonth
                }
                (Kind::Calendar, "on")
                    if text::calendar_word(lang, target.word) == Some(CalendarWord::Weekday) =>
                {
                    Opening::OnWhichDay
                }
                // "last February", "next Tuesday".
                (Kind::Calendar, relative) if RELATIVE_TIMES.contains(&relative) => {
                    match text::calendar_word(lang, target.word) {
                        Some(CalendarWord::Month) => Opening::InWhichMonth,
                        Some(CalendarWord::Weekday) => Opening::OnWhichDay,
                        None => return None,
                    }
                }
                _ => return None,
            };
            // "in March 2015": the date goes on past the month.
            if sentence[end..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit())
            {
                return None;
            }
            let start = before.len() - previous.len() - 1;
            let others =
                same_kind_elsewhere(lang, builder.article, &builder.lower_case, sentence, target);
            // "on Wednesday afternoon": the part of the day goes with the day.
            let end = match text::word_spans(&sentence[end..]).first() {
                Some(&(o, w))
                    if o == 1
                        && sentence[end..].starts_with(' ')
                        && DAY_PARTS.contains(&w.to_lowercase().as_str()) =>
                {
                    end + o + w.len()
                }
                _ => end,
            };
            (opening, (start, end), others, target.word.to_string())
        }
        // "Senator Kamala Harris": the person is the name after the title; the answer covers
        // both, and the options are names as the key is.
        Kind::Name if builder.is_person(target.word) => {
            let name = without_titles(target.word);
            (
                Opening::Who,
                (who_start(sentence, target.offset), end),
                builder.other_people(name, sentence),
                name.to_string(),
            )
        }
        // A place right after "in": "in Kabul" asks "In which city".
        Kind::Name if after_preposition(before, "in") => {
            let kind = places::kind(lang, target.word)?;
            let start = before.len() - "in ".len();
            (
                Opening::InWhichPlace(kind),
                (start, end),
                other_places(builder, sentence, target.word, kind, rng),
                target.word.to_string(),
            )
        }
        _ => return None,
    };
    if others.len() < 2 {
        return None;
    }
    let mut options: Vec<String> = others.into_iter().take(3).collect();
    options.push(key.clone());
    rng.shuffle(&mut options);
    let answer = options.iter().position(|o| *o == key)?;
    let frame = frame(sentence, range, first_word(builder.article, sentence))?;
    if frame.before.is_empty() && frame.after.is_empty() {
        return None;
    }
    // For each word of the clause, the base forms it may be the past or third-person form
    // of that are words of the language ("had" → "have"), for do-support.
    let clause = if frame.fronted {
        &frame.after
    } else {
        &frame.before
    };
    let bases: Vec<Vec<String>> = clause
        .iter()
        .map(|w| {
            let bases: Vec<String> = base_forms(&w.to_lowercase())
                .into_iter()
                .filter(|b| builder.article.knows_word(b) != Some(false))
                .collect();
            // "scored" may be "scor" + "ed" by its ending, and "scor" is in the word
            // frequency list ("How many points did he scor?", phrased on real English
            // news): where the word classes know one of the bases as a verb, only those.
            let verb = |b: &String| classes::may_be(lang, b, "V") == Some(true);
            if bases.iter().any(verb) {
                bases.into_iter().filter(verb).collect()
            } else {
                bases
            }
        })
        .collect();
    // Only a clause with a question form makes a plan.
    let phrasings = match own_form {
        Some(question) => vec![question],
        None => question_phrasings(&opening, &frame, &bases),
    };
    if phrasings.is_empty() {
        return None;
    }
    Some(QuestionPlan {
        evidence: sentence.to_string(),
        answer_phrase: sentence[range.0..range.1].to_string(),
        frame,
        phrasings,
        opening,
        options,
        answer,
    })
}

/// A name without the titles and roles that open it ("Senator Kamala Harris", "Cambridge
/// Police Commissioner Christine Elow"); the name itself where no title stands in it, or
/// nothing would be left.
fn without_titles(name: &str) -> &str {
    let spans = text::word_spans(name);
    let titles = &super::pooled().titles;
    spans
        .iter()
        .rposition(|(_, w)| titles.contains(&w.to_lowercase().trim_end_matches('.')))
        .and_then(|last| spans.get(last + 1))
        .map_or(name, |&(at, _)| &name[at..])
}

/// Whether the text before a key ends with the preposition `previous` right before it,
/// after a space or as the sentence's first word ("in 2019", "On Thursday").
fn after_preposition(before: &str, previous: &str) -> bool {
    before.ends_with(&format!(" {previous} "))
        || before.eq_ignore_ascii_case(&format!("{previous} "))
}

/// Counts written as words ("three people", "seven weeks"): each a count whose unit is the
/// first word after it, for a "how many" question. Not one of a pair or a range ("two or
/// three", "one to two"), nor a scale's ("two million"), nor part of a compound
/// ("two-thirds", "twenty-two").
fn count_words(sentence: &str) -> Vec<Target<'_>> {
    let spans = text::word_spans(sentence);
    let lower: Vec<String> = spans.iter().map(|(_, w)| w.to_lowercase()).collect();
    let numeric = |w: &str| {
        COUNT_WORDS.contains(&w)
            || ["one", "half", "dozen", "dozens"].contains(&w)
            || SCALES.iter().any(|(s, _)| *s == w)
            || w.chars().any(|c| c.is_ascii_digit())
    };
    let mut out = Vec::new();
    for (i, &(offset, word)) in spans.iter().enumerate() {
        if !COUNT_WORDS.contains(&word) {
            continue;
        }
        let end = offset + word.len();
        let compound = super::hyphen_joined(sentence, offset, end);
        let paired = lower[i.saturating_sub(2)..i]
            .iter()
            .chain(lower.iter().skip(i + 1).take(2))
            .any(|w| numeric(w));
        let Some(unit) = lower.get(i + 1) else {
            continue;
        };
        if compound || paired || !sentence[end..].starts_with(' ') {
            continue;
        }
        out.push(Target {
            offset,
            word,
            kind: Kind::Number,
            unit: unit.clone(),
        });
    }
    out
}

/// The options beside a count written as a word: counts of a believable size near it
/// ("three": two, four, five, six), none that the sentence has, in words or in digits.
fn other_count_words(sentence: &str, key: &str, rng: &mut Rng) -> Vec<String> {
    let Some(n) = count(key) else {
        return Vec::new();
    };
    let here: HashSet<u64> = text::words(sentence)
        .iter()
        .filter_map(|w| count(&w.to_lowercase()))
        .collect();
    let mut out: Vec<String> = (2u64..)
        .zip(COUNT_WORDS)
        .filter(|&(m, _)| m != n && m + 2 >= n && m <= n + 3 && !here.contains(&m))
        .map(|(_, w)| w.to_string())
        .collect();
    rng.shuffle(&mut out);
    out
}

/// The places beside the key among the largest of its kind and group ([`places::alike`])
/// that the options of "In which city" may be drawn from.
const LARGEST_ALIKE: usize = 12;

/// The options of "In which city" beside `key`: the article's places of `kind` that
/// `sentence` does not name, in random order; where there are fewer than three, places
/// of the key's kind and group that the article never names, among the largest
/// ([`LARGEST_ALIKE`]): other US cities beside Atlanta, other Asian countries beside Japan.
/// The article says the key, and nothing of a place it never names.
fn other_places(
    builder: &Builder<'_>,
    sentence: &str,
    key: &str,
    kind: PlaceKind,
    rng: &mut Rng,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for other in builder.article.sentences() {
        for t in targets_in(builder.lang, other, Some(&builder.lower_case)) {
            if t.kind == Kind::Name
                && places::kind(builder.lang, t.word) == Some(kind)
                && !text::has_phrase(sentence, t.word)
                && !out.iter().any(|o| o == t.word)
            {
                out.push(t.word.to_string());
            }
        }
    }
    rng.shuffle(&mut out);
    if out.len() < 3 {
        let mut alike: Vec<&str> = places::alike(builder.lang, key)
            .into_iter()
            .filter(|p| {
                !builder
                    .article
                    .sentences()
                    .iter()
                    .any(|s| text::has_phrase(s, p))
            })
            .take(LARGEST_ALIKE)
            .collect();
        rng.shuffle(&mut alike);
        out.extend(alike.into_iter().map(str::to_string));
    }
    out
}

/// The options beside an amount of money (`key`, whose number is `target`): the article's
/// other amounts in the same currency, then the key with its number changed as a count's
/// is; each of a believable size and none in the key's sentence.
fn other_amounts(
    builder: &Builder<'_>,
    sentence: &str,
    target: &Target<'_>,
    key: &str,
) -> Vec<String> {
    let Some(sign) = key.chars().next() else {
        return Vec::new();
    };
    let Some(value) = amount_value(key) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut keep = |amount: String| {
        if amount.starts_with(sign)
            && !sentence.contains(&amount)
            && !out.contains(&amount)
            && amount_value(&amount).is_some_and(|v| believable_ratio(v, value))
        {
            out.push(amount);
        }
    };
    for other in builder.article.sentences() {
        for (from, to) in amounts(other) {
            keep(other[from..to].to_string());
        }
    }
    // "$35 million" → "$70 million", "$17 million".
    if let Some(scale) = key[sign.len_utf8()..].strip_prefix(target.word) {
        for n in believable_numbers(sentence, target) {
            keep(format!("{sign}{n}{scale}"));
        }
    }
    out
}

/// The size of an amount of money ("$35 million": 35,000,000).
fn amount_value(amount: &str) -> Option<f64> {
    let mut words = amount
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split_whitespace();
    let number = size_of(words.next()?)?;
    let scale = match words.next() {
        None => 1.0,
        Some(word) => SCALES.iter().find(|(w, _)| *w == word)?.1,
    };
    Some(number * scale)
}

/// Whether an English word looks like a plural noun: ends in "s" (not "ss", "us" or "is")
/// or is a common irregular plural.
fn is_plural(word: &str) -> bool {
    const IRREGULAR: &[&str] = &[
        "children", "feet", "men", "people", "police", "staff", "women",
    ];
    IRREGULAR.contains(&word)
        || (word.chars().count() >= 3
            && word.ends_with('s')
            && !word.ends_with("ss")
            && !word.ends_with("us")
            && !word.ends_with("is"))
}

/// The questions a plan may be phrased as: the opening, then the question's clause, then "?".
/// The clause is the sentence's clause around the key ([`QuestionPlan::frame`]) in one of
/// the English question forms, with any beginning of the sentence's words after the key:
/// - the words after the key when the key opens its clause ("How many people | came this
///   year"), two at least;
/// - an auxiliary of the clause moved before its subject ("was | the bridge | opened");
/// - do-support with a base form of one of its words ("did | the club | have | last
///   season"), with did, does or do agreeing with the sentence's form of it.
///
/// The model chooses among them; verification decides whether the question is
/// grammatical, is the sentence's, and asks for its key.
pub fn question_phrasings(opening: &Opening, frame: &Frame, bases: &[Vec<String>]) -> Vec<String> {
    let after = &frame.after;
    let mut out = Vec::new();
    if frame.fronted {
        // The whole clause after a fronted time or place, in a question form.
        return fronted_forms(frame, bases)
            .into_iter()
            .map(|clause| format!("{} {clause}?", opening.text()))
            .collect();
    }
    for form in question_forms(opening, frame, bases) {
        let (head, fewest) = match &form {
            Form::Subject => (String::new(), 2),
            Form::Clause(clause) => (clause.clone(), 0),
        };
        for k in fewest..=after.len() {
            let words: Vec<&str> = std::iter::once(head.as_str())
                .filter(|h| !h.is_empty())
                .chain(after[..k].iter().map(String::as_str))
                .collect();
            out.push(format!("{} {}?", opening.text(), words.join(" ")));
        }
    }
    out
}

/// The clause after a fronted time or place ([`Frame::fronted`]) in question forms: its
/// auxiliary before its subject, or "did", "does" or "do" before its subject and the
/// verb's base form ("the owner said a man came in" → "did the owner say a man came in").
fn fronted_forms(frame: &Frame, bases: &[Vec<String>]) -> Vec<String> {
    let clause = &frame.after;
    let mut out = Vec::new();
    for verb in 1..clause.len() {
        let heads = question_heads(clause, verb, bases, true);
        let after = &clause[verb + 1..];
        for end in crate::analysis::english::fronted_ends(after) {
            for head in &heads {
                out.push(format!("{head} {}", after[..end].join(" ")));
            }
        }
    }
    out
}

/// The words of `clause` up to its verb (word `verb`) in question order, where the words
/// before the verb may be its subject: the verb before the subject where it moves there
/// ("was another glimmer of hope"; with nothing after it only where `bare` allows), and
/// "did", "does" or "do" before the subject and each base form the verb agrees with ("did
/// the council approve", "had" giving "did … have").
fn question_heads(
    clause: &[String],
    verb: usize,
    bases: &[Vec<String>],
    bare: bool,
) -> Vec<String> {
    use crate::analysis::english::{cleft, do_support, inverts, may_be_subject, takes_do_support};
    let mut out = Vec::new();
    if !may_be_subject(&clause[..verb]) {
        return out;
    }
    let subject = clause[..verb].join(" ");
    let word = clause[verb].to_lowercase();
    let next = clause.get(verb + 1).map(String::as_str);
    if inverts(&word, next) && (next.is_some() || bare) && !cleft(&word, &clause[..verb]) {
        out.push(format!("{word} {subject}"));
    }
    if takes_do_support(&clause[verb], next) {
        for base in bases.get(verb).map(Vec::as_slice).unwrap_or_default() {
            if let Some(aux) = do_support(base, &word) {
                out.push(format!("{aux} {subject} {base}"));
            }
        }
    }
    out
}

/// One way of putting a clause as a question after its opening.
enum Form {
    /// The opening is the subject: the words after the key, two at least ("Who | said
    /// the bridge would open").
    Subject,
    /// The clause before the key in a question form, then any beginning of the words after
    /// the key.
    Clause(String),
}

/// The question forms of a plan's clause (see [`question_phrasings`]).
fn question_forms(opening: &Opening, frame: &Frame, bases: &[Vec<String>]) -> Vec<Form> {
    use crate::analysis::english::BE_FORMS;
    let (before, after) = (&frame.before, &frame.after);
    let mut forms = Vec::new();
    // A subject question keeps at least two words ("Who said?" asks nothing); a time is
    // never the subject.
    // A subject question ends on a word that carries meaning: not "Who relied on?".
    if before.is_empty()
        && after.len() >= 2
        && opening.may_be_subject(&after[0])
        && !crate::text::is_stop_word("en", &after[after.len() - 1].to_lowercase())
    {
        forms.push(Form::Subject);
    }
    for verb in 1..before.len() {
        let rest = &before[verb + 1..];
        // "reach temperatures of | 1,300 degrees": the key is inside a phrase, not in a slot
        // of the clause.
        if !crate::analysis::english::leads_to_slot(rest) {
            continue;
        }
        // "Who was the head judge?": a form of "be" may stand right before the key.
        let copula =
            BE_FORMS.contains(&before[verb].to_lowercase().as_str()) && opening.may_be_complement();
        for head in question_heads(before, verb, bases, copula) {
            let clause = format!("{head} {}", rest.join(" "));
            forms.push(Form::Clause(clause.trim_end().to_string()));
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_is_phrased_as_its_clause_in_question_forms() {
        let opening = Opening::HowMany(vec!["players".into()]);
        let frame = Frame {
            before: vec!["the".into(), "club".into(), "had".into()],
            after: vec!["last".into(), "season".into()],
            fronted: false,
        };
        let bases = vec![vec![], vec![], vec!["have".into()]];
        let subject = Frame {
            before: vec![],
            after: vec!["came".into(), "from".into(), "Leeds".into()],
            fronted: false,
        };
        // Every question form, each way it may end.
        assert_eq!(
            question_phrasings(&opening, &frame, &bases),
            [
                "How many players did the club have?",
                "How many players did the club have last?",
                "How many players did the club have last season?",
            ]
        );
        assert_eq!(
            question_phrasings(&opening, &subject, &[]),
            [
                "How many players came from?",
                "How many players came from Leeds?"
            ]
        );
        // "Who relied on?": no subject question ends on a function word.
        let stops = Frame {
            before: vec![],
            after: vec!["came".into(), "here".into()],
            fronted: false,
        };
        assert!(question_phrasings(&opening, &stops, &[]).is_empty());
    }

    #[test]
    fn a_verb_is_asked_in_a_base_form_the_word_classes_know() {
        // "scored" ends as "scor" + "ed" would: "How many points did he scor?" (phrased on
        // real English news).
        let article = ArticleText::new(
            "en",
            "The club scored 40 goals last season. In the spring, coach Helen Marsh, who \
             joined in 2019, trained the players. The old club scored 25 goals and had a \
             small pitch. Mayor Tom Reed, who opened the pitch, praised the team.",
        );
        let plans = question_plans(&article, 10, 7, &HashSet::new());
        let phrasings: Vec<&String> = plans.iter().flat_map(|p| &p.phrasings).collect();
        let has = |word: &str| phrasings.iter().any(|q| text::words(q).contains(&word));
        assert!(has("score") && !has("scor"), "{phrasings:#?}");
    }

    #[test]
    fn plans_choose_the_key_its_opening_and_options_of_its_kind() {
        let article = ArticleText::new(
            "en",
            "The club had 40 players last season. In the spring, coach Helen Marsh, who \
             joined in 2019, trained the players. The old club had 25 players and a small \
             pitch. Mayor Tom Reed, who opened the pitch, praised the team. Team captain \
             Ana Lopez, who is 19, scored in every game.",
        );
        let plans = question_plans(&article, 10, 7, &HashSet::new());
        assert!(!plans.is_empty());
        for p in &plans {
            let key = &p.options[p.answer];
            assert!(p.evidence.contains(key.as_str()), "{p:?}");
            assert!(p.evidence.contains(&p.answer_phrase), "{p:?}");
            assert!(
                !p.frame
                    .before
                    .iter()
                    .chain(&p.frame.after)
                    .any(|w| w == key),
                "{p:?}"
            );
            assert!(p.options.len() >= 3, "{p:?}");
        }
        let players = plans
            .iter()
            .find(|p| p.evidence.starts_with("The club had 40"))
            .expect("a plan about the club's players");
        assert_eq!(players.opening, Opening::HowMany(vec!["players".into()]));
        assert_eq!(players.answer_phrase, "40 players");
        assert_eq!(players.frame.before, vec!["the", "club", "had"]);
        assert_eq!(players.frame.after, vec!["last", "season"]);
        assert!(
            players
                .phrasings
                .iter()
                .any(|q| q.contains("did the club have")),
            "{:?}",
            players.phrasings
        );
    }

    #[test]
    fn a_count_after_there_are_has_a_question_form_of_its_own() {
        let article = ArticleText::new(
            "en",
            "There are two primary types of gene mutations. Doctors test for three kinds of \
             change in the cells. The tests look at four genes in each sample of the tumour.",
        );
        let plans = question_plans(&article, 10, 5, &HashSet::new());
        let types = plans
            .iter()
            .find(|p| p.evidence.starts_with("There are"))
            .unwrap_or_else(|| panic!("a plan about the types: {plans:?}"));
        assert_eq!(
            types.phrasings,
            ["How many primary types of gene mutations are there?"]
        );
        assert_eq!(types.options[types.answer], "two");
        assert_eq!(types.answer_phrase, "two primary types of gene mutations");
    }

    #[test]
    fn a_person_whose_name_opens_the_sentence_is_asked_for_with_who() {
        // From real English news (B1): the description between commas is left out of the
        // question, and the name that opens the sentence is the key.
        let article = ArticleText::new(
            "en",
            "Kenneth Preston, a Broward County high school student, says he supports cameras \
             in the halls. Superintendent Robert Runcie said the cameras were ready. Jay \
             Stanley, a policy analyst, said the cameras were a risk.",
        );
        let plans = question_plans(&article, 10, 5, &HashSet::new());
        let preston = plans
            .iter()
            .find(|p| p.evidence.starts_with("Kenneth Preston"))
            .unwrap_or_else(|| panic!("a plan about Kenneth Preston: {plans:?}"));
        assert_eq!(preston.opening, Opening::Who);
        assert_eq!(preston.options[preston.answer], "Kenneth Preston");
        assert!(
            preston
                .phrasings
                .iter()
                .any(|q| q == "Who says he supports cameras in the halls?"),
            "{:?}",
            preston.phrasings
        );
        // A capital that only opens the sentence is no one.
        let article = ArticleText::new(
            "en",
            "Kenneth Preston, a student, agreed. Ann Lee, a teacher, did not. Tom Reed, a \
             parent, said nothing.",
        );
        let builder = Builder::new(&article);
        assert!(opening_person(&builder, "Yesterday Preston left early.").is_none());
        assert!(opening_person(&builder, "Preston left early.").is_some());
    }

    #[test]
    fn a_titled_person_is_asked_for_by_name_among_names_written_alike() {
        let article = ArticleText::new(
            "en",
            "A group of senior organizers in the state initially endorsed Senator Kamala \
             Harris. Joe Biden, who \
             worked with Barack Obama, leads in the state. Elizabeth Warren, who spoke in \
             Columbia, trails him. Pete Buttigieg, who came third, still campaigns here.",
        );
        let plans = question_plans(&article, 10, 3, &HashSet::new());
        let harris = plans
            .iter()
            .find(|p| p.evidence.contains("Harris"))
            .unwrap_or_else(|| panic!("a plan about Kamala Harris: {plans:?}"));
        assert_eq!(harris.opening, Opening::Who);
        assert_eq!(harris.options[harris.answer], "Kamala Harris");
        assert_eq!(harris.answer_phrase, "Senator Kamala Harris");
        assert!(
            harris
                .options
                .iter()
                .all(|o| o.split(' ').count() == 2 && !o.contains("Senator")),
            "{:?}",
            harris.options
        );
        assert_eq!(without_titles("Dr. Amanda Pinder"), "Amanda Pinder");
        assert_eq!(
            without_titles("Cambridge Police Commissioner Christine Elow"),
            "Christine Elow"
        );
        assert_eq!(without_titles("Amanda Pinder"), "Amanda Pinder");
        assert_eq!(without_titles("Senator"), "Senator");
    }

    #[test]
    fn a_month_after_in_and_a_weekday_after_on_make_time_questions() {
        let article = ArticleText::new(
            "en",
            "The council closed the old library in March after a long debate. The drivers \
             began a strike on Friday over pay. The museum reopened in May 2015 with a new \
             roof. Visitors came back on Sunday.",
        );
        let plans = question_plans(&article, 10, 3, &HashSet::new());
        let month = plans
            .iter()
            .find(|p| p.evidence.starts_with("The council"))
            .expect("a plan about the month");
        assert_eq!(month.opening, Opening::InWhichMonth);
        assert_eq!(month.answer_phrase, "in March");
        assert_eq!(month.options[month.answer], "March");
        assert!(
            month
                .options
                .iter()
                .all(|o| text::calendar_word("en", o) == Some(CalendarWord::Month))
        );
        let day = plans
            .iter()
            .find(|p| p.evidence.starts_with("The drivers"))
            .expect("a plan about the day");
        assert_eq!(day.opening, Opening::OnWhichDay);
        assert!(
            day.phrasings
                .iter()
                .any(|q| q.contains("did the drivers begin a strike")),
            "{:?}",
            day.phrasings
        );
        assert!(
            !plans.iter().any(|p| p.evidence.starts_with("The museum")),
            "'in May 2015' goes on past the month: {plans:?}"
        );
    }

    #[test]
    fn an_amount_of_money_makes_a_how_much_question_with_amounts_for_options() {
        let article = ArticleText::new(
            "en",
            "The club paid $35 million for the old stadium. Around $2 million was raised by \
             the fans for a new roof. The city spent $40 million on roads last year. Tickets \
             cost $8 cheese sandwiches at the gate. The mayor gave more than $5 million to \
             the schools. The firm bought the team for less than its original $50 million \
             asking price.",
        );
        let plans = question_plans(&article, 10, 5, &HashSet::new());
        let stadium = plans
            .iter()
            .find(|p| p.evidence.starts_with("The club paid"))
            .expect("a plan about the stadium's price");
        assert_eq!(stadium.opening, Opening::HowMuch);
        // An amount that describes a noun asks for nothing of its own.
        assert!(
            !plans.iter().any(|p| p.answer_phrase == "$50 million"),
            "{plans:?}"
        );
        assert_eq!(stadium.answer_phrase, "$35 million");
        assert_eq!(stadium.options[stadium.answer], "$35 million");
        assert!(
            stadium
                .phrasings
                .iter()
                .any(|q| q.contains("did the club pay")),
            "{:?}",
            stadium.phrasings
        );
        // Other amounts of a believable size, in the same currency: "$40 million" from
        // another sentence, not "$2 million" (17 times smaller) nor "$8".
        let others: Vec<&String> = stadium
            .options
            .iter()
            .filter(|o| *o != "$35 million")
            .collect();
        assert!(others.contains(&&"$40 million".to_string()), "{others:?}");
        for o in &others {
            let millions: f64 = o
                .strip_prefix('$')
                .and_then(|o| o.strip_suffix(" million"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{o} is no amount in millions"));
            assert!((3.5..=350.0).contains(&millions), "{o}");
        }
        // The subject of a verb: "How much was raised by the fans for a new roof?"
        let roof = plans
            .iter()
            .find(|p| p.evidence.starts_with("Around"))
            .expect("a plan about the money raised");
        assert_eq!(roof.answer_phrase, "$2 million");
        assert!(
            roof.phrasings.iter().any(|q| q.contains(" was ")),
            "{:?}",
            roof.phrasings
        );
        // "$8 cheese sandwiches": the amount is part of a phrase; "more than $5 million": a
        // bound is no answer to "how much".
        assert!(
            !plans
                .iter()
                .any(|p| p.evidence.starts_with("Tickets") || p.evidence.starts_with("The mayor")),
            "{plans:?}"
        );
    }

    #[test]
    fn a_count_written_as_a_word_makes_a_how_many_question_with_near_counts() {
        let article = ArticleText::new(
            "en",
            "The police arrested three men near the station. The two or three \
             witnesses left early. The company hired two-thirds of its staff in the town. \
             Officers Anna Berg and Tom Reed spoke to the press. The council met in March. \
             The town saw five years of strong growth.",
        );
        let plans = question_plans(&article, 10, 11, &HashSet::new());
        let men = plans
            .iter()
            .find(|p| p.evidence.starts_with("The police"))
            .expect("a plan about the men arrested");
        assert_eq!(men.opening, Opening::HowMany(vec!["men".into()]));
        assert_eq!(men.answer_phrase, "three men");
        assert_eq!(men.options[men.answer], "three");
        assert!(
            men.phrasings
                .iter()
                .any(|q| q.contains("did the police arrest")),
            "{:?}",
            men.phrasings
        );
        for o in &men.options {
            let n = count(o).unwrap_or_else(|| panic!("{o} is no count"));
            assert!((2..=6).contains(&n), "{o}");
        }
        // "two or three": one of a range; "two-thirds": part of a compound; "five years of
        // strong growth": the counted thing goes on past "years".
        assert!(
            !plans.iter().any(|p| p.evidence.contains("witnesses")
                || p.evidence.contains("thirds")
                || p.evidence.contains("growth")),
            "{plans:?}"
        );
    }

    #[test]
    fn a_place_after_in_makes_a_question_of_its_kind_with_the_articles_places() {
        let article = ArticleText::new(
            "en",
            "The band played two concerts in Chicago last week. Its singer grew up in \
             Boston before the tour. The next show is planned for Denver. The drummer met \
             fans in Ohio and in Afghanistan. A fan flew from Chicago Heights to see them.",
        );
        let plans = question_plans(&article, 10, 2, &HashSet::new());
        let boston = plans
            .iter()
            .find(|p| p.evidence.starts_with("Its singer"))
            .expect("a plan about the singer's city");
        assert_eq!(boston.opening, Opening::InWhichPlace(PlaceKind::City));
        assert_eq!(boston.answer_phrase, "in Boston");
        assert_eq!(boston.options[boston.answer], "Boston");
        assert!(
            boston
                .phrasings
                .iter()
                .any(|q| q.contains("did its singer grow up")),
            "{:?}",
            boston.phrasings
        );
        // Cities, the article's first: not the state, the country, nor "Chicago Heights"
        // (no city of the list); the third a large US city the article never names.
        let others: Vec<&String> = boston.options.iter().filter(|o| *o != "Boston").collect();
        assert_eq!(others.len(), 3, "{others:?}");
        assert!(
            others.contains(&&"Chicago".to_string()) && others.contains(&&"Denver".to_string())
        );
        let third = others
            .iter()
            .find(|o| !["Chicago", "Denver"].contains(&o.as_str()))
            .unwrap();
        assert_eq!(places::kind("en", third), Some(PlaceKind::City));
        assert!(places::alike("en", "Boston")[..LARGEST_ALIKE].contains(&third.as_str()));
        assert!(
            !article
                .sentences()
                .iter()
                .any(|s| s.contains(third.as_str()))
        );
    }

    #[test]
    fn a_place_the_article_has_no_others_of_takes_the_largest_alike() {
        let article = ArticleText::new(
            "en",
            "The stakes are high for the candidates ahead of the debate. The former vice \
             president had a formidable lead in South Carolina. His rivals hoped for a late \
             swing among older voters and the young.",
        );
        let plans = question_plans(&article, 10, 3, &HashSet::new());
        let lead = plans
            .iter()
            .find(|p| p.evidence.contains("formidable"))
            .expect("a plan about the state");
        assert_eq!(lead.opening, Opening::InWhichPlace(PlaceKind::State));
        assert_eq!(lead.options.len(), 4);
        for o in &lead.options {
            assert_eq!(places::kind("en", o), Some(PlaceKind::State), "{o}");
        }
        assert!(
            lead.phrasings.contains(
                &"In which state did the former vice president have a formidable lead?".to_string()
            ),
            "{:?}",
            lead.phrasings
        );
        assert!(!lead.phrasings.iter().any(|q| q.contains("had the former")));
    }

    #[test]
    fn a_time_that_opens_the_sentence_makes_a_question_of_the_clause_after_it() {
        let article = ArticleText::new(
            "en",
            "On Thursday, the council approved a new budget for the school. The mayor spoke \
             to parents on Monday about the plan. Teachers will meet the council again on \
             Friday to discuss the new classrooms.",
        );
        let plans = question_plans(&article, 10, 5, &HashSet::new());
        let budget = plans
            .iter()
            .find(|p| p.evidence.starts_with("On Thursday"))
            .expect("a plan about the council's day");
        assert_eq!(budget.opening, Opening::OnWhichDay);
        assert_eq!(budget.answer_phrase, "On Thursday");
        assert!(budget.frame.fronted);
        // (Without a word list "approv" is a base form too; verification knows better.)
        assert!(
            budget.phrasings.contains(
                &"On which day did the council approve a new budget for the school?".to_string()
            ),
            "{:?}",
            budget.phrasings
        );
    }

    #[test]
    fn last_or_next_before_a_month_or_day_asks_as_in_or_on_would() {
        let article = ArticleText::new(
            "en",
            "Pelco announced last February that it will provide schools with video. The \
             school board meets next Tuesday to vote on the cameras. Parents wrote to the \
             board and to Pelco in March and again in June about the plan.",
        );
        let plans = question_plans(&article, 10, 4, &HashSet::new());
        let pelco = plans
            .iter()
            .find(|p| p.evidence.starts_with("Pelco"))
            .expect("a plan about Pelco's month");
        assert_eq!(pelco.opening, Opening::InWhichMonth);
        assert_eq!(pelco.answer_phrase, "last February");
        assert!(
            pelco
                .phrasings
                .iter()
                .any(|q| q.starts_with("In which month did Pelco announc")),
            "{:?}",
            pelco.phrasings
        );
        let board = plans
            .iter()
            .find(|p| p.evidence.starts_with("The school board"))
            .expect("a plan about the board's day");
        assert_eq!(board.opening, Opening::OnWhichDay);
    }

    #[test]
    fn no_plans_without_question_rules() {
        let article = ArticleText::new("es", "El club tenía 40 jugadores la temporada pasada.");
        assert!(question_plans(&article, 3, 1, &HashSet::new()).is_empty());
    }
}
