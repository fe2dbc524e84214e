use scraper::Selector;

use super::boilerplate::{is_ad_marker, is_dateline, is_photo_credit, trim_trailing_labels};
use super::score::{lead_tokens, token_matches};
use super::{clean_inline, extract};

use super::*;

const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Robot cleans harbour | The Courier</title>
<meta property="og:title" content="Robot cleans the harbour">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2026-11-23T07:30:00Z">
<meta property="og:image" content="/img/robot.jpg">
<script>var tracking = "do not extract me";</script></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to improve your experience, accept them all now.</div>
<article><h1>Robot cleans the harbour</h1><p class="byline">By Jane Doe</p>
<p>A small underwater robot collected 340 kilograms of plastic from the harbour of Port Alden in six weeks, the city said on Monday.</p>
<h2>How it works</h2>
<p>The robot, called Skimmer, moves slowly along the sea floor, and it uses a camera, a net and a small motor to find and catch waste.</p>
<p>Engineers from the local college built it for 12,000 euros, which is much less than a boat with a crew would cost.</p>
<aside class="related"><a href="/a">Related story one</a><a href="/b">Related story two</a></aside>
</article>
<section class="comments"><p>Great news, I love this robot, it is wonderful!</p></section>
<footer><p>Copyright 2026 The Courier, all rights reserved, every single one.</p></footer></body></html>"#;

#[test]
fn extracts_article_text_and_metadata_without_boilerplate() {
    let base = url::Url::parse("https://courier.example/news/robot.html").unwrap();
    let got = extract(PAGE, Some(&base));
    assert_eq!(got.title.as_deref(), Some("Robot cleans the harbour"));
    assert_eq!(got.byline.as_deref(), Some("Jane Doe"));
    assert_eq!(got.declared_lang.as_deref(), Some("en"));
    assert_eq!(got.published.as_deref(), Some("2026-11-23T07:30:00+00:00"));
    assert_eq!(
        got.image.as_deref(),
        Some("https://courier.example/img/robot.jpg")
    );
    let paragraphs: Vec<&str> = got.text.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 4, "{}", got.text);
    assert!(paragraphs[0].starts_with("A small underwater robot"));
    assert_eq!(paragraphs[1], "How it works");
    for noise in [
        "cookies",
        "Related story",
        "Great news",
        "Copyright",
        "tracking",
        "Home",
    ] {
        assert!(
            !got.text.contains(noise),
            "`{noise}` leaked into: {}",
            got.text
        );
    }
}

#[test]
fn decoding_honours_bom_valid_utf8_meta_and_header() {
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(
        "<html><head><meta charset=\"windows-1251\"></head><body><p>Привет, мир</p></body></html>",
    );
    assert!(decode_html(&cp1251, None).contains("Привет, мир"));
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("<p>Café crème</p>");
    assert!(decode_html(&latin, Some("text/html; charset=ISO-8859-1")).contains("Café crème"));
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice("<p>Größe</p>".as_bytes());
    assert!(decode_html(&bom, Some("text/html; charset=ISO-8859-1")).contains("Größe"));
    // Re-saved as UTF-8 with the old declaration left in: the bytes win.
    let resaved = "<meta charset=\"gb2312\"><p>谷歌在2014年收购</p>".as_bytes();
    assert!(decode_html(resaved, None).contains("谷歌在2014年收购"));
}

