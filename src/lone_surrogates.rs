//! JSON text from JavaScript, made readable by serde_json whatever its strings hold.
//!
//! A JS string is UTF-16 and may hold a lone surrogate (`test('job\udfff')`, `process.on('job\udfff')`).
//! `JSON.stringify` writes one as the escape `\udfff`, which is valid JSON text, but serde_json refuses it for a
//! Rust `String` (UTF-8 cannot hold it): "unexpected end of hex escape", and the leak report was lost. Every
//! JSON input from JS goes through `replace_lone_surrogate_escapes` first (the glue's one parse function), so no
//! caller needs a fix of its own, whatever built the text.
//!
//! A lone surrogate becomes U+FFFD (`job\u{fffd}`, shown as `job�`), as `String.prototype.toWellFormed` and
//! napi's own string conversion do: the name stays recognisable, and nothing else in the text changes. A
//! surrogate pair written as two escapes is a real character and is left for serde_json to decode.

use std::borrow::Cow;

const REPLACEMENT_ESCAPE: &str = "\\ufffd";

/// The UTF-16 unit of the `\uXXXX` escape starting at `at` (the backslash), if there is one.
fn escaped_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let escape = bytes.get(at..at + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let hex = &escape[2..];
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

fn is_high_surrogate(unit: u16) -> bool {
    (0xD800..0xDC00).contains(&unit)
}

fn is_low_surrogate(unit: u16) -> bool {
    (0xDC00..0xE000).contains(&unit)
}

/// `json` with every `\uXXXX` escape of a lone surrogate replaced by `\ufffd`. Borrows when there is none (the
/// usual case): the replacement has the same length, so offsets in serde_json's errors still point into `json`.
/// Anything malformed is left as it is, for serde_json to report.
pub fn replace_lone_surrogate_escapes(json: &str) -> Cow<'_, str> {
    let bytes = json.as_bytes();
    let mut lone = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match escaped_unit(bytes, i) {
            Some(unit) if is_high_surrogate(unit) => {
                if escaped_unit(bytes, i + 6).is_some_and(is_low_surrogate) {
                    i += 12;
                } else {
                    lone.push(i);
                    i += 6;
                }
            }
            Some(unit) if is_low_surrogate(unit) => {
                lone.push(i);
                i += 6;
            }
            Some(_) => i += 6,
            // `\\`, `\"` and the other two-byte escapes: skipping both bytes keeps `\\udfff` (an escaped
            // backslash, then the text "udfff") from being read as an escape.
            None => i += 2,
        }
    }
    if lone.is_empty() {
        return Cow::Borrowed(json);
    }
    let mut text = json.to_owned();
    for at in lone {
        // An ASCII escape replaced by ASCII of the same length: char boundaries and offsets stay where they were.
        text.replace_range(at..at + REPLACEMENT_ESCAPE.len(), REPLACEMENT_ESCAPE);
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::replace_lone_surrogate_escapes as replace;
    use std::borrow::Cow;

    fn parsed(json: &str) -> String {
        serde_json::from_str(&replace(json)).expect("parses once lone surrogates are replaced")
    }

    #[test]
    fn a_lone_low_surrogate_becomes_the_replacement_character() {
        assert!(serde_json::from_str::<String>(r#""job\udfff""#).is_err());
        assert_eq!(parsed(r#""job\udfff""#), "job\u{fffd}");
    }

    #[test]
    fn a_lone_high_surrogate_becomes_the_replacement_character_at_the_end_and_before_other_text() {
        assert_eq!(parsed(r#""job\ud800""#), "job\u{fffd}");
        assert_eq!(parsed(r#""\ud800x""#), "\u{fffd}x");
        assert_eq!(parsed(r#""\uD800\u0041""#), "\u{fffd}A");
        assert_eq!(parsed(r#""\ud800\ud800\udc00""#), "\u{fffd}\u{10000}");
        assert_eq!(parsed(r#""\udc00\ud800""#), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn pairs_other_escapes_and_plain_text_are_left_alone() {
        for json in [
            r#"{"name":"job \ud83d\ude00 ✓","event":"\u0041\n\"\\"}"#,
            r#""no escapes at all""#,
            "",
        ] {
            assert!(matches!(replace(json), Cow::Borrowed(_)), "{json}");
        }
        assert_eq!(parsed(r#""\ud83d\ude00""#), "😀");
    }

    #[test]
    fn an_escaped_backslash_before_u_is_not_an_escape() {
        assert!(matches!(replace(r#""\\udfff""#), Cow::Borrowed(_)));
        assert_eq!(parsed(r#""\\udfff""#), "\\udfff");
        assert_eq!(parsed(r#""\\\udfff""#), "\\\u{fffd}");
    }

    #[test]
    fn malformed_escapes_are_left_for_serde_json_to_report() {
        for json in [r#""\u12""#, r#""\uzzzz""#, r#""\u+fff""#, r#""\"#] {
            assert_eq!(replace(json), json);
        }
        assert_eq!(replace(r#""\ud800\u12""#), r#""\ufffd\u12""#);
    }

    #[test]
    fn object_keys_are_covered_too() {
        let value: serde_json::Value =
            serde_json::from_str(&replace(r#"{"job\udfff":1}"#)).expect("parses");
        assert_eq!(value["job\u{fffd}"], 1);
    }
}
