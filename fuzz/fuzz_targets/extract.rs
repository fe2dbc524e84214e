//! Any bytes a server sends as an article page: decoded and extracted without a panic, a
//! hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = hyperlearn::articles::decode_html(data, None);
    let base = url::Url::parse("https://news.example/a/b.html").ok();
    let _ = hyperlearn::articles::extract(&html, base.as_ref());
});