#[test]
fn an_article_split_into_blocks_between_images_is_kept_whole() {
    let block = |i: usize| {
        format!(
            "<div class=\"o-block\"><div class=\"grid\"><div class=\"cell\"><div class=\"article-text\">\
             <p>Part {i} of the review, with a sentence long enough to count, and a comma or two, \
             which is what a real paragraph of a review has, more or less, in the end.</p>\
             <p>Another sentence of part {i}, also long enough, with commas, clauses, and the rest.</p>\
             </div></div></div></div><div class=\"breakout\"><img src=\"/i{i}.jpg\"></div>"
        )
    };
    let body: String = (1..=5).map(block).collect();
    let page = format!(
        "<html><body><nav><a href=\"/\">Home</a></nav><main><div class=\"body\">{body}</div></main>\
         <div class=\"related\"><a href=\"/x\">Other story, click here now</a></div></body></html>"
    );
    let got = extract(&page, None).text;
    for i in 1..=5 {
        assert!(got.contains(&format!("Part {i} of the review")), "{got}");
    }
    assert!(!got.contains("Other story"), "{got}");
}

#[test]
fn a_div_of_spans_is_a_paragraph() {
    let line = |t: &str| format!("<div style=\"direction: ltr\"><span>{t}</span></div>");
    let chapter: String = [
        "“Were you expecting the competition for the showers to be the highest drama part of gym class?” Alden asked.",
        "It was a ten minute walk from the building, right on the edge of campus, and they had both had the same idea.",
        "Haoyu laughed, shook his head, and said nothing at all for a while, which was unlike him.",
    ]
    .iter()
    .map(|t| line(t))
    .collect();
    let page = format!(
        "<html><body><div class=\"chapter-content\"><div>{chapter}</div></div>\
         <div class=\"author-note\"><p>Notes: thanks for reading, see you next week.</p></div></body></html>"
    );
    let got = extract(&page, None).text;
    assert!(
        got.contains("Alden asked") && got.contains("unlike him"),
        "{got}"
    );
}

#[test]
fn an_article_inside_a_wrapper_with_a_boilerplate_class_is_kept() {
    let para = "<p>The council agreed on Tuesday to plant four hundred trees along the river, \
                and the work will start in the spring when the ground is soft again.</p>";
    let page = format!(
        "<html><body><div class=\"nav-drawer widget\"><div class=\"ad-portal\">{}</div></div>\
         <div class=\"comments\"><p>First!</p></div></body></html>",
        para.repeat(6)
    );
    let got = extract(&page, None);
    assert!(got.text.starts_with("The council agreed"), "{}", got.text);
    assert_eq!(got.text.split("\n\n").count(), 6, "{}", got.text);
    // Words match whole class tokens: "loads" and "header-ads" are not alike.
    let tokens = vec!["loads".to_string(), "thread".to_string()];
    assert!(!token_matches(&tokens, &["ads", "ad"]));
    assert!(token_matches(&["sidebarleft".to_string()], &["sidebar"]));
}

#[test]
fn a_page_without_structure_falls_back_to_its_paragraphs() {
    let got = extract(
        "<p>Only one paragraph here, but it is long enough to be the text of the page.</p>",
        None,
    );
    assert!(got.text.starts_with("Only one paragraph"));
}

/// Three paragraphs of prose, each with a sentence about `topic`.
fn prose(topic: &str) -> String {
    (1..=3)
        .map(|i| {
            format!(
                "<p>Paragraph {i} about {topic}, long enough to count as text, with a comma, \
                 another clause, and a full stop at the end of it.</p>"
            )
        })
        .collect()
}

#[test]
fn captions_and_meta_lines_inside_the_article_are_left_out() {
    let page = format!(
        "<html><body><article><div class=\"entry-content\">{}\
         <figure><img src=\"/a.jpg\"><figcaption>Photo: Agency/Jane Roe</figcaption></figure>\
         <p class=\"wp-caption-text\">The harbour at dawn, seen from the north pier.</p>\
         <div class=\"entry-meta\">Posted on 3 March by the editors of the site.</div>{}\
         </div></article></body></html>",
        prose("the harbour"),
        prose("the ferries")
    );
    let got = extract(&page, None).text;
    assert!(got.contains("Paragraph 1 about the harbour"), "{got}");
    assert!(got.contains("Paragraph 3 about the ferries"), "{got}");
    // "entry" is a likely word, but it names whose meta line this is.
    for gone in ["Agency/Jane Roe", "seen from the north pier", "Posted on"] {
        assert!(!got.contains(gone), "{gone}: {got}");
    }
}

