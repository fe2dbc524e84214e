//! GBNF grammars that force the model's replies into the JSON we parse, with evidence that
//! can only be a sentence of the article and answers that can only be spans of it.

use crate::text;

/// Escapes text for use inside a JSON string.
fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("strings serialise");
    quoted[1..quoted.len() - 1].to_string()
}

/// A GBNF string literal matching `s` as it appears inside a JSON string.
fn literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in json_escape(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Longest answer span, in words.
pub const MAX_SPAN_WORDS: usize = 8;

/// Rules `{name}` matching any run of 1 to `MAX_SPAN_WORDS` whole words of `sentence` (with
/// the text between them as it is in the sentence). `{name}-i-d` is "a run starting at word
/// i with at most d words", so there are O(words x MAX_SPAN_WORDS) small rules.
fn span_rules(name: &str, sentence: &str, out: &mut String) -> bool {
    let words = text::word_spans(sentence);
    if words.is_empty() {
        return false;
    }
    for (i, (start, word)) in words.iter().enumerate() {
        for d in 1..=MAX_SPAN_WORDS.min(words.len() - i) {
            out.push_str(&format!("{name}-{i}-{d} ::= {}", literal(word)));
            if d > 1 {
                let (next_start, _) = words[i + 1];
                let sep = &sentence[start + word.len()..next_start];
                out.push_str(&format!(" ({} {name}-{}-{})?", literal(sep), i + 1, d - 1));
            }
            out.push('\n');
        }
    }
    let starts: Vec<String> = (0..words.len())
        .map(|i| format!("{name}-{i}-{}", MAX_SPAN_WORDS.min(words.len() - i)))
        .collect();
    out.push_str(&format!("{name} ::= {}\n", starts.join(" | ")));
    true
}

const FREE_TEXT_RULES: &str = r#"question ::= qchar{8,120} "?"
qchar ::= [^"\\?<>\x00-\x1f]
option ::= ochar{1,48}
ochar ::= [^"\\<>\x00-\x1f]
"#;

/// What the model is asked to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"evidence", "question", "answer", "wrong": [3]}`
    MultipleChoice,
    /// `{"evidence", "question", "answer"}`
    ShortAnswer,
    /// `{"evidence", "word", "meaning", "wrong": [3]}`: the word is one of the evidence's.
    Vocabulary,
}

/// Words worth asking the meaning of: long enough, not function words, letters only.
pub fn vocabulary_words<'a>(lang: &str, sentence: &'a str) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    text::words(sentence)
        .into_iter()
        .filter(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
        .filter(|w| !text::is_stop_word(lang, &w.to_lowercase()))
        .filter(|w| seen.insert(*w))
        .collect()
}

/// The grammar for one exercise: evidence is one of `sentences` (verbatim), the answer a
/// span of that same sentence (for vocabulary: the word is one of its words).
pub fn exercise_grammar(lang: &str, sentences: &[&str], shape: Shape) -> String {
    let mut rules = String::new();
    let mut choices = Vec::new();
    if shape == Shape::Vocabulary {
        for (k, sentence) in sentences.iter().enumerate() {
            let words = vocabulary_words(lang, sentence);
            if words.is_empty() {
                continue;
            }
            let alternatives: Vec<String> = words.iter().map(|w| literal(w)).collect();
            rules.push_str(&format!("word{k} ::= {}\n", alternatives.join(" | ")));
            rules.push_str(&format!(
                "ev{k} ::= {} \"\\\", \\\"word\\\": \\\"\" word{k} {}\n",
                literal(sentence),
                r#""\", \"meaning\": \"" option "\", \"wrong\": [\"" option "\", \"" option "\", \"" option "\"]}""#
            ));
            choices.push(format!("ev{k}"));
        }
        return format!(
            "root ::= \"{{\\\"evidence\\\": \\\"\" ({})\n{rules}{FREE_TEXT_RULES}",
            choices.join(" | ")
        );
    }
    for (k, sentence) in sentences.iter().enumerate() {
        let span = format!("span{k}");
        if !span_rules(&span, sentence, &mut rules) {
            continue;
        }
        let tail = match shape {
            Shape::MultipleChoice => {
                r#" "\", \"wrong\": [\"" option "\", \"" option "\", \"" option "\"]}""#
            }
            Shape::ShortAnswer | Shape::Vocabulary => r#" "\"}""#,
        };
        rules.push_str(&format!(
            "ev{k} ::= {} \"\\\", \\\"question\\\": \\\"\" question \"\\\", \\\"answer\\\": \\\"\" {span}{tail}\n",
            literal(sentence)
        ));
        choices.push(format!("ev{k}"));
    }
    format!(
        "root ::= \"{{\\\"evidence\\\": \\\"\" ({})\n{rules}{FREE_TEXT_RULES}",
        choices.join(" | ")
    )
}

/// The grammar for a short answer copied from the text: `{"answer": "<span>"}`.
pub fn span_answer_grammar(sentences: &[&str]) -> String {
    let mut rules = String::new();
    let mut choices = Vec::new();
    for (k, sentence) in sentences.iter().enumerate() {
        let span = format!("s{k}");
        if span_rules(&span, sentence, &mut rules) {
            choices.push(span);
        }
    }
    format!(
        "root ::= \"{{\\\"answer\\\": \\\"\" ({}) \"\\\"}}\"\n{rules}",
        choices.join(" | ")
    )
}

/// The grammar for picking one of `n` options by letter.
pub fn choice_grammar(n: usize) -> String {
    let letters: Vec<String> = (0..n.max(1))
        .map(|i| format!("\"{}\"", crate::exercise::option_letter(i)))
        .collect();
    format!("root ::= {}\n", letters.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_json_and_gbnf() {
        assert_eq!(
            literal(r#"He said "hi" \o/"#),
            r#""He said \\\"hi\\\" \\\\o/""#
        );
    }

    #[test]
    fn span_rules_chain_words_with_their_separators() {
        let mut out = String::new();
        span_rules("s", "Robots, 12,000 of them.", &mut out);
        assert!(out.contains(r#"s-0-4 ::= "Robots" (", " s-1-3)?"#), "{out}");
        assert!(out.contains(r#"s-1-3 ::= "12,000" (" " s-2-2)?"#), "{out}");
        assert!(out.contains(r#"s-3-1 ::= "them""#), "{out}");
        assert!(out.contains("s ::= s-0-4 | s-1-3 | s-2-2 | s-3-1"), "{out}");
    }

    #[test]
    fn exercise_grammar_ties_answer_to_its_evidence() {
        let g = exercise_grammar("en", &["One two three.", "Four five."], Shape::ShortAnswer);
        assert!(g.starts_with("root ::= "));
        assert!(g.contains("ev0 ::= \"One two three.\""), "{g}");
        assert!(g.contains("span1"), "{g}");
        assert!(choice_grammar(3).contains("\"C\""));
    }

    #[test]
    fn vocabulary_grammar_offers_the_evidence_words() {
        let g = exercise_grammar(
            "en",
            &["The festival attracted thousands of visitors."],
            Shape::Vocabulary,
        );
        assert!(
            g.contains(r#"word0 ::= "festival" | "attracted" | "thousands" | "visitors""#),
            "{g}"
        );
        assert!(g.contains(r#"ev0 ::= "The festival attracted thousands of visitors." "\", \"word\": \"" word0 "\", \"meaning\": \"" option"#), "{g}");
    }
}
