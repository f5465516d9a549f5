//! Byte-level input handling: gzip detection and charset decoding.

use std::io::Read;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use crate::ExtractError;

/// Text decoded from raw page bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text (malformed sequences replaced by U+FFFD).
    pub text: String,
    /// The WHATWG name of the encoding used (e.g. `UTF-8`, `windows-1252`).
    pub charset: String,
    /// Non-fatal problems met while decoding (unknown labels, malformed bytes, fallbacks).
    pub warnings: Vec<String>,
}

/// How many leading bytes are searched for a `<meta>` charset declaration.
const META_SCAN: usize = 4096;

/// Decompresses `bytes` if they start with the gzip magic (`1f 8b`); otherwise returns them as is.
///
/// At most `max_bytes` decompressed bytes are accepted ([`ExtractError::TooLarge`] above). A
/// truncated or corrupt stream yields what could be decompressed plus a warning; a stream from
/// which nothing at all can be decompressed is [`ExtractError::Gzip`].
pub fn gunzip_if_needed<'a>(
    bytes: &'a [u8],
    max_bytes: usize,
    warnings: &mut Vec<String>,
) -> Result<std::borrow::Cow<'a, [u8]>, ExtractError> {
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        if bytes.len() > max_bytes {
            return Err(ExtractError::TooLarge { limit: max_bytes });
        }
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(max_bytes));
    let mut dec = flate2::read::MultiGzDecoder::new(bytes);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match dec.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if out.len() + n > max_bytes {
                    return Err(ExtractError::TooLarge { limit: max_bytes });
                }
                out.extend_from_slice(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                if out.is_empty() {
                    return Err(ExtractError::Gzip(e.to_string()));
                }
                warnings.push(format!(
                    "gzip stream truncated or corrupt ({e}); using the {} bytes decompressed",
                    out.len()
                ));
                break;
            }
        }
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// Decodes page bytes to text.
///
/// The encoding is chosen, in order, from: a byte-order mark (it is definitive, as in the
/// WHATWG encoding sniffing algorithm), the `charset` parameter of the HTTP `Content-Type`
/// header, a `<meta charset>` or `<meta http-equiv="content-type">` declaration in the first
/// 4 KiB, valid UTF-8, and finally windows-1252 (with a warning). Unknown labels are reported
/// as warnings and never make decoding fail. Bytes must already be decompressed.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let mut warnings = Vec::new();
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            warnings.push(format!("malformed {} sequences replaced", enc.name()));
        }
        return Decoded {
            text: text.into_owned(),
            charset: enc.name().to_string(),
            warnings,
        };
    }
    let declared = content_type
        .and_then(charset_param)
        .map(|l| (l, "Content-Type header"))
        .or_else(|| meta_charset(&bytes[..bytes.len().min(META_SCAN)]).map(|l| (l, "<meta>")));
    let mut enc: Option<&'static Encoding> = None;
    if let Some((label, source)) = &declared {
        match Encoding::for_label(label.as_bytes()) {
            // A page that reaches us as bytes cannot really be UTF-16 when it declares so
            // in ASCII; replacement / x-user-defined are not useful for text either.
            Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
                enc = Some(UTF_8)
            }
            Some(e) if e == encoding_rs::REPLACEMENT || e == encoding_rs::X_USER_DEFINED => {
                warnings.push(format!(
                    "unusable charset {label:?} from {source}; sniffing instead"
                ));
            }
            Some(e) => enc = Some(e),
            None => warnings.push(format!(
                "unknown charset {label:?} from {source}; sniffing instead"
            )),
        }
    }
    let enc = match enc {
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => {
            if declared.is_none() {
                warnings.push(
                    "no charset declared and bytes are not UTF-8; decoding as windows-1252".into(),
                );
            } else {
                warnings.push("bytes are not UTF-8; decoding as windows-1252".into());
            }
            WINDOWS_1252
        }
    };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        warnings.push(format!("malformed {} sequences replaced", enc.name()));
    }
    Decoded {
        text: text.into_owned(),
        charset: enc.name().to_string(),
        warnings,
    }
}

/// The value of a `charset=` parameter in a Content-Type-like string.
fn charset_param(ct: &str) -> Option<String> {
    let lower = ct.to_ascii_lowercase();
    let i = lower.find("charset")?;
    let rest = lower[i + 7..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| c == '"' || c == '\'' || c == ';' || c == ',' || c.is_whitespace())
        .unwrap_or(rest.len());
    let v = rest[..end].trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// A charset declared by a `<meta>` tag in `head` (ASCII-compatible scan).
fn meta_charset(head: &[u8]) -> Option<String> {
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut pos = 0;
    while let Some(off) = find(&lower[pos..], b"<meta") {
        let start = pos + off + 5;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = String::from_utf8_lossy(&lower[start..end]);
        if let Some(cs) = charset_param(&tag) {
            return Some(cs);
        }
        pos = end.min(lower.len());
        if pos >= lower.len() {
            break;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_param_parses() {
        assert_eq!(
            charset_param("text/html; charset=ISO-8859-1").as_deref(),
            Some("iso-8859-1")
        );
        assert_eq!(
            charset_param("text/html; charset=\"utf-8\"").as_deref(),
            Some("utf-8")
        );
        assert_eq!(charset_param("text/html"), None);
    }

    #[test]
    fn meta_forms() {
        assert_eq!(
            meta_charset(b"<html><head><meta charset=\"koi8-r\">").as_deref(),
            Some("koi8-r")
        );
        assert_eq!(
            meta_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">"
            )
            .as_deref(),
            Some("shift_jis")
        );
        assert_eq!(meta_charset(b"<meta name=x content=y>"), None);
    }

    #[test]
    fn fallbacks() {
        let d = decode(b"caf\xe9", None);
        assert_eq!(d.charset, "windows-1252");
        assert_eq!(d.text, "café");
        assert!(!d.warnings.is_empty());
        let d = decode(b"caf\xc3\xa9", Some("text/html; charset=bogus-enc"));
        assert_eq!(d.charset, "UTF-8");
        assert_eq!(d.text, "café");
        assert!(d.warnings[0].contains("unknown charset"));
        let d = decode(b"\xef\xbb\xbfhi", Some("text/html; charset=iso-8859-1"));
        assert_eq!(d.charset, "UTF-8");
        assert_eq!(d.text, "hi");
    }
}
