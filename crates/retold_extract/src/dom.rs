//! DOM walk: visible text as paragraph-level blocks, with the block-level element tree they
//! hang from (tag, class/id hints) for scoring.

use ego_tree::NodeRef;
use scraper::node::Element;
use scraper::Node;

/// Per-element hint derived from its tag, class, id, role and itemprop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Hint {
    #[default]
    None,
    /// Named like content (article, post-body, entry-content...).
    Positive,
    /// `itemprop="articleBody"` or similar explicit markup.
    Strong,
    /// Named like boilerplate (nav, footer, comment, share, related...).
    Negative,
}

/// A block-level element that some block hangs from.
#[derive(Debug, Clone)]
pub(crate) struct Elem {
    /// Index of the parent element, `u32::MAX` for the root.
    pub parent: u32,
    pub depth: u32,
    pub tag: Tag,
    pub hint: Hint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Root,
    P,
    H1,
    Heading,
    Li,
    Cell,
    Pre,
    Quote,
    Caption,
    Article,
    Main,
    Nav,
    Aside,
    Header,
    Footer,
    Form,
    Other,
}

/// A paragraph-level run of visible text.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub text: String,
    /// Innermost block-level element containing the text.
    pub elem: u32,
    /// Chars (not bytes) of text.
    pub chars: u32,
    /// Chars inside `<a>`.
    pub link_chars: u32,
    /// Chars of the link(s) the block starts with (a headline-teaser pattern when large).
    pub lead_link_chars: u32,
}

pub(crate) struct Walk {
    pub elems: Vec<Elem>,
    pub blocks: Vec<Block>,
}

const MAX_BLOCK_BYTES: usize = 1 << 20;

fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "select"
            | "textarea"
            | "input"
            | "img"
            | "picture"
            | "source"
            | "map"
            | "frameset"
            | "dialog"
    )
}

fn block_tag(name: &str) -> Option<Tag> {
    Some(match name {
        "p" => Tag::P,
        "h1" => Tag::H1,
        "h2" | "h3" | "h4" | "h5" | "h6" => Tag::Heading,
        "li" | "dt" | "dd" => Tag::Li,
        "td" | "th" => Tag::Cell,
        "pre" => Tag::Pre,
        "blockquote" => Tag::Quote,
        "figcaption" | "caption" => Tag::Caption,
        "article" => Tag::Article,
        "main" => Tag::Main,
        "nav" => Tag::Nav,
        "aside" => Tag::Aside,
        "header" => Tag::Header,
        "footer" => Tag::Footer,
        "form" => Tag::Form,
        "div" | "section" | "ul" | "ol" | "dl" | "table" | "tbody" | "thead" | "tfoot" | "tr"
        | "figure" | "address" | "center" | "details" | "summary" | "fieldset" | "legend"
        | "hr" | "body" | "html" | "menu" | "hgroup" | "button" | "label" | "option"
        | "optgroup" => Tag::Other,
        _ => return None,
    })
}

fn hidden(el: &Element) -> bool {
    if el.attr("hidden").is_some() {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

const NEG_TOKENS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "foot",
    "sidebar",
    "aside",
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "recommendations",
    "recirc",
    "subscribe",
    "subscription",
    "newsletter",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "adv",
    "banner",
    "sponsor",
    "sponsored",
    "popup",
    "modal",
    "cookie",
    "cookies",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "taglist",
    "byline",
    "author",
    "bio",
    "widget",
    "outbrain",
    "taboola",
    "disqus",
    "signup",
    "login",
    "pagination",
    "pager",
    "masthead",
    "comment",
    "comments",
    "respond",
    "reply",
    "meta",
    "caption",
    "credit",
    "credits",
    "toolbar",
    "tools",
    "print",
    "dateline",
    "timestamp",
    "trending",
    "popular",
    "skip",
    "jump",
    "follow",
    "rating",
    "vote",
    "gallery",
    "slideshow",
    "carousel",
    "teaser",
    "teasers",
    "next",
    "prev",
    "previous",
    "readmore",
    "cta",
    "disclaimer",
    "copyright",
    "legal",
    "contact",
    "header",
    "topbar",
    "overlay",
    "alert",
];
const NEG_SUBSTR: &[&str] = &[
    "sharebar",
    "share-",
    "social",
    "comment",
    "related",
    "newsletter",
    "subscribe",
    "sidebar",
    "footer",
    "breadcrumb",
    "outbrain",
    "taboola",
    "sponsor",
    "advert",
    "recommend",
    "cookie",
    "popup",
    "widget",
    "disqus",
    "signup",
    "byline",
    "navbar",
    "promo",
    "moreon",
    "morefrom",
    "readmore",
    "readnext",
    "upnext",
];
const POS_TOKENS: &[&str] = &[
    "article",
    "articlebody",
    "articletext",
    "content",
    "entry",
    "post",
    "postbody",
    "story",
    "storybody",
    "body",
    "text",
    "main",
    "blog",
    "prose",
    "richtext",
    "copy",
    "detail",
];

fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
}

