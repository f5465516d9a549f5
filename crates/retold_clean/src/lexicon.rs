//! Phrase lists of page chrome: navigation and UI labels, share buttons, comment forms and
//! teaser headers, in English and a few common European languages.
//!
//! Phrases are compared as *token phrases*: the lower-cased tokens of a line (as
//! [`retold_text::tokenize`] splits them), numbers left out, joined by single spaces. So
//! "Share on Facebook", "SHARE ON FACEBOOK!" and "share-on-facebook" are the same phrase, and
//! "3 Comments" and "Comments (3)" both read "comments".

use ahash::AHashMap;
use std::sync::OnceLock;

/// What kind of chrome a phrase announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Nav,
    Share,
    Comment,
    Teaser,
}

/// Whole-line phrases. A line matches when its token phrase is exactly one of these.
const COMMENT_EXACT: &[&str] = &[
    // en
    "leave a reply", "leave a comment", "leave a reply cancel reply", "post a comment",
    "add a comment", "add comment", "write a comment", "post comment", "submit comment",
    "cancel reply", "comments", "comment", "no comments", "one comment", "one response",
    "responses", "reply", "name", "website", "your name", "your email", "your comment",
    "comments are closed", "join the discussion", "join the conversation", "show comments",
    "view comments", "hide comments", "discussion", "submit",
    // es
    "deja una respuesta", "deja un comentario", "dejar un comentario", "comentarios",
    "cancelar respuesta", "publicar comentario", "responder",
    // fr
    "laisser un commentaire", "laisser une réponse", "commentaires", "annuler la réponse",
    "répondre", "laisser un commentaire annuler la réponse",
    // de
    "kommentare", "kommentar schreiben", "kommentar verfassen", "schreibe einen kommentar",
    "antworten abbrechen", "antwort abbrechen", "antworten",
    // pt
    "deixe uma resposta", "deixe um comentário", "deixe seu comentário", "comentários",
    "cancelar resposta", "responder",
    // it
    "lascia un commento", "lascia una risposta", "commenti", "annulla risposta", "rispondi",
];

const TEASER_EXACT: &[&str] = &[
    // en
    "check also", "see also", "related", "related articles", "related posts", "related stories",
    "related news", "related content", "related links", "read also", "also read", "read next",
    "up next", "more stories", "more news", "more articles", "recommended",
    "recommended for you", "recommended stories", "recommended articles", "you may also like",
    "you might also like", "you may like", "you might like", "you may be interested in",
    "you might be interested in", "don't miss", "dont miss", "also on", "more on this story",
    "more on this", "more like this", "what to read next", "further reading", "other stories",
    // es
    "te puede interesar", "también te puede interesar", "noticias relacionadas", "lee también",
    "lea también", "relacionados", "artículos relacionados", "te recomendamos",
    // fr
    "lire aussi", "à lire aussi", "voir aussi", "à lire également", "sur le même sujet",
    "articles similaires", "articles liés", "vous aimerez aussi", "à voir aussi",
    // de
    "mehr zum thema", "auch interessant", "lesen sie auch", "das könnte sie auch interessieren",
    "weitere artikel", "ähnliche artikel", "empfehlungen",
    // pt
    "leia também", "veja também", "notícias relacionadas", "artigos relacionados",
    "você pode gostar", "relacionadas",
    // it
    "leggi anche", "potrebbe interessarti", "ti potrebbe interessare", "articoli correlati",
    "correlati", "vedi anche",
];

const SHARE_EXACT: &[&str] = &[
    // en
    "share", "share this", "share this article", "share this story", "share this post",
    "share this page", "share article", "share story", "share on facebook", "share on twitter",
    "share on x", "share on whatsapp", "share on linkedin", "share on reddit",
    "share on telegram", "share on pinterest", "share via email", "share by email", "share via",
    "share on", "tweet", "tweet this", "pin it", "pin", "facebook", "twitter", "x", "whatsapp",
    "linkedin", "reddit", "telegram", "pinterest", "tumblr", "messenger", "email", "e mail",
    "email this", "email article", "copy link", "copy the link", "link copied", "follow us",
    "follow us on facebook", "follow us on twitter", "like us on facebook",
    // es
    "compartir", "compartir en facebook", "compartir en twitter", "compartir en whatsapp",
    "síguenos",
    // fr
    "partager", "partager sur facebook", "partager sur twitter", "suivez nous",
    // de
    "teilen", "auf facebook teilen", "auf twitter teilen", "folgen sie uns",
    // pt
    "compartilhar", "partilhar", "compartilhe", "siga nos",
    // it
    "condividi", "condividi su facebook", "seguici",
];

