//! Text that speaks to the reader or to a model, links and markup: what no exercise, no
//! glossary example and no model prompt may be made from.

use crate::text::{self, ends_as_sentence};

pub(crate) fn has_url(s: &str) -> bool {
    let l = s.to_lowercase();
    l.contains("http://") || l.contains("https://") || l.contains("www.") || l.contains("://")
}

pub(crate) fn has_markup(s: &str) -> bool {
    s.contains('<')
        || s.contains('>')
        || s.contains("&lt;")
        || s.contains("&gt;")
        || s.contains("&amp;")
}

/// Phrases of prompt injection: text that talks to a language model, or about the exercise,
/// rather than to a reader of the news.
const INSTRUCTION_PHRASES: &[&str] = &[
    "ignore the above",
    "ignore all previous",
    "ignore previous",
    "previous instructions",
    "disregard the above",
    "system:",
    "assistant:",
    "as an ai",
    "you are an ai",
    "language model",
    "your prompt",
    "hidden instruction",
    "jailbreak",
    "correct answer is",
    "right answer is",
    "correct option",
    "true or false",
    "ignora las instrucciones",
    "respuesta correcta es",
    "verdadero o falso",
    "ignore les instructions",
    "bonne réponse est",
    "vrai ou faux",
    "ignoriere die",
    "richtige antwort ist",
    "richtig oder falsch",
    "игнорируй",
    "правильный ответ:",
    "правильный ответ —",
    "верно или неверно",
];

/// Phrases of a line about the publication rather than the news: a credit or a note on where
/// and when the article appeared ("This article was published in the January 2015 issue"),
/// in every supported language. "When was the article published?" tests no reading.
const PUBLICATION_PHRASES: &[&str] = &[
    "this article",
    "this story",
    "this post",
    "originally published",
    "originally appeared",
    "a version of this",
    "contributed to this report",
    "este artículo",
    "esta nota",
    "publicado originalmente",
    "cet article",
    "publié initialement",
    "dieser artikel",
    "dieser beitrag",
    "erschien zuerst",
    "эта статья",
    "впервые опубликован",
    "questo articolo",
];

/// Imperatives that tell a reader or a model what to do with a test, in every supported
/// language: a clause that begins with one addresses the reader, wherever it stands. Words
/// that also begin news sentences as nouns or names ("Mark", "Marca", "Di", "Print") are left
/// out on purpose.
const TEST_IMPERATIVES: &[&str] = &[
    // en
    "answer",
    "choose",
    "select",
    "pick",
    "ignore",
    "disregard",
    "tick",
    "respond",
    "reply",
    // es
    "responde",
    "responda",
    "responded",
    "contesta",
    "conteste",
    "elige",
    "elija",
    "escoge",
    "escoja",
    "selecciona",
    "seleccione",
    "marque",
    "ignora",
    "ignore",
    // fr
    "réponds",
    "répondez",
    "choisis",
    "choisissez",
    "sélectionne",
    "sélectionnez",
    "coche",
    "cochez",
    "ignorez",
    "indiquez",
    "marquez",
    // de (du-form; the Sie-form is below)
    "antworte",
    "beantworte",
    "wähle",
    "markiere",
    "kreuze",
    "ignoriere",
    // ru
    "ответь",
    "ответьте",
    "выбери",
    "выберите",
    "отметь",
    "отметьте",
    "игнорируй",
    "игнорируйте",
    "проигнорируй",
    "проигнорируйте",
    "укажи",
    "укажите",
];

/// Imperatives that address the reader only at the start of a sentence ("Say what you
/// will ..." opens a sentence; ", say oceanographers" reports one).
const SENTENCE_IMPERATIVES: &[&str] = &[
    "say",
    "tell",
    "forget",
    "write",
    "pretend",
    "output",
    "diga",
    "decid",
    "olvida",
    "olvide",
    "escribe",
    "escriba",
    "repite",
    "repita",
    "oublie",
    "oubliez",
    "écris",
    "écrivez",
    "dites",
    "vergiss",
    "schreibe",
    "schreib",
    "sag",
    "gib",
    "забудь",
    "забудьте",
    "напиши",
    "напишите",
    "скажи",
    "скажите",
];

