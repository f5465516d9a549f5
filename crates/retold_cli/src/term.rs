//! Terminal helpers: colour decisions, styles, progress bars.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// When to colour output.
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour stdout.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// ANSI styles, or nothing when colour is off.
#[derive(Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    /// Styles that are on or off.
    pub fn new(on: bool) -> Self {
        Style { on }
    }
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    /// Dim (boilerplate).
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    /// Green (matched text).
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    /// Yellow (reworded).
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    /// Cyan (headers).
    pub fn cyan(&self, s: &str) -> String {
        self.wrap("36", s)
    }
}

/// Terminal width for side-by-side output (COLUMNS, else 100).
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100)
}

/// A progress bar on stderr (hidden when stderr is not a terminal or `quiet`).
pub fn bar(quiet: bool) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    if quiet || !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb.set_style(
        ProgressStyle::with_template("{spinner} {prefix:>9} {wide_bar} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb
}

/// A size given in binary units (as `--memory` takes them): `2 GiB`, `1.5 GiB`, `64 MiB`.
pub fn binary_bytes(n: usize) -> String {
    for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        let one = 1u64 << shift;
        if n as u64 >= one {
            return if (n as u64).is_multiple_of(one) {
                format!("{} {unit}", n as u64 >> shift)
            } else {
                format!("{:.1} {unit}", n as f64 / one as f64)
            };
        }
    }
    format!("{n} B")
}

/// Human-readable byte count.
pub fn bytes(n: usize) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1} kB", n / 1e3)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_sizes_read_as_given() {
        assert_eq!(binary_bytes(2 << 30), "2 GiB");
        assert_eq!(binary_bytes(3 << 29), "1.5 GiB");
        assert_eq!(binary_bytes(64 << 20), "64 MiB");
        assert_eq!(binary_bytes(100), "100 B");
    }
}