#[test]
fn a_lead_in_the_header_comes_before_the_body() {
    let page = format!(
        "<html><body><article><header><h1>Harbour reopens</h1>\
         <p class=\"article-lead\">After two years of repairs the old harbour opens again \
         to ferries and fishing boats this week.</p></header>\
         <div class=\"story\">{}</div></article></body></html>",
        prose("the harbour")
    );
    let got = extract(&page, None).text;
    assert!(got.starts_with("After two years of repairs"), "{got}");
    assert!(got.contains("Paragraph 3 about the harbour"), "{got}");
    // A class word split in two ("sub-headline") names a lead too.
    let split = page.replace("article-lead", "article--sub-headline");
    let got = extract(&split, None).text;
    assert!(got.starts_with("After two years of repairs"), "{got}");
    let doc = Html::parse_fragment("<h2 class=\"stand-first\">Lead</h2>");
    let h2 = doc.select(&Selector::parse("h2").unwrap()).next().unwrap();
    assert_eq!(lead_tokens(h2.value()), ["stand", "first", "standfirst"]);
}

#[test]
fn a_page_wrapped_in_a_form_or_an_unclosed_banner_is_read() {
    // ASP.NET WebForms pages put the whole body in one form.
    let asp = format!(
        "<html><body><form id=\"aspnetForm\"><div class=\"col\">{}{}</div>\
         </form><form class=\"search\"><input name=\"q\"><p>Search the archive for more.</p>\
         </form></body></html>",
        prose("the council"),
        prose("the budget")
    );
    let got = extract(&asp, None).text;
    assert!(got.contains("Paragraph 2 about the council"), "{got}");
    assert!(!got.contains("Search the archive"), "{got}");
    // A header left open swallows the page: its main region still counts.
    let banner = format!(
        "<html><body><header role=\"banner\"><a href=\"/\">Home</a>\
         <main role=\"main\"><div class=\"node\">{}</div></main></body></html>",
        prose("the election")
    );
    let got = extract(&banner, None).text;
    assert!(got.contains("Paragraph 2 about the election"), "{got}");
}

#[test]
fn an_article_in_sections_is_gathered_from_its_named_body() {
    let page = format!(
        "<html><body><div class=\"entry-content\">\
         <section class=\"part\"><div class=\"inner\"><div class=\"text\">{}{}</div></div></section>\
         <section class=\"part\"><div class=\"inner\"><div class=\"text\">{}</div></div></section>\
         </div></body></html>",
        prose("the river"),
        prose("the bridge"),
        prose("the mill")
    );
    let got = extract(&page, None).text;
    assert!(got.contains("Paragraph 1 about the river"), "{got}");
    assert!(got.contains("Paragraph 3 about the mill"), "{got}");
}

#[test]
fn labels_of_link_lists_and_at_the_end_are_dropped() {
    let page = format!(
        "<html><body><div class=\"story\">{}<h3>Read more</h3><ul>\
         <li><a href=\"/1\">The harbour in winter</a></li><li><a href=\"/2\">Ferry times</a></li>\
         </ul>{}<p>About the author</p><p>Follow us:</p></div></body></html>",
        prose("the harbour"),
        prose("the ferries")
    );
    let got = extract(&page, None).text;
    assert!(got.ends_with("at the end of it."), "{got}");
    assert!(!got.contains("Read more"), "{got}");
    assert!(got.contains("Paragraph 1 about the ferries"), "{got}");
    let mut blocks: Vec<String> = vec!["Text.".into(), "Related:".into(), "By Jane".into()];
    trim_trailing_labels(&mut blocks);
    assert_eq!(blocks, ["Text."]);
    let mut blocks: Vec<String> = vec![
        "Text.".into(),
        "Ready for the winter?".into(),
        "The harbour opens again on Monday, and the ferries run every hour!".into(),
        "War dieser Artikel hilfreich?".into(),
        "Jetzt teilen!".into(),
    ];
    trim_trailing_labels(&mut blocks);
    assert_eq!(blocks.len(), 3, "a long exclamation is text: {blocks:?}");
}

