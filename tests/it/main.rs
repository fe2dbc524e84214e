//! Integration tests: the real pipeline against an HTTP server on 127.0.0.1 serving
//! project-written feeds and pages, a real SMTP server (aiosmtpd) on 127.0.0.1, the real
//! GGUF model through llama.cpp, and a real tantivy index and SQLite file in a temp folder.

mod browser;
mod cli;
mod daily;
mod delivery;
mod fetching;
mod fleet;
mod hardening;
mod support;
mod web;
