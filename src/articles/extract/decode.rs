//! Page bytes to text: BOM, UTF-8, `<meta charset>`, the HTTP content type.

/// Decodes page bytes to text: BOM; then bytes that are valid UTF-8 with non-ASCII text
/// in them are UTF-8 whatever is declared (pages are re-saved as UTF-8 with their old
/// `<meta charset>` left in, and legacy-encoded text is almost never valid UTF-8); then
/// `<meta charset>`, then the HTTP content type, then UTF-8 (invalid bytes replaced).
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    if !bytes.is_ascii()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return text.to_string();
    }
    let head = &bytes[..bytes.len().min(4096)];
    let head_text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let declared = find_meta_charset(&head_text)
        .or_else(|| content_type.and_then(|ct| charset_param(&ct.to_ascii_lowercase())));
    let encoding = declared
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    // A page that declares UTF-16 in a meta tag is really ASCII-compatible; ignore it.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else {
        encoding
    };
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn find_meta_charset(head: &str) -> Option<String> {
    let mut rest = head;
    while let Some(i) = rest.find("charset") {
        let after = &rest[i + "charset".len()..];
        let after = after.trim_start();
        if let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            let end = value
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':'))
                .unwrap_or(value.len());
            if end > 0 {
                return Some(value[..end].to_string());
            }
        }
        rest = after;
    }
    None
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        part.trim()
            .strip_prefix("charset=")
            .map(|v| v.trim_matches(['"', '\'']).to_string())
    })
}