#[test]
fn a_drop_cap_joins_its_paragraph() {
    let page = format!(
        "<html><body><div class=\"story\"><span class=\"cap\">T</span><p>urkey and Poland \
         were added to the list of countries, the minister said on Thursday.</p>{}\
         </div></body></html>",
        prose("the list")
    );
    let got = extract(&page, None).text;
    assert!(got.starts_with("Turkey and Poland were added"), "{got}");
}

#[test]
fn a_paywall_ends_the_article() {
    // The Haitian Times (real news): the free part, the notice, then the offer.
    let page = format!(
        "<html><body><div class=\"story\">{}\
         <p>To view the full story, please subscribe to The Courier. You can choose a $60 \
         Annual Subscription or a $5 Weekly Pass.</p>{}\
         <p>First-time subscribers also receive a special welcome gift!</p></div></body></html>",
        prose("the harbour"),
        prose("the offer")
    );
    let got = extract(&page, None).text;
    assert!(got.starts_with("Paragraph 1 about the harbour"), "{got}");
    assert!(got.ends_with("at the end of it."), "{got}");
    for offer in ["Weekly Pass", "about the offer", "welcome gift"] {
        assert!(!got.contains(offer), "{offer}: {got}");
    }
    // The words inside a paragraph are text.
    let page = format!(
        "<html><body><div class=\"story\">{}\
         <p>The teacher asked them to continue reading aloud while she left.</p>{}\
         </div></body></html>",
        prose("the harbour"),
        prose("the school")
    );
    let got = extract(&page, None).text;
    assert!(got.contains("Paragraph 1 about the school"), "{got}");
}

#[test]
fn a_reference_list_ends_the_article() {
    // A journal's page (Springer, real): the abstract, then "References" and the works cited.
    for heading in ["References", "Literatur:", "Список литературы"] {
        let page = format!(
            "<html><body><div class=\"story\">{}<h2>{heading}</h2>\
             <p>Funck-Brentano E et al. Therapeutic management of DRESS: a retrospective study \
             of 38 cases. J Am Acad Dermatol. 2015;72(2):246–52.</p>{}</div></body></html>",
            prose("the harbour"),
            prose("the cited works")
        );
        let got = extract(&page, None).text;
        assert!(got.ends_with("at the end of it."), "{heading}: {got}");
        assert!(
            !got.contains("DRESS") && !got.contains("cited works"),
            "{got}"
        );
    }
}

#[test]
fn datelines_and_photo_credits_are_not_text() {
    for stamp in [
        "23.10.2018",
        "Veröffentlichung: 2. Februar 2022",
        "Aktualisiert: 11.04.2020, 10:27",
        "3:59 PM",
        "July 30, 2019 1:16 pm",
        "opublikowano: 2021-04-29 17:13:04.031886+02:00",
        "Publikacja: 04.05.2021",
        "Update vom 3. April 2019",
    ] {
        assert!(is_dateline(stamp), "{stamp}");
    }
    for prose in [
        "Der Zug fährt um 10:27 ab und kommt um 12:00 an.",
        "2019",
        "Top 10",
        "Am Ende des Tages gewann die Mannschaft mit 3:1 gegen den Meister.",
        "Chapter 3",
        "Termin: 29.02.2020, 19 Uhr",
        "Einsendeschluss: 03.11.2019 (Poststempel)",
    ] {
        assert!(!is_dateline(prose), "{prose}");
    }
    assert!(is_photo_credit("(Credit: Clayton Aldern / Grist)"));
    assert!(is_photo_credit("Foto: Anita Drenckhahn"));
    assert!(is_photo_credit("(Quelle: Foto Steven Vangermain)"));
    assert!(!is_photo_credit("Quelle: Landesregierung"));
    assert!(!is_photo_credit("Photosynthesis: how plants make sugar"));
    for ad in [
        "Advertisement",
        "- Anzeige -",
        "*Werbung. Dieser Beitrag enthält Werbung.",
    ] {
        assert!(is_ad_marker(ad), "{ad}");
    }
    assert!(!is_ad_marker(
        "Werbungskosten lassen sich von der Steuer absetzen."
    ));
    let page = format!(
        "<html><body><div class=\"story\"><p>Veröffentlicht am 12. Juni 2017</p>{}\
         <p>Foto: Anita Drenckhahn</p>{}</div></body></html>",
        prose("the harbour"),
        prose("the ferries")
    );
    let got = extract(&page, None).text;
    assert!(got.starts_with("Paragraph 1 about the harbour"), "{got}");
    assert!(!got.contains("Foto:"), "{got}");
}

