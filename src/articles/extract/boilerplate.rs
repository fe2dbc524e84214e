//! Blocks inside the container that are not the article: labels of link lists, calls to
//! the reader, datelines, picture credits, advertisement markers, related-link labels.

/// A block this short that is not a sentence is a label, not text.
pub(super) const LABEL_MAX_CHARS: usize = 60;

/// Drops the short, sentence-less blocks that end many extractions: "Related:", "More on
/// this topic", "About the author", titles of other articles, a date; and the short calls to
/// the reader after the article ("Jetzt teilen!", "War dieser Artikel hilfreich?"). The
/// article's own last paragraph ends a sentence; the first block is always kept.
pub(super) fn trim_trailing_labels(blocks: &mut Vec<String>) {
    while blocks.len() > 1 && blocks.last().is_some_and(|b| is_label(b) || is_call(b)) {
        blocks.pop();
    }
}

/// Longest call to the reader, in characters.
pub(super) const CALL_MAX_CHARS: usize = 40;

/// A short question or exclamation: at the end of an article, a call to share, rate or
/// comment rather than its text.
pub(super) fn is_call(block: &str) -> bool {
    block.chars().count() <= CALL_MAX_CHARS && block.trim_end().ends_with(['?', '!', '？', '！'])
}

/// A short block that is not a sentence: a heading or a label ("Read more:").
pub(super) fn is_label(block: &str) -> bool {
    block.chars().count() <= LABEL_MAX_CHARS && (block.ends_with(':') || !ends_sentence(block))
}

/// The links left out of the text take the label just before them along ("Related
/// stories", "More on this topic:").
pub(super) fn drop_label(out: &mut Vec<String>) {
    if out.last().is_some_and(|b| is_label(b)) {
        out.pop();
    }
}

/// Month names and their usual abbreviations (first three letters match), in the
/// languages whose pages are most common: a date written out ("2. Februar 2022").
pub(super) const MONTHS: &[&str] = &[
    // en, de, fr, es, it, pl (stems where the forms differ). Extraction runs before the
    // language is known, so these are pooled here rather than taken from the homes.
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "januar",
    "februar",
    "märz",
    "mai",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "janvier",
    "février",
    "mars",
    "avril",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "gennaio",
    "febbraio",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "settembre",
    "ottobre",
    "dicembre",
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

/// Longest dateline or photo credit, in characters.
pub(super) const STAMP_MAX_CHARS: usize = 60;
/// Words besides the date a dateline may have: that it was published or updated, and when
/// ("Veröffentlicht am", "Update vom", "Publikacja:"). Stems of five letters or more match
/// as prefixes (veröffentlichung, publicado, opublikowano). Any other word makes the block
/// content: "Termin: 29.02.2020".
pub(super) const DATELINE_WORDS: &[&str] = &[
    "veröffentlich",
    "aktualisier",
    "erschien",
    "stand",
    "datum",
    "publi",
    "opublikow",
    "updat",
    "posted",
    "actualiz",
    "aktualiz",
    "pubblica",
    "aggiorna",
    "date",
    "am",
    "vom",
    "um",
    "on",
    "at",
    "le",
    "el",
    "il",
    "de",
    "del",
    "à",
    "a",
    "pm",
    "uhr",
    "h",
];

/// A block that is only a date or time, perhaps with words saying it was published or
/// updated ([`DATELINE_WORDS`]): "23.10.2018", "Veröffentlichung: 2. Februar 2022",
/// "Aktualisiert: 11.04.2020, 10:27", "3:59 PM". The article's date is metadata; in the text
/// it is not prose to read.
pub(super) fn is_dateline(block: &str) -> bool {
    if block.chars().count() > STAMP_MAX_CHARS || !block.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let (mut date, mut time, mut year, mut month) = (false, false, false, false);
    for token in block.split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')')) {
        let t = token.trim_end_matches([':', '.']).to_lowercase();
        if t.is_empty() || t == "-" || t == "–" {
            continue;
        }
        let digits = t.chars().filter(char::is_ascii_digit).count();
        let groups = t
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .count();
        let numeric = t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | '-' | ':' | '+' | 't'));
        if numeric && digits > 0 {
            if t.contains(':') && groups <= 3 && !t.contains(['.', '/']) && !t.contains('-') {
                time = true;
            } else if groups >= 3 {
                date = true;
            } else if groups == 1 {
                year |= digits == 4;
            } else {
                return false;
            }
        } else if t.chars().all(char::is_alphabetic) {
            if MONTHS
                .iter()
                .any(|m| *m == t || (t.chars().count() >= 3 && m.starts_with(&t)))
            {
                month = true;
            } else if !DATELINE_WORDS
                .iter()
                .any(|w| *w == t || (w.chars().count() >= 5 && t.starts_with(w)))
            {
                return false;
            }
        } else {
            return false;
        }
    }
    date || time || (month && year)
}

/// Words that open a photo credit ("Foto: Anita Drenckhahn", "(Credit: Clayton Aldern)").
pub(super) const CREDIT_WORDS: &[&str] = &[
    "credit",
    "credits",
    "photo",
    "photos",
    "foto",
    "fotos",
    "bild",
    "bilder",
    "titelbild",
    "beitragsbild",
    "image",
    "images",
    "fotograf",
    "crédit",
    "crédits",
    "imagen",
    "fotografía",
];

/// A short block that credits a picture, which a lesson does not show.
pub(super) fn is_photo_credit(block: &str) -> bool {
    if block.chars().count() > STAMP_MAX_CHARS {
        return false;
    }
    let lower = block
        .trim_start_matches(['(', '['])
        .trim_start()
        .to_lowercase();
    lower.split_once(':').is_some_and(|(head, _)| {
        CREDIT_WORDS.contains(&head.trim()) || head.trim() == "quelle" && lower.contains("foto")
    })
}