/// German verbs whose imperative is the infinitive followed by "Sie" ("Antworten Sie ...").
const GERMAN_SIE_IMPERATIVES: &[&str] = &[
    "antworten",
    "beantworten",
    "wählen",
    "markieren",
    "kreuzen",
    "ignorieren",
    "vergessen",
    "schreiben",
    "sagen",
    "geben",
];

/// Words that may come before an imperative ("Please answer", "Now choose").
const SOFTENERS: &[&str] = &[
    "please",
    "now",
    "just",
    "simply",
    "por",
    "favor",
    "ahora",
    "bitte",
    "jetzt",
    "nun",
    "maintenant",
    "пожалуйста",
    "теперь",
];

pub(crate) fn looks_like_instructions(s: &str) -> bool {
    let l = s.to_lowercase();
    INSTRUCTION_PHRASES.iter().any(|p| l.contains(p))
}

/// Whether a clause (a piece of a sentence between punctuation) begins with an imperative
/// that addresses the reader or a model; `sentence_start`: the clause opens a sentence.
fn clause_is_imperative(clause: &str, sentence_start: bool) -> bool {
    let words: Vec<&str> = clause
        .split(char::is_whitespace)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while i < words.len() && i < 3 && SOFTENERS.contains(&words[i].to_lowercase().as_str()) {
        i += 1;
    }
    let Some(first) = words.get(i) else {
        return false;
    };
    let lower = first.to_lowercase();
    TEST_IMPERATIVES.contains(&lower.as_str())
        || (sentence_start && SENTENCE_IMPERATIVES.contains(&lower.as_str()))
        || (GERMAN_SIE_IMPERATIVES.contains(&lower.as_str()) && words.get(i + 1) == Some(&"Sie"))
}

/// The pieces of a sentence between sentence-ending marks followed by a space (fragments
/// such as "Answer B." are joined to the sentence before them; "document.write" is one
/// word).
fn sentence_pieces(sentence: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut chars = sentence.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            let ends = matches!(c, '.' | '!' | '?')
                && chars.peek().is_none_or(|(_, next)| next.is_whitespace());
            if ends {
                let piece = &sentence[start..i];
                start = i + c.len_utf8();
                return Some(piece);
            }
        }
        (start < sentence.len()).then(|| {
            let piece = &sentence[start..];
            start = sentence.len();
            piece
        })
    })
}

/// Whether a sentence addresses the reader or a model instead of reporting: instructions to a
/// model, talk about answers and options, a note about the publication itself ("This article
/// was published in ..."), or a clause that begins with an imperative such as "Answer",
/// "Choose" or "Ignore" (in any supported language). Such a sentence, and the
/// paragraph it stands in, is never an exercise source, a distractor source or a glossary
/// line.
pub fn addresses_reader(sentence: &str) -> bool {
    const CLAUSE_BREAKS: [char; 13] = [
        ';', ':', ',', '—', '–', '(', ')', '"', '«', '»', '“', '”', '„',
    ];
    let lower = sentence.to_lowercase();
    looks_like_instructions(sentence)
        || PUBLICATION_PHRASES
            .iter()
            .any(|p| text::has_phrase(&lower, p))
        || sentence_pieces(sentence).any(|piece| {
            piece
                .split(CLAUSE_BREAKS)
                .enumerate()
                .any(|(i, clause)| clause_is_imperative(clause, i == 0))
        })
}

/// The text without its paragraphs that address the reader or a model (see
/// [`addresses_reader`]): what generation, verification and glossaries may draw from. Every
/// sentence of the result is a verbatim sentence of `text`.
pub fn without_addressed_paragraphs(text: &str) -> std::borrow::Cow<'_, str> {
    let kept: Vec<&str> = text::paragraphs(text)
        .filter(|p| !text::sentences(p).iter().any(|s| addresses_reader(s)))
        .collect();
    if kept.len() == text::paragraphs(text).count() {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(kept.join("\n\n"))
}

/// Whether a sentence of an article may be shown to a learner on its own (as a glossary
/// example, say): a whole sentence (it ends as one: a subheading such as "Why amateurs
/// still matter" does not), no links, no markup, nothing that talks to the reader or a model.
pub fn quotable(sentence: &str) -> bool {
    ends_as_sentence(sentence)
        && !has_url(sentence)
        && !has_markup(sentence)
        && !addresses_reader(sentence)
}
