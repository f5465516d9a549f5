//! `retold extract PAGE...`: the article text of web pages.

use crate::Failure;
use anyhow::anyhow;
use retold::extract::{extract_with, ExtractOptions, Page, SiteProfile};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `retold extract`.
#[derive(clap::Args)]
pub struct Args {
    /// Web pages: .html/.htm files, gzip-compressed or not (charset from the page).
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
    /// One JSON object per page (JSON Lines): path, title, date, charset, the page's visible
    /// text, the article, and the body and boilerplate spans as code point ranges of the text.
    #[arg(long)]
    pub json: bool,
    /// The pages come from one site: blocks that recur on many of them (menus, footers,
    /// "more from" lists) are boilerplate even where a single page would keep them.
    /// Needs at least 3 pages.
    #[arg(long)]
    pub site: bool,
    /// HTTP Content-Type of the pages, if known (its charset wins over the page's own).
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,
    /// Largest page accepted, in bytes (after gzip decompression).
    #[arg(long, default_value_t = 64 << 20)]
    pub max_page_bytes: usize,
}

/// The JSON shape of one extracted page.
#[derive(Serialize)]
struct PageJson<'a> {
    path: String,
    title: Option<&'a str>,
    date: Option<&'a str>,
    charset: &'a str,
    /// The page's visible text, blocks separated by blank lines.
    text: &'a str,
    /// The article body (the `body` spans joined by blank lines).
    article: &'a str,
    /// Code point ranges of `text` that are the article body.
    body: Vec<[usize; 2]>,
    /// Code point ranges of `text` that are boilerplate (the page's chrome).
    boilerplate: Vec<[usize; 2]>,
    warnings: &'a [String],
}

fn read_page(
    path: &Path,
    opts: &ExtractOptions,
    site: Option<&SiteProfile>,
) -> Result<Page, Failure> {
    let meta =
        std::fs::metadata(path).map_err(|e| Failure::User(anyhow!("{}: {e}", path.display())))?;
    if meta.is_dir() {
        return Err(Failure::User(anyhow!(
            "{}: is a directory; extract takes pages",
            path.display()
        )));
    }
    if meta.len() > opts.max_bytes as u64 {
        return Err(Failure::User(anyhow!(
            "{}: {} bytes, over the limit of {} (--max-page-bytes)",
            path.display(),
            meta.len(),
            opts.max_bytes
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::User(anyhow!("{}: cannot read: {e}", path.display())))?;
    extract_with(&bytes, opts, site).map_err(|e| Failure::User(anyhow!("{}: {e}", path.display())))
}

/// Runs `retold extract`.
pub fn run(args: Args) -> Result<(), Failure> {
    let opts = ExtractOptions {
        content_type: args.content_type.clone(),
        max_bytes: args.max_page_bytes,
        ..ExtractOptions::default()
    };
    if args.site && args.pages.len() < 3 {
        return Err(Failure::User(anyhow!(
            "--site needs at least 3 pages of the site (got {})",
            args.pages.len()
        )));
    }
    let profile = if args.site {
        let mut first = Vec::with_capacity(args.pages.len());
        for p in &args.pages {
            first.push(read_page(p, &opts, None)?);
        }
        Some(SiteProfile::learn(&first))
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    for (k, path) in args.pages.iter().enumerate() {
        let page = read_page(path, &opts, profile.as_ref())?;
        for w in &page.warnings {
            eprintln!("retold: warning: {}: {w}", path.display());
        }
        if args.json {
            let j = PageJson {
                path: path.display().to_string(),
                title: page.title.as_deref(),
                date: page.date.as_deref(),
                charset: &page.charset,
                text: &page.text,
                article: &page.article,
                body: page.char_ranges(&page.body),
                boilerplate: page.char_ranges(&page.boilerplate),
                warnings: &page.warnings,
            };
            serde_json::to_writer(&mut out, &j).map_err(std::io::Error::from)?;
            writeln!(out)?;
        } else {
            if args.pages.len() > 1 {
                if k > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "==> {} <==", path.display())?;
            }
            writeln!(out, "{}", page.article)?;
        }
    }
    Ok(())
}