const NAV_EXACT: &[&str] = &[
    // en
    "accessibility links", "accessibility", "skip to content", "skip to main content",
    "skip to navigation", "skip navigation", "skip to search", "jump to content",
    "jump to navigation", "breaking news", "breaking", "main menu", "menu", "open menu",
    "close menu", "toggle navigation", "navigation", "search", "search form", "home",
    "homepage", "home page", "log in", "login", "log out", "logout", "sign in", "sign out",
    "sign up", "register", "create account", "my account", "account", "subscribe",
    "subscribe now", "subscribe today", "subscription", "subscriptions", "newsletter",
    "newsletters", "sign up for our newsletter", "get our newsletter", "advertisement",
    "advertisements", "advertising", "ad", "ads", "sponsored", "sponsored content",
    "sponsored links", "paid content", "partner content", "promoted", "promoted content",
    "cookies", "cookie policy", "cookie settings", "cookie preferences", "accept cookies",
    "accept all cookies", "accept all", "reject all", "manage cookies", "manage preferences",
    "privacy", "privacy policy", "privacy notice", "privacy settings", "terms",
    "terms of use", "terms of service", "terms and conditions", "terms conditions",
    "all rights reserved", "copyright", "contact", "contact us", "about us", "careers",
    "advertise", "advertise with us", "help", "faq", "feedback", "site map", "sitemap", "rss",
    "rss feed", "print", "print this", "print article", "print this article", "tags",
    "topics", "categories", "archives", "previous", "next", "previous article",
    "next article", "previous post", "next post", "previous story", "next story",
    "older posts", "newer posts", "read more", "read full article", "read the full article",
    "continue reading", "full story", "load more", "show more", "see more", "view more",
    "more", "back to top", "back to home", "back to homepage", "top", "go to top",
    "scroll to top", "most popular", "most read",
    "most viewed", "most shared", "trending", "trending now", "latest", "latest news",
    "latest stories", "top stories", "editor s picks", "editors picks", "watch",
    "watch live", "listen", "listen live", "live", "video", "videos", "photos", "gallery",
    "podcasts", "sections", "language", "languages", "close", "loading", "please wait",
    "download the app", "get the app", "donate", "support us", "permalink", "report",
    "report abuse", "like", "follow", "listen to this article", "font size", "text size",
    "increase text size", "decrease text size", "dark mode",
    // es
    "inicio", "portada", "menú", "buscar", "búsqueda", "iniciar sesión", "registrarse",
    "regístrate", "suscríbete", "suscribirse", "boletín", "publicidad", "patrocinado",
    "política de privacidad", "política de cookies", "aviso legal", "términos y condiciones",
    "todos los derechos reservados", "contacto", "imprimir", "leer más", "ver más",
    "cargar más", "volver arriba", "lo más leído", "más leídas", "últimas noticias",
    "tendencias", "etiquetas",
    // fr
    "accueil", "rechercher", "recherche", "se connecter", "connexion", "s inscrire",
    "inscription", "s abonner", "abonnez vous", "publicité", "sponsorisé",
    "politique de confidentialité", "mentions légales", "conditions générales d utilisation",
    "tous droits réservés", "imprimer", "lire la suite", "voir plus", "retour en haut",
    "les plus lus", "à la une", "dernières actualités", "en direct",
    // de
    "startseite", "suche", "suchen", "anmelden", "einloggen", "abmelden", "registrieren",
    "abonnieren", "anzeige", "werbung", "datenschutz", "datenschutzerklärung", "impressum",
    "nutzungsbedingungen", "agb", "alle rechte vorbehalten", "kontakt", "drucken",
    "weiterlesen", "mehr laden", "nach oben", "meistgelesen",
    // pt
    "início", "página inicial", "pesquisar", "busca", "entrar", "iniciar sessão",
    "cadastre se", "assine", "assinar", "publicidade", "política de privacidade",
    "termos de uso", "todos os direitos reservados", "contato", "leia mais", "carregar mais",
    "voltar ao topo", "mais lidas", "últimas notícias",
    // it
    "cerca", "accedi", "registrati", "abbonati", "iscriviti", "pubblicità",
    "informativa sulla privacy", "termini di utilizzo", "tutti i diritti riservati",
    "contatti", "stampa", "leggi di più", "leggi tutto", "carica altri", "torna su",
    "più letti", "ultime notizie",
];