#[test]
fn ruby_readings_are_not_text_and_a_lenient_retry_reads_asides() {
    let page = "<html><body><div class=\"story\"><p><ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>\
                どもへの<ruby>虐待<rt>ぎゃくたい</rt></ruby>をなくすための<ruby>法律<rt>ほうりつ</rt></ruby>\
                ができて、親が子どもを教育するために、体罰を禁止することになりました。</p></div></body></html>";
    let got = extract(page, None).text;
    assert!(
        got.starts_with("子どもへの虐待をなくすための法律ができて"),
        "{got}"
    );
    let page = format!(
        "<html><body><main><aside class=\"direct-content\"><article>{}</article></aside></main>\
         </body></html>",
        prose("the prize")
    );
    let got = extract(&page, None).text;
    assert!(got.contains("Paragraph 3 about the prize"), "{got}");
}

#[test]
fn a_wrapper_with_a_footer_class_that_holds_the_headline_and_the_article_is_read() {
    let page = format!(
        "<html><body><div class=\"above-footer\"><h1>Alaska joins the alliance</h1>\
         <div class=\"content\">{}{}</div></div>\
         <div class=\"disclosure\"><p>Offers on this site come from partners who pay us, \
         which may affect where products appear on the page.</p></div></body></html>",
        prose("the alliance"),
        prose("the lounges")
    );
    let got = extract(&page, None).text;
    assert!(got.contains("Paragraph 1 about the alliance"), "{got}");
    assert!(got.contains("Paragraph 3 about the lounges"), "{got}");
    assert!(!got.contains("Offers on this site"), "{got}");
}

#[test]
fn soft_hyphens_and_zero_width_spaces_do_not_split_words() {
    assert_eq!(
        clean_inline("Die Veran\u{ad}stal\u{ad}tung  ist\u{200b} \u{200b} vorbei"),
        "Die Veranstaltung ist vorbei"
    );
}

#[test]
fn note_marks_are_not_text_but_exponents_are() {
    let page = format!(
        "<html><body><div class=\"story\"><p>Nach Joachim Hahn treten Kratzer schon vor dem \
         Jungpaläolithikum auf.<sup class=\"footnote\"><a href=\"#fn-13695-9\">9</a></sup> \
         Dabei handelt es sich um Ausnahmen.<sup>[12]</sup> Der Platz misst 500 \
         m<sup>2</sup> und fasst 40 Zelte.<sup><a href=\"#cite-3\">(3)</a></sup></p>{}\
         </div></body></html>",
        prose("the list")
    );
    let got = extract(&page, None).text;
    assert!(
        got.starts_with(
            "Nach Joachim Hahn treten Kratzer schon vor dem Jungpaläolithikum auf. Dabei \
             handelt es sich um Ausnahmen. Der Platz misst 500 m2 und fasst 40 Zelte."
        ),
        "{got}"
    );
}
