//! Language detection (whatlang), reported as ISO 639-1 codes where one exists.

/// Detects the language of `text`; `None` when the text is too short or unclear.
pub fn detect(text: &str) -> Option<&'static str> {
    // whatlang is slow on long inputs and gains nothing from them.
    let mut end = text.len().min(1200);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    if !info.is_reliable() && info.confidence() < 0.5 {
        return None;
    }
    Some(iso639_1(info.lang()))
}

fn iso639_1(l: whatlang::Lang) -> &'static str {
    let code = l.code();
    const MAP: &[(&str, &str)] = &[
        ("eng", "en"),
        ("spa", "es"),
        ("fra", "fr"),
        ("deu", "de"),
        ("ita", "it"),
        ("por", "pt"),
        ("rus", "ru"),
        ("ukr", "uk"),
        ("pol", "pl"),
        ("nld", "nl"),
        ("swe", "sv"),
        ("dan", "da"),
        ("nob", "nb"),
        ("fin", "fi"),
        ("tur", "tr"),
        ("ara", "ar"),
        ("heb", "he"),
        ("pes", "fa"),
        ("hin", "hi"),
        ("ben", "bn"),
        ("cmn", "zh"),
        ("jpn", "ja"),
        ("kor", "ko"),
        ("tha", "th"),
        ("vie", "vi"),
        ("ind", "id"),
        ("ell", "el"),
        ("ces", "cs"),
        ("slk", "sk"),
        ("hun", "hu"),
        ("ron", "ro"),
        ("bul", "bg"),
        ("hrv", "hr"),
        ("srp", "sr"),
        ("slv", "sl"),
        ("lit", "lt"),
        ("lav", "lv"),
        ("est", "et"),
        ("cat", "ca"),
        ("urd", "ur"),
        ("tam", "ta"),
        ("tel", "te"),
        ("mar", "mr"),
        ("kat", "ka"),
        ("hye", "hy"),
        ("aze", "az"),
        ("bel", "be"),
        ("afr", "af"),
        ("epo", "eo"),
        ("tgl", "tl"),
        ("jav", "jv"),
        ("khm", "km"),
        ("mya", "my"),
        ("amh", "am"),
        ("yid", "yi"),
        ("zul", "zu"),
        ("sna", "sn"),
        ("aka", "ak"),
        ("uzb", "uz"),
        ("nep", "ne"),
        ("sin", "si"),
        ("pan", "pa"),
        ("guj", "gu"),
        ("kan", "kn"),
        ("mal", "ml"),
        ("ori", "or"),
        ("lat", "la"),
        ("tuk", "tk"),
        ("cym", "cy"),
        ("mkd", "mk"),
    ];
    MAP.iter()
        .find(|(k, _)| *k == code)
        .map(|(_, v)| *v)
        .unwrap_or(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn english_and_spanish() {
        assert_eq!(super::detect("The secretary general said relations with Russia are at their lowest point since the Cold War ended."), Some("en"));
        assert_eq!(super::detect("El secretario general dijo que las relaciones con Rusia están en su punto más bajo desde el fin de la Guerra Fría."), Some("es"));
    }
}