/// Line-initial phrases: a line matches when its token phrase starts with one of these and
/// the line has at most the given number of tokens.
const PREFIXES: &[(&str, Kind, usize)] = &[
    // Long, specific comment-form sentences: safe as prefixes of fairly long lines.
    ("your email address will not be published", Kind::Comment, 40),
    ("your email will not be published", Kind::Comment, 40),
    ("required fields are marked", Kind::Comment, 40),
    ("you must be logged in to", Kind::Comment, 40),
    ("save my name email and website", Kind::Comment, 40),
    ("notify me of follow up comments", Kind::Comment, 40),
    ("notify me of new posts", Kind::Comment, 40),
    ("this site uses akismet", Kind::Comment, 40),
    ("leave a reply", Kind::Comment, 12),
    ("leave a comment", Kind::Comment, 12),
    ("comments are closed", Kind::Comment, 12),
    ("thoughts on", Kind::Comment, 16),
    ("responses to", Kind::Comment, 16),
    ("tu dirección de correo electrónico no será publicada", Kind::Comment, 40),
    ("los campos obligatorios están marcados", Kind::Comment, 40),
    ("votre adresse e mail ne sera pas publiée", Kind::Comment, 40),
    ("votre adresse de messagerie ne sera pas publiée", Kind::Comment, 40),
    ("les champs obligatoires sont indiqués", Kind::Comment, 40),
    ("deine e mail adresse wird nicht veröffentlicht", Kind::Comment, 40),
    ("ihre e mail adresse wird nicht veröffentlicht", Kind::Comment, 40),
    ("erforderliche felder sind mit", Kind::Comment, 40),
    ("o seu endereço de email não será publicado", Kind::Comment, 40),
    ("o seu endereço de e mail não será publicado", Kind::Comment, 40),
    ("seu endereço de e mail não será publicado", Kind::Comment, 40),
    ("seu endereço de email não será publicado", Kind::Comment, 40),
    ("campos obrigatórios são marcados", Kind::Comment, 40),
    ("il tuo indirizzo email non sarà pubblicato", Kind::Comment, 40),
    // Teaser headers with a name after them.
    ("more from", Kind::Teaser, 6),
    // Share and follow buttons.
    ("share on", Kind::Share, 8),
    ("share via", Kind::Share, 8),
    ("share to", Kind::Share, 8),
    ("share this", Kind::Share, 8),
    ("share with", Kind::Share, 8),
    ("follow us", Kind::Share, 8),
    ("like us on", Kind::Share, 8),
    ("tweet this", Kind::Share, 8),
    ("compartir en", Kind::Share, 8),
    ("partager sur", Kind::Share, 8),
    ("condividi su", Kind::Share, 8),
    // Navigation and notices.
    ("skip to", Kind::Nav, 8),
    ("sign up for", Kind::Nav, 10),
    ("subscribe to", Kind::Nav, 10),
    ("sign in to", Kind::Nav, 10),
    ("log in to", Kind::Nav, 10),
    ("click here", Kind::Nav, 10),
    ("read more", Kind::Nav, 8),
    ("continue reading", Kind::Nav, 8),
    ("see all", Kind::Nav, 4),
    ("view all", Kind::Nav, 4),
    ("download our app", Kind::Nav, 10),
    ("advertisement", Kind::Nav, 6),
    ("sponsored by", Kind::Nav, 8),
    ("we use cookies", Kind::Nav, 60),
    ("this website uses cookies", Kind::Nav, 60),
    ("this site uses cookies", Kind::Nav, 60),
    ("by continuing to use this", Kind::Nav, 60),
];

/// Phrases that mark a short line wherever they appear in it (copyright notices).
pub(crate) const RESERVED: &[&str] = &[
    "all rights reserved",
    "todos los derechos reservados",
    "tous droits réservés",
    "alle rechte vorbehalten",
    "todos os direitos reservados",
    "tutti i diritti riservati",
];