/// Words that mark an advertisement or a sponsored post.
pub(super) const AD_WORDS: &[&str] = &[
    "anzeige",
    "werbung",
    "advertisement",
    "advertorial",
    "sponsored",
    "gesponsert",
    "publicidad",
    "publicité",
    "reklama",
    "pubblicità",
];
/// Longest advertisement marker, in characters.
pub(super) const AD_MARKER_MAX_CHARS: usize = 80;

/// A short block that marks an advertisement or discloses one: "Advertisement", "- Anzeige -",
/// "*Werbung. Dieser Beitrag enthält Werbung für ...". Not the article's text.
pub(super) fn is_ad_marker(block: &str) -> bool {
    short_block_opening(block, AD_MARKER_MAX_CHARS).is_some_and(|lower| {
        let word: String = lower.chars().take_while(|c| c.is_alphabetic()).collect();
        AD_WORDS.contains(&word.as_str())
    })
}

/// A block of at most `max_chars`, lower-cased from its first letter or digit (past bullets,
/// dashes and brackets); `None` for a longer block.
pub(super) fn short_block_opening(block: &str, max_chars: usize) -> Option<String> {
    (block.chars().count() <= max_chars).then(|| {
        block
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    })
}

/// How pages introduce links to their other articles, lower-cased; a short block that opens
/// with one is navigation ("Mehr zum Thema", "Lesen Sie auch", "Czytaj też: ...").
pub(super) const RELATED_LABELS: &[&str] = &[
    "mehr zum thema",
    "mehr zu ",
    "zum weiterlesen",
    "auch interessant",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "lesen sie auch",
    "lies auch",
    "weitere artikel",
    "weitere beiträge",
    "ähnliche beiträge",
    "ähnliche artikel",
    "verwandte artikel",
    "neueste artikel",
    "schon gelesen",
    "read more",
    "related",
    "you may also like",
    "more from",
    "le puede interesar",
    "te puede interesar",
    "también te puede interesar",
    "lee también",
    "lea también",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "voir aussi",
    "leggi anche",
    "czytaj też",
    "czytaj także",
    "zobacz też",
    "dowiedz się więcej",
];
/// Longest block taken for a related-links label, in characters.
pub(super) const RELATED_LABEL_MAX_CHARS: usize = 60;

pub(super) fn is_related_label(block: &str) -> bool {
    short_block_opening(block, RELATED_LABEL_MAX_CHARS)
        .is_some_and(|lower| RELATED_LABELS.iter().any(|label| lower.starts_with(label)))
}

/// How a paywall's notice opens where the free part of an article ends, lower-cased: the
/// rest of the story is for subscribers ("To view the full story, please subscribe to The
/// Haitian Times.", on a real news page). What follows such a block is the offer, not the
/// article. Only the opening counts: "She asked them to continue reading aloud." is text.
pub(super) const PAYWALL_PHRASES: &[&str] = &[
    "to view the full story",
    "to read the full story",
    "to read the full article",
    "to read the rest of",
    "to continue reading",
    "continue reading with a subscription",
    "subscribe to continue reading",
    "subscribe to read the full",
    "this article is for subscribers",
    // Springer's article previews (real page): the rest is the reference list.
    "this is a preview of subscription content",
    "this content is for subscribers",
    "this story is for subscribers",
    "exclusive to subscribers",
    "um weiterzulesen",
    "lesen sie jetzt weiter mit",
    "weiterlesen mit",
    "dieser artikel ist nur für abonnenten",
    "pour lire la suite",
    "la suite est réservée aux abonnés",
    "cet article est réservé aux abonnés",
    "para seguir leyendo",
    "para continuar leyendo",
    "contenido exclusivo para suscriptores",
    "per continuare a leggere",
    "articolo riservato agli abbonati",
];
/// Longest block taken for a paywall's notice, in characters.
pub(super) const PAYWALL_MAX_CHARS: usize = 300;

/// Headings of the list of works a paper cites, lower-cased. What follows one is a list of
/// titles, authors and years ("Therapeutic management of DRESS: a retrospective study of 38
/// cases. J Am Acad Dermatol. 2015;72(2):246–52."), no text to read: on a real page they
/// became a true/false and a year's gap.
pub(super) const REFERENCE_HEADINGS: &[&str] = &[
    "references",
    "bibliography",
    "works cited",
    "literatur",
    "literaturverzeichnis",
    "literaturangaben",
    "einzelnachweise",
    "quellen",
    "références",
    "références bibliographiques",
    "bibliographie",
    "referencias",
    "bibliografía",
    "riferimenti bibliografici",
    "bibliografia",
    "список литературы",
    "литература",
];

/// Where the article ends inside its container: the index of the first block after the
/// first one that is a paywall's notice ([`PAYWALL_PHRASES`]; the notice and the offer after
/// it are not the article) or the heading of a reference list ([`REFERENCE_HEADINGS`]).
pub(super) fn article_end(blocks: &[String]) -> Option<usize> {
    blocks
        .iter()
        .skip(1)
        .position(|b| {
            short_block_opening(b, PAYWALL_MAX_CHARS).is_some_and(|lower| {
                PAYWALL_PHRASES.iter().any(|p| lower.starts_with(p))
                    || REFERENCE_HEADINGS.contains(&lower.trim_end_matches([':', ' ']))
            })
        })
        .map(|i| i + 1)
}

/// Whether text ends as a sentence does (closing quotes and brackets allowed after it).
pub(super) fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']'])
        .ends_with(['.', '!', '?', '。', '！', '？', '…'])
}
