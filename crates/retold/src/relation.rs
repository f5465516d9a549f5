//! The relation labels of DESIGN.md.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How two documents relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// Same text up to formatting and boilerplate.
    Duplicate,
    /// Same source text, same language, reworded.
    Rewrite,
    /// Same source text in another language.
    Translation,
    /// One reuses passages of the other but not the whole.
    Partial,
    /// Same story or event, written independently.
    Related,
    /// None of the above.
    Unrelated,
}

impl Relation {
    /// All labels, in the order used by confusion matrices.
    pub const ALL: [Relation; 6] = [
        Relation::Duplicate,
        Relation::Rewrite,
        Relation::Translation,
        Relation::Partial,
        Relation::Related,
        Relation::Unrelated,
    ];

    /// The label as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Duplicate => "duplicate",
            Relation::Rewrite => "rewrite",
            Relation::Translation => "translation",
            Relation::Partial => "partial",
            Relation::Related => "related",
            Relation::Unrelated => "unrelated",
        }
    }

    /// Reproduced (`duplicate`, `rewrite`, `translation`, `partial`) vs independent.
    pub fn is_reproduced(self) -> bool {
        matches!(
            self,
            Relation::Duplicate | Relation::Rewrite | Relation::Translation | Relation::Partial
        )
    }

    /// Relations that put two documents in one reproduction cluster (copies of one text).
    pub fn is_cluster_edge(self) -> bool {
        matches!(
            self,
            Relation::Duplicate | Relation::Rewrite | Relation::Translation
        )
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Relation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Relation::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown relation {s:?} (expected one of duplicate, rewrite, translation, partial, related, unrelated)"
                )
            })
    }
}