/// Labels that, followed by a colon, start a line of links ("Tags: a, b, c").
const NAV_LABELS: &[(&str, Kind)] = &[
    ("tags", Kind::Nav),
    ("tag", Kind::Nav),
    ("topics", Kind::Nav),
    ("topic", Kind::Nav),
    ("filed under", Kind::Nav),
    ("categories", Kind::Nav),
    ("category", Kind::Nav),
    ("posted in", Kind::Nav),
    ("keywords", Kind::Nav),
    ("etiquetas", Kind::Nav),
    ("temas", Kind::Nav),
    ("mots clés", Kind::Nav),
    ("schlagwörter", Kind::Nav),
    ("themen", Kind::Nav),
    ("argomenti", Kind::Nav),
    ("share", Kind::Share),
    ("share this", Kind::Share),
    ("follow us", Kind::Share),
    ("compartir", Kind::Share),
    ("partager", Kind::Share),
    ("teilen", Kind::Share),
    ("related", Kind::Teaser),
    ("see also", Kind::Teaser),
    ("read also", Kind::Teaser),
    ("also read", Kind::Teaser),
    ("read more", Kind::Teaser),
    ("read", Kind::Teaser),
    ("recommended", Kind::Teaser),
    ("lire aussi", Kind::Teaser),
    ("lee también", Kind::Teaser),
    ("leia também", Kind::Teaser),
    ("leggi anche", Kind::Teaser),
];

/// Tokens that name a picture, for caption and photo-credit lines.
pub(crate) const IMAGE_NOUNS: &[&str] = &[
    "image", "images", "photo", "photos", "photograph", "photographs", "picture", "pictures",
    "pic", "foto", "fotos", "bild", "bilder", "imagen", "imágenes", "imagem", "imagens",
    "immagine", "immagini", "illustration", "graphic", "caption", "photographer",
];

/// Further tokens that may appear in a bare picture label ("Getty Images", "File Photo").
pub(crate) const IMAGE_LABEL_WORDS: &[&str] = &[
    "getty", "afp", "ap", "reuters", "epa", "efe", "dpa", "ansa", "shutterstock", "istock",
    "istockphoto", "alamy", "file", "source", "credit", "credits", "handout", "courtesy", "via",
    "by", "stock", "media", "x", "sipa", "anadolu", "xinhua", "pool",
];

/// Tokens that may follow an image noun to make it a credit label ("Photo credit: …").
pub(crate) const CREDIT_WORDS: &[&str] =
    &["by", "credit", "credits", "source", "courtesy", "caption", "de", "von", "di", "par"];

pub(crate) struct Lexicon {
    pub(crate) exact: AHashMap<String, Kind>,
    pub(crate) prefix: AHashMap<String, (Kind, usize)>,
    pub(crate) labels: AHashMap<String, Kind>,
    /// Longest prefix phrase, in tokens.
    pub(crate) max_prefix_tokens: usize,
    pub(crate) reserved: Vec<String>,
}

/// The token phrase of a lexicon entry (same normalisation as for lines).
fn norm(p: &str) -> String {
    let n = retold_text::normalize(p);
    let t = n.text();
    let mut out = String::new();
    for tok in retold_text::tokenize(t) {
        let w = &t[tok.start as usize..tok.end as usize];
        if w.chars().all(char::is_numeric) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

pub(crate) fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut exact = AHashMap::new();
        // First insertion wins: comment forms and teasers before generic navigation.
        for (list, kind) in [
            (COMMENT_EXACT, Kind::Comment),
            (TEASER_EXACT, Kind::Teaser),
            (SHARE_EXACT, Kind::Share),
            (NAV_EXACT, Kind::Nav),
        ] {
            for p in list {
                exact.entry(norm(p)).or_insert(kind);
            }
        }
        let mut prefix = AHashMap::new();
        let mut max_prefix_tokens = 0;
        for &(p, kind, max) in PREFIXES {
            let n = norm(p);
            max_prefix_tokens = max_prefix_tokens.max(n.split(' ').count());
            prefix.entry(n).or_insert((kind, max));
        }
        let mut labels = AHashMap::new();
        for &(p, kind) in NAV_LABELS {
            labels.entry(norm(p)).or_insert(kind);
        }
        let reserved = RESERVED.iter().map(|p| norm(p)).collect();
        Lexicon {
            exact,
            prefix,
            labels,
            max_prefix_tokens,
            reserved,
        }
    })
}

/// The token phrase of `text[from..to]`: lower-cased tokens, numbers left out, joined by
/// single spaces. Appends to `out`; returns the number of words kept.
pub(crate) fn phrase_into(text: &str, tokens: &[retold_text::Token], out: &mut String) -> usize {
    let mut n = 0;
    for tok in tokens {
        let w = &text[tok.start as usize..tok.end as usize];
        if w.chars().all(char::is_numeric) {
            continue;
        }
        if n > 0 {
            out.push(' ');
        }
        if w.is_ascii() {
            out.extend(w.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            out.extend(w.chars().flat_map(char::to_lowercase));
        }
        n += 1;
    }
    n
}
