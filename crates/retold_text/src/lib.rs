//! `retold_text` owns the text layer every other stage stands on: Unicode normalisation with an
//! exact map back to original code point offsets ([`normalize`]), tokens with case-folded
//! hashes ([`token`]), lines/paragraphs/sentences ([`segment`]) and language detection
//! ([`lang`]), translation-proof anchor terms ([`anchors`]) and stemmed content terms
//! ([`stem`]). It has no knowledge of documents, corpora or similarity.

pub mod anchors;
pub mod lang;
pub mod normalize;
pub mod segment;
pub mod stem;
pub mod token;

pub use anchors::{anchors, translation_terms, TranslationTerms};
pub use normalize::{byte_to_char, normalize, normalize_text, Normalized};
pub use stem::Terms;
pub use token::{hash_seq, is_unspaced, tokenize, tokenize_into, Token};