fn hint_of(el: &Element, tag: Tag) -> Hint {
    if let Some(ip) = el.attr("itemprop") {
        let ip = ip.to_ascii_lowercase();
        if ip.contains("articlebody") || ip == "text" || ip.contains("reviewbody") {
            return Hint::Strong;
        }
    }
    if let Some(role) = el.attr("role") {
        match role.to_ascii_lowercase().as_str() {
            "navigation" | "contentinfo" | "banner" | "complementary" | "menu" | "menubar"
            | "dialog" | "search" | "alert" => return Hint::Negative,
            "main" | "article" => return Hint::Positive,
            _ => {}
        }
    }
    match tag {
        Tag::Nav | Tag::Aside | Tag::Footer | Tag::Form | Tag::Header => return Hint::Negative,
        _ => {}
    }
    let mut names = String::new();
    if let Some(c) = el.attr("class") {
        names.push_str(c);
    }
    if let Some(i) = el.attr("id") {
        names.push(' ');
        names.push_str(i);
    }
    if names.is_empty() {
        return if matches!(tag, Tag::Article | Tag::Main) {
            Hint::Positive
        } else {
            Hint::None
        };
    }
    let lower = names.to_ascii_lowercase();
    let mut neg = false;
    let mut pos = false;
    // Split camelCase too: "articleBody" -> "article", "body".
    let mut split = String::with_capacity(names.len() + 8);
    let mut prev_lower = false;
    for c in names.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            split.push(' ');
        }
        prev_lower = c.is_ascii_lowercase();
        split.push(c.to_ascii_lowercase());
    }
    for t in tokens(&split).chain(tokens(&lower)) {
        if NEG_TOKENS.contains(&t) {
            neg = true;
        }
        if POS_TOKENS.contains(&t) {
            pos = true;
        }
    }
    if !neg && NEG_SUBSTR.iter().any(|s| lower.contains(s)) {
        neg = true;
    }
    // Embedded posts (tweets, social embeds) inside an article are quoted content.
    if neg && (lower.contains("embed") || lower.contains("tweet")) {
        neg = false;
    }
    if neg {
        Hint::Negative
    } else if pos || matches!(tag, Tag::Article | Tag::Main) {
        Hint::Positive
    } else {
        Hint::None
    }
}

struct Builder {
    walk: Walk,
    buf: String,
    chars: u32,
    link_chars: u32,
    lead_link_chars: u32,
    lead_open: bool,
    /// Stack of open block-level element indices.
    stack: Vec<u32>,
    pending_space: bool,
}

impl Builder {
    fn flush(&mut self) {
        let text = self.buf.trim();
        if !text.is_empty() && text.chars().any(|c| c.is_alphanumeric()) {
            let elem = *self.stack.last().unwrap_or(&0);
            self.walk.blocks.push(Block {
                text: text.to_string(),
                elem,
                chars: self.chars,
                link_chars: self.link_chars.min(self.chars),
                lead_link_chars: self.lead_link_chars,
            });
        }
        self.buf.clear();
        self.chars = 0;
        self.link_chars = 0;
        self.lead_link_chars = 0;
        self.lead_open = true;
        self.pending_space = false;
    }

    fn push_text(&mut self, t: &str, in_link: bool) {
        for c in t.chars() {
            if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
                if !self.buf.is_empty() {
                    self.pending_space = true;
                }
                continue;
            }
            if self.buf.len() >= MAX_BLOCK_BYTES {
                return;
            }
            if self.pending_space {
                self.buf.push(' ');
                self.pending_space = false;
            }
            self.buf.push(c);
            self.chars += 1;
            if in_link {
                self.link_chars += 1;
                if self.lead_open {
                    self.lead_link_chars += 1;
                }
            } else {
                self.lead_open = false;
            }
        }
    }

    fn push_break(&mut self) {
        let trimmed = self.buf.trim_end().len();
        self.buf.truncate(trimmed);
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push('\n');
        }
        self.pending_space = false;
    }
}

/// Walks the document (iteratively: deep nesting cannot overflow the stack).
pub(crate) fn walk(root: NodeRef<'_, Node>) -> Walk {
    let mut b = Builder {
        walk: Walk {
            elems: vec![Elem {
                parent: u32::MAX,
                depth: 0,
                tag: Tag::Root,
                hint: Hint::None,
            }],
            blocks: Vec::new(),
        },
        buf: String::new(),
        chars: 0,
        link_chars: 0,
        lead_link_chars: 0,
        lead_open: true,
        stack: vec![0],
        pending_space: false,
    };
    // (node, entering, is_block, is_link)
    enum Step<'a> {
        Enter(NodeRef<'a, Node>),
        LeaveBlock,
        LeaveLink,
    }
    let mut link_depth = 0u32;
    let mut todo: Vec<Step<'_>> = vec![Step::Enter(root)];
    while let Some(step) = todo.pop() {
        match step {
            Step::LeaveBlock => {
                b.flush();
                b.stack.pop();
            }
            Step::LeaveLink => link_depth = link_depth.saturating_sub(1),
            Step::Enter(node) => match node.value() {
                Node::Text(t) => b.push_text(&t.text, link_depth > 0),
                Node::Element(el) => {
                    let name = el.name();
                    if is_skipped(name) || hidden(el) {
                        continue;
                    }
                    if name == "br" {
                        b.push_break();
                        continue;
                    }
                    if let Some(tag) = block_tag(name) {
                        b.flush();
                        let parent = *b.stack.last().unwrap_or(&0);
                        let depth = b.walk.elems[parent as usize].depth + 1;
                        let idx = b.walk.elems.len() as u32;
                        b.walk.elems.push(Elem {
                            parent,
                            depth,
                            tag,
                            hint: hint_of(el, tag),
                        });
                        b.stack.push(idx);
                        todo.push(Step::LeaveBlock);
                    } else {
                        if name == "a" {
                            link_depth += 1;
                            todo.push(Step::LeaveLink);
                        }
                        // Inline elements with boilerplate names (share buttons, ad labels)
                        // still contribute text to the surrounding block.
                    }
                    let mut children: Vec<_> = node.children().collect();
                    children.reverse();
                    todo.extend(children.into_iter().map(Step::Enter));
                }
                Node::Document | Node::Fragment => {
                    let mut children: Vec<_> = node.children().collect();
                    children.reverse();
                    todo.extend(children.into_iter().map(Step::Enter));
                }
                _ => {}
            },
        }
    }
    b.flush();
    b.walk
}
