//! Any bytes a server sends as a feed: parsed or refused with an error, never a panic (the
//! fuzzer aborts on any panic, also one that `parse_feed` itself would catch), a hang or
//! unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hyperlearn::feeds::parse_feed("https://feed.example/rss", data);
});
