#!/usr/bin/env python3
"""Build a labelled synthetic set of copies, reposts and partial reuse for retold.

Writes DIR/docs.jsonl and DIR/gold.jsonl in the format of ../shared/eval/README.md (pair
gold lines {"a", "b", "label", "kind"}), plus DIR/manifest.jsonl (how each document was made;
for debugging, not needed by `retold eval`). Standard library only; same --seed, same output.

Base texts (from --shared, default ../shared relative to the repo root):
  * onestop: ONE reading level per cluster (the levels are rewrites of each other), English;
  * semeval: es/tr/fr/ar news (the `title` is kept for headlines);
  * wmt:     only the Chinese source documents (exercise character shingles).
Every text used (bases, hosts, singles, related pairs) is screened first: a text is dropped
when its token 5-shingle Jaccard with an already accepted text is >= 0.2 or when the two
share a run of 12 tokens (a few semeval pairs are copies of each other). Tokens are
lowercased word runs ([^\\W_]+); Chinese/Japanese characters are one token each, so for zh
"5-shingles" are character 5-grams.

Kinds of documents and pairs (`kind` in gold.jsonl and manifest.jsonl):
  duplicate (reproduced):
    format    the original with formatting changes only: straight<->curly quotes, lines
              re-wrapped at 55-80 columns (30-40 characters for zh), extra blank lines,
              trailing spaces, sometimes CRLF line ends.
    repost    the article inside one of 8 invented sites' chrome (nav lines, "Skip to
              content", "Breaking News", a dateline in the site's date format, a photo caption
              printed twice, share lines, a "Related Articles"/"Check Also" teaser of another
              article ending in "…", "Leave a Reply" + e-mail notice, tags, copyright footer,
              editor initials like "[ab/cd]"), localized for the sites whose chrome follows
              the article's language; with small edits: 2-5 word substitutions, one sentence
              dropped or a paragraph split/merged, dates in the body reformatted, headline
              changed slightly. Article-body Jaccard is kept in [0.6, 0.95].
    A copy group is the original plus 1-4 copies (format and/or reposts on distinct sites):
    every pair in the group is labelled duplicate.
  partial (reproduced):
    embed     a host article (another text, same language) quotes 2-4 consecutive
              paragraphs (or a run of sentences), 15-40 % of the source's length, somewhere in
              its middle; pair (source, host).
    lead      the host reuses only the FIRST paragraphs/sentences of a longer source inside
              its own material.
    Hosts are sometimes wrapped in a site's chrome. A host is partial with its source only.
  independent (hard and easy negatives):
    same-site  two different articles wrapped in the SAME site's chrome -> unrelated.
    teaser     a repost whose "Related Articles" teaser quotes ~15 words of another article in
               the set, and that article -> unrelated (the teaser is chrome).
    semeval-related   two semeval articles of a pair labelled related in the semeval gold
               (neither is used as a copy base or anywhere else) -> related.
    semeval-unrelated the same for semeval pairs labelled unrelated -> unrelated.
    cross-language  every pair of standalone semeval articles in two of es/tr/ar (up to 40
               per language) -> unrelated: hard negatives of the semantic layer.
    random     random pairs of documents with nothing in common (same language 70 % of the
               time; never two docs of one semeval gold component) -> unrelated.
Every document has id, text, lang; some have date (an original is earlier than its copies,
a source earlier than its hosts) and source (the site for reposts, an outlet for others).

Presets: default (~300 bases, ~1,100-1,400 docs, ~3,000 labelled pairs) and `--preset demo`
(or `--demo DIR`): ~120 docs for the README quick start, mostly English, which also holds the
two seed texts of ../shared/seeds as seed_000 and seed_001 (text byte-identical), gold
(seed_001, seed_000) = rewrite.

Example:  python3 scripts/make_synthetic.py --out bench/data/synthetic --stats
"""

import argparse
import json
import os
import random
import re
import sys
import textwrap
from collections import Counter, defaultdict
from datetime import date, timedelta

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --------------------------------------------------------------------------- tokens

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile("[" + CJK + "]")
TOKEN_RE = re.compile(r"[" + CJK + r"]|[^\W_" + CJK + r"]+")


def tokens(text):
    return TOKEN_RE.findall(text.lower())


def shingles(toks, n=5):
    if len(toks) < n:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)}


def jaccard(a, b):
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(a, b):
    m = min(len(a), len(b))
    return len(a & b) / m if m else 0.0


def longest_shared_run(ta, tb, cap=400):
    """Length (tokens) of the longest token run the two lists share (binary search)."""
    def share(n):
        if n > len(ta) or n > len(tb):
            return False
        sa = {tuple(ta[i:i + n]) for i in range(len(ta) - n + 1)}
        return any(tuple(tb[i:i + n]) in sa for i in range(len(tb) - n + 1))
    lo, hi = 0, min(len(ta), len(tb), cap)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if share(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


# --------------------------------------------------------------------------- text units

SENT_END_RE = re.compile(r"[.!?؟。！？]+[\"”’»)」』]*")
ABBREV = {"mr", "mrs", "ms", "dr", "st", "sr", "jr", "prof", "gen", "sen", "rep", "no", "vs",
          "etc", "inc", "ltd", "co", "u.s", "u.k", "sra", "av", "m", "mme", "dr"}


def paragraphs(text):
    return [p.strip() for p in text.split("\n") if p.strip()]


def sentences(par, lang):
    """Split a paragraph into sentences (no offsets needed here)."""
    out, start = [], 0
    for m in SENT_END_RE.finditer(par):
        e = m.end()
        if lang in ("zh", "ja"):
            if "。" in m.group() or "！" in m.group() or "？" in m.group():
                out.append(par[start:e])
                start = e
            continue
        if e < len(par) and not par[e].isspace():
            continue
        prev = par[start:m.start()].split()
        if prev and prev[-1].lower().rstrip(".") in ABBREV:
            continue
        if prev and len(prev[-1]) == 1 and prev[-1].isupper():  # initials "J. Smith"
            continue
        out.append(par[start:e].strip())
        start = e
    if par[start:].strip():
        out.append(par[start:].strip())
    return [s for s in out if s]


def join_sentences(sents, lang):
    return ("" if lang in ("zh", "ja") else " ").join(sents)


# --------------------------------------------------------------------------- dates

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "tr": ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos",
           "Eylül", "Ekim", "Kasım", "Aralık"],
    "ar": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
           "أكتوبر", "نوفمبر", "ديسمبر"],
}


def fmt_date(d, style, lang):
    """Render a date in a site's style; 'long' styles follow the chrome language."""
    if style == "iso":
        return d.isoformat()
    if style == "dmy_slash":
        return "%02d/%02d/%d" % (d.day, d.month, d.year)
    if style == "dmy_dot":
        return "%02d.%02d.%d" % (d.day, d.month, d.year)
    if style == "paren":  # "(21/10)" as in the seed repost
        return "(%d/%d)" % (d.day, d.month)
    # long
    if lang == "zh":
        return "%d年%d月%d日" % (d.year, d.month, d.day)
    if lang == "en":
        return "%s %d, %d" % (MONTHS["en"][d.month - 1], d.day, d.year)
    if lang == "es":
        return "%d de %s de %d" % (d.day, MONTHS["es"][d.month - 1], d.year)
    months = MONTHS.get(lang, MONTHS["en"])
    return "%d %s %d" % (d.day, months[d.month - 1], d.year)


def _month_alt(lang):
    return "|".join(re.escape(m) for m in MONTHS.get(lang, []))


def reformat_dates(text, lang, rng):
    """Rewrite dates found in a body into another format (a repost's date style)."""
    n = [0]

    def numeric(m):
        n[0] += 1
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return m.group(0)
        return "%d-%02d-%02d" % (y, mo, d) if rng.random() < 0.5 else "%d.%d.%d" % (d, mo, y)

    text = re.sub(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b", numeric, text)
    if lang in MONTHS:
        alt = _month_alt(lang)
        names = MONTHS[lang]

        def named(m):
            n[0] += 1
            g = m.groupdict()
            mo = [x.lower() for x in names].index(g["mon"].lower()) + 1
            return "%02d/%02d/%s" % (int(g["d"]), mo, g["y"])
        if lang == "en":
            text = re.sub(r"\b(?P<mon>%s) (?P<d>\d{1,2}), (?P<y>\d{4})\b" % alt, named, text)
            text = re.sub(r"\b(?P<d>\d{1,2}) (?P<mon>%s) (?P<y>\d{4})\b" % alt, named, text)
        elif lang == "es":
            text = re.sub(r"\b(?P<d>\d{1,2}) de (?P<mon>%s) de (?P<y>\d{4})\b" % alt, named,
                          text, flags=re.I)
        else:
            text = re.sub(r"\b(?P<d>\d{1,2}) (?P<mon>%s) (?P<y>\d{4})\b" % alt, named, text,
                          flags=re.I)
    if lang == "zh":
        def zh(m):
            n[0] += 1
            return "%s-%02d-%02d" % (m.group(1), int(m.group(2)), int(m.group(3)))
        text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日", zh, text)
    return text, n[0]


# --------------------------------------------------------------------------- site chrome

P = {  # localized chrome phrases; sites with chrome "native" use the article's language
    "skip": {"en": "Skip to content", "es": "Saltar al contenido", "fr": "Aller au contenu",
             "tr": "İçeriğe geç", "ar": "انتقل إلى المحتوى", "zh": "跳到内容"},
    "access": {"en": "Accessibility links", "es": "Enlaces de accesibilidad",
               "fr": "Liens d'accessibilité", "tr": "Erişilebilirlik bağlantıları",
               "ar": "روابط إمكانية الوصول", "zh": "无障碍链接"},
    "nav": {"en": ["Home", "World", "Politics", "Business", "Tech", "Sport", "Opinion"],
            "es": ["Inicio", "Mundo", "Política", "Economía", "Tecnología", "Deportes", "Opinión"],
            "fr": ["Accueil", "Monde", "Politique", "Économie", "Tech", "Sport", "Opinions"],
            "tr": ["Ana Sayfa", "Dünya", "Politika", "Ekonomi", "Teknoloji", "Spor", "Yazarlar"],
            "ar": ["الرئيسية", "العالم", "سياسة", "اقتصاد", "تكنولوجيا", "رياضة", "رأي"],
            "zh": ["首页", "国际", "政治", "财经", "科技", "体育", "评论"]},
    "breaking": {"en": "Breaking News", "es": "Última hora", "fr": "Dernière minute",
                 "tr": "Son Dakika", "ar": "عاجل", "zh": "突发新闻"},
    "posted": {"en": "Posted on {date} by {author}", "es": "Publicado el {date} por {author}",
               "fr": "Publié le {date} par {author}",
               "tr": "{date} tarihinde {author} tarafından yayınlandı",
               "ar": "نشر في {date} بواسطة {author}", "zh": "{author} 发表于 {date}"},
    "updated": {"en": "Updated: {date}", "es": "Actualizado: {date}", "fr": "Mis à jour : {date}",
                "tr": "Güncelleme: {date}", "ar": "تحديث: {date}", "zh": "更新时间：{date}"},
    "share": {"en": "Share this:", "es": "Compartir:", "fr": "Partager :", "tr": "Paylaş:",
              "ar": "شارك:", "zh": "分享到："},
    "share_on": {"en": "Share on Facebook | Tweet | Email", "es": "Compartir en Facebook | Tuitear | Email",
                 "fr": "Partager sur Facebook | Tweeter | E-mail", "tr": "Facebook'ta paylaş | Tweetle | E-posta",
                 "ar": "شارك على فيسبوك | غرّد | البريد الإلكتروني", "zh": "分享到微信 | 微博 | 邮件"},
    "related": {"en": "Related Articles", "es": "Artículos relacionados", "fr": "Articles similaires",
                "tr": "İlgili Haberler", "ar": "مقالات ذات صلة", "zh": "相关文章"},
    "check_also": {"en": "Check Also", "es": "Ver también", "fr": "À lire aussi",
                   "tr": "Bunlara da göz atın", "ar": "اقرأ أيضاً", "zh": "延伸阅读"},
    "reply": {"en": "Leave a Reply", "es": "Deja una respuesta", "fr": "Laisser un commentaire",
              "tr": "Bir yanıt yazın", "ar": "اترك تعليقاً", "zh": "发表评论"},
    "email": {"en": "Your email address will not be published. Required fields are marked *",
              "es": "Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados con *",
              "fr": "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
              "tr": "E-posta adresiniz yayınlanmayacak. Gerekli alanlar * ile işaretlenmişlerdir",
              "ar": "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
              "zh": "您的电子邮箱地址不会被公开。必填项已用 * 标注"},
    "rights": {"en": "All rights reserved.", "es": "Todos los derechos reservados.",
               "fr": "Tous droits réservés.", "tr": "Tüm hakları saklıdır.",
               "ar": "جميع الحقوق محفوظة.", "zh": "版权所有"},
    "subscribe": {"en": "Subscribe to our newsletter", "es": "Suscríbete a nuestro boletín",
                  "fr": "Abonnez-vous à notre newsletter", "tr": "Bültenimize abone olun",
                  "ar": "اشترك في نشرتنا البريدية", "zh": "订阅我们的新闻简报"},
    "tags": {"en": "Tags:", "es": "Etiquetas:", "fr": "Mots-clés :", "tr": "Etiketler:",
             "ar": "الوسوم:", "zh": "标签："},
    "ad": {"en": "Advertisement", "es": "Publicidad", "fr": "Publicité", "tr": "Reklam",
           "ar": "إعلان", "zh": "广告"},
    "photo": {"en": "Photo: {agency}", "es": "Foto: {agency}", "fr": "Photo : {agency}",
              "tr": "Fotoğraf: {agency}", "ar": "صورة: {agency}", "zh": "图片来源：{agency}"},
    "file": {"en": "File photo", "es": "Imagen de archivo", "fr": "Photo d'archives",
             "tr": "Arşiv fotoğrafı", "ar": "صورة أرشيفية", "zh": "资料图"},
    "read_more": {"en": "Read more", "es": "Leer más", "fr": "Lire la suite",
                  "tr": "Devamını oku", "ar": "اقرأ المزيد", "zh": "阅读全文"},
    "comments": {"en": "{n} Comments", "es": "{n} comentarios", "fr": "{n} commentaires",
                 "tr": "{n} Yorum", "ar": "{n} تعليقات", "zh": "{n} 条评论"},
    "cookies": {"en": "We use cookies to give you the best experience on our website. Accept",
                "es": "Utilizamos cookies para mejorar tu experiencia en nuestro sitio web. Aceptar",
                "fr": "Nous utilisons des cookies pour vous offrir la meilleure expérience sur notre site. Accepter",
                "tr": "Sitemizde size en iyi deneyimi sunmak için çerezler kullanıyoruz. Kabul et",
                "ar": "نستخدم ملفات تعريف الارتباط لنمنحك أفضل تجربة على موقعنا. موافق",
                "zh": "我们使用Cookie来改善您的浏览体验。接受"},
}
SHARE_TARGETS = ["Facebook", "Twitter", "WhatsApp", "Telegram", "Email", "LinkedIn", "Pinterest",
                 "Reddit", "Print"]
AGENCIES = ["AFP", "Reuters", "AP", "EFE", "Anadolu", "Xinhua", "dpa", "Getty Images"]


def phrase(key, lang):
    d = P[key]
    return d.get(lang, d["en"])


# Eight sites. `chrome`: "en" = English chrome whatever the article's language (aggregators,
# content farms), "native" = chrome in the article's language. Every choice that is not a
# per-article variable (date, headline, caption, teaser) is fixed per site, so a site's
# chrome lines recur verbatim across its pages.
SITES = [
    dict(name="Daily Buzz Today", domain="dailybuzztoday.com", chrome="en", date="long",
         header=["skip", "nav", "breaking"], nav=[0, 1, 2, 3, 4], dateline="posted",
         author="admin", caption=True, initials="[{a}/{b}]", top_share=False,
         bottom=["share", "related", "reply", "copyright"], sep="\n\n"),
    dict(name="World News Feed", domain="worldnewsfeed.net", chrome="en", date="dmy_slash",
         header=["access", "breaking"], nav=None, dateline="updated", author=None,
         caption=True, initials="({a}/{b})", top_share=True,
         bottom=["check_also", "reply", "copyright"], sep="\n\n"),
    dict(name="The Global Times 24", domain="theglobaltimes24.com", chrome="en", date="iso",
         header=["cookies", "nav"], nav=[0, 1, 3, 5, 6], dateline="updated", author=None,
         caption=False, initials="[{a}/{b}]", top_share=True,
         bottom=["tags", "related", "subscribe", "copyright"], sep="\n"),
    dict(name="NewsNow Hub", domain="newsnowhub.org", chrome="en", date="long",
         header=["skip", "nav", "ad"], nav=[0, 1, 2, 4], dateline="posted", author="Staff Writer",
         caption=True, initials=None, top_share=False,
         bottom=["share", "comments", "check_also", "reply", "copyright"], sep="\n\n"),
    dict(name="Portal Noticias 365", domain="portalnoticias365.com", chrome="native",
         date="long", header=["skip", "nav", "breaking"], nav=[0, 1, 2, 3, 5],
         dateline="posted", author="Redacción", caption=True, initials="[{a}/{b}]",
         top_share=False, bottom=["share", "related", "reply", "copyright"], sep="\n\n"),
    dict(name="InfoExpress", domain="infoexpress.info", chrome="native", date="dmy_dot",
         header=["access", "nav"], nav=[0, 1, 2, 6], dateline="updated", author=None,
         caption=True, initials=None, top_share=True,
         bottom=["ad", "tags", "check_also", "copyright"], sep="\n\n"),
    dict(name="Haber Merkezi Plus", domain="habermerkeziplus.net", chrome="native",
         date="long", header=["breaking", "nav"], nav=[0, 1, 3, 4, 5], dateline="posted",
         author="Editor", caption=False, initials="[{a}/{b}]", top_share=True,
         bottom=["subscribe", "related", "reply", "copyright"], sep="\n"),
    dict(name="Asia Daily Wire", domain="asiadailywire.com", chrome="en", date="paren",
         header=["skip", "breaking"], nav=None, dateline=None, author=None,
         caption=True, initials="[{a}/{b}]", top_share=False,
         bottom=["check_also", "reply", "copyright"], sep="\n\n"),
]

OUTLETS = ["Metro Herald", "The Evening Courier", "Diario del Sur", "Le Quotidien du Centre",
           "Günlük Gazete", "صحيفة الأفق", "华夏时报网", "National Wire Service", "City Chronicle",
           "El Observador Digital"]


def site_initials(site_idx):
    r = random.Random(1000 + site_idx)
    letters = "abcdefghijklmnoprstvwy"
    return [(r.choice(letters) + r.choice(letters), r.choice(letters) + r.choice(letters))
            for _ in range(3)]


def headline_of(base):
    """A base's headline: semeval title, zh first line, or onestop's first sentence's start."""
    if base.get("title"):
        return base["title"].strip()
    paras = paragraphs(base["text"])
    if base["lang"] == "zh" and paras and len(paras[0]) < 60:
        return re.sub(r"[-—－]?中新网$", "", paras[0]).strip()
    first = sentences(paras[0], base["lang"])[0] if paras else ""
    words = first.split()
    if len(words) > 12:  # cut at a comma when one comes early enough, else at 12 words
        head = first.split(",")[0].split()
        words = head if 4 <= len(head) <= 12 else words[:12]
    return " ".join(words).rstrip(",.;:")


def tweak_headline(h, lang, rng, vocab):
    ops = ["case", "prefix", "drop", "swap"] if lang not in ("zh", "ar") else ["prefix", "drop"]
    op = rng.choice(ops)
    words = h.split()
    if op == "case" and lang in ("en", "es", "fr", "tr"):
        return " ".join(w[:1].upper() + w[1:] for w in words)
    if op == "prefix":
        pre = {"en": ["BREAKING: ", "WATCH: ", "UPDATE: "], "es": ["ÚLTIMA HORA: ", "VÍDEO: "],
               "fr": ["INFO : ", "VIDÉO : "], "tr": ["SON DAKİKA: ", "FLAŞ: "],
               "ar": ["عاجل: ", "بالفيديو: "], "zh": ["快讯：", "独家："]}
        return rng.choice(pre.get(lang, pre["en"])) + h
    if op == "drop" and len(words) > 5:
        i = rng.randrange(1, len(words) - 1)
        return " ".join(words[:i] + words[i + 1:])
    if op == "drop" and lang == "zh" and len(h) > 8:
        return h[: len(h) - 2]
    if op == "swap" and len(words) > 3 and vocab:
        i = rng.randrange(len(words))
        words[i] = rng.choice(vocab)
        return " ".join(words)
    return h + (" (video)" if lang == "en" else "")


def caption_for(headline, lang, rng):
    agency = rng.choice(AGENCIES)
    if lang == "zh":
        subj = headline[:14]
    else:
        subj = " ".join(headline.split()[:6]).rstrip(",.:;")
    return "%s: %s. %s" % (phrase("file", lang), subj, phrase("photo", lang).format(agency=agency))


def teaser_lines(teaser, lang):
    """Headline + ~15-word snippet ending in '…' of another article."""
    head = headline_of(teaser)
    body = paragraphs(teaser["text"])
    src = body[1] if teaser["lang"] == "zh" and len(body) > 1 else (body[0] if body else "")
    if teaser["lang"] in ("zh", "ja"):
        snippet = src[:32].rstrip("，。、") + "…"
    else:
        snippet = " ".join(src.split()[:15]).rstrip(",.;:") + " …"
    return [head, snippet]


def render_site(site_idx, lang, headline, body_paras, d, rng, teaser=None):
    """Wrap body paragraphs in site chrome. Returns (text, body_text)."""
    s = SITES[site_idx]
    cl = lang if s["chrome"] == "native" else "en"
    lines = []
    for h in s["header"]:
        if h == "nav":
            items = [phrase("nav", cl)[i] for i in s["nav"]]
            lines.append(" | ".join(items))
        else:
            lines.append(phrase(h, cl))
    if s["top_share"]:
        lines.append(" ".join(SHARE_TARGETS[(site_idx + k) % len(SHARE_TARGETS)] for k in range(4)))
    lines.append(headline)
    if s["dateline"] == "posted":
        lines.append(phrase("posted", cl).format(date=fmt_date(d, s["date"], cl), author=s["author"]))
    elif s["dateline"] == "updated":
        lines.append(phrase("updated", cl).format(date=fmt_date(d, s["date"], cl)))
    if s["caption"]:
        cap = caption_for(headline, cl, rng)
        lines += [cap, cap]
    body = list(body_paras)
    if s["initials"]:
        a, b = rng.choice(site_initials(site_idx))
        body[-1] = body[-1] + " " + s["initials"].format(a=a, b=b)
    body_text = s["sep"].join(body)
    tail = []
    for k in s["bottom"]:
        if k == "share":
            tail.append(phrase("share", cl))
            tail.append(" ".join(SHARE_TARGETS[(site_idx * 2 + j) % len(SHARE_TARGETS)] for j in range(5)))
        elif k in ("related", "check_also"):
            if teaser is not None:
                tail.append(phrase(k, cl))
                tail += teaser_lines(teaser, cl)
        elif k == "reply":
            tail += [phrase("reply", cl), phrase("email", cl)]
        elif k == "copyright":
            tail.append("© %d %s. %s" % (d.year, s["name"], phrase("rights", cl)))
        elif k == "comments":
            tail.append(phrase("comments", cl).format(n=rng.randrange(0, 40)))
        elif k == "tags":
            words = [w for w in headline.split() if len(w) > 4][:3] if lang not in ("zh",) else [headline[:4]]
            tail.append(phrase("tags", cl) + " " + ", ".join(words))
        else:
            tail.append(phrase(k, cl))
    sep = s["sep"]
    text = sep.join(lines) + sep + sep + body_text + sep + sep + sep.join(tail)
    return text, body_text


# --------------------------------------------------------------------------- edits

WORD_RE = re.compile(r"\b[^\W\d_]{4,}\b")


def substitute_words(paras, lang, k, rng, vocab):
    paras = list(paras)
    for _ in range(k):
        i = rng.randrange(len(paras))
        p = paras[i]
        if lang in ("zh", "ja"):
            pos = [m.start() for m in CJK_RE.finditer(p)]
            if len(pos) < 4 or not vocab:
                continue
            j = rng.choice(pos[:-1])
            paras[i] = p[:j] + rng.choice(vocab) + rng.choice(vocab) + p[j + 2:]
            continue
        ms = list(WORD_RE.finditer(p))
        if not ms or not vocab:
            continue
        m = rng.choice(ms)
        w = rng.choice(vocab)
        if m.group()[0].isupper():
            w = w[:1].upper() + w[1:]
        paras[i] = p[:m.start()] + w + p[m.end():]
    return paras


def drop_sentence(paras, lang, rng):
    cands = [(i, sentences(p, lang)) for i, p in enumerate(paras)]
    cands = [(i, s) for i, s in cands if len(s) >= 2 and i > 0]
    if not cands:
        if len(paras) > 3:
            i = rng.randrange(1, len(paras))
            return paras[:i] + paras[i + 1:]
        return paras
    i, ss = rng.choice(cands)
    j = rng.randrange(1, len(ss))
    ss = ss[:j] + ss[j + 1:]
    out = list(paras)
    out[i] = join_sentences(ss, lang)
    return out


def split_or_merge(paras, lang, rng):
    out = list(paras)
    if len(out) >= 3 and rng.random() < 0.5:
        i = rng.randrange(len(out) - 1)
        sep = "" if lang in ("zh", "ja") else " "
        out[i:i + 2] = [out[i] + sep + out[i + 1]]
        return out
    cands = [(i, sentences(p, lang)) for i, p in enumerate(out)]
    cands = [(i, s) for i, s in cands if len(s) >= 2]
    if not cands:
        return out
    i, ss = rng.choice(cands)
    j = rng.randrange(1, len(ss))
    out[i:i + 1] = [join_sentences(ss[:j], lang), join_sentences(ss[j:], lang)]
    return out


def to_curly(s):
    s = re.sub(r'(^|[\s(\[{«—–-])"', "\\1“", s)
    s = s.replace('"', "”")
    s = re.sub(r"(^|[\s(\[{])'", "\\1‘", s)
    return s.replace("'", "’")


def to_straight(s):
    return s.translate(str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"}))


def wrap_cjk(p, w):
    """Hard-wrap CJK text every ~w characters, never inside a Latin word or a number."""
    lines, start = [], 0
    while len(p) - start > w:
        cut = start + w
        while cut < len(p) and p[cut - 1].isascii() and p[cut - 1].isalnum() \
                and p[cut].isascii() and p[cut].isalnum():
            cut += 1
        lines.append(p[start:cut])
        start = cut
    lines.append(p[start:])
    return "\n".join(x for x in lines if x)


def format_copy(text, lang, rng):
    """The same text with formatting changes only. Returns (text, list of ops)."""
    paras = paragraphs(text)
    ops = rng.sample(["quotes", "rewrap", "blank", "trailing"], rng.choice([2, 2, 3, 4]))
    if "quotes" in ops:
        has_curly = any(c in text for c in "“”‘’")
        paras = [to_straight(p) if has_curly else to_curly(p) for p in paras]
    if "rewrap" in ops:
        if lang in ("zh", "ja"):
            w = rng.randrange(30, 41)
            paras = [wrap_cjk(p, w) for p in paras]
        else:
            w = rng.randrange(55, 81)
            paras = [textwrap.fill(p, width=w, break_long_words=False, break_on_hyphens=False)
                     for p in paras]
    if "blank" in ops:
        text = ""
        for i, p in enumerate(paras):
            text += p + ("\n" * rng.choice([2, 2, 3, 4]) if i < len(paras) - 1 else "\n")
    else:
        text = "\n\n".join(paras) + "\n"
    if "trailing" in ops:
        text = "\n".join(l + " " * rng.choice([0, 1, 2, 3]) for l in text.split("\n"))
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
        ops.append("crlf")
    return text, sorted(ops)


# --------------------------------------------------------------------------- loading

def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def load_bases(shared, rng):
    ev = os.path.join(shared, "eval")
    cands = []
    # onestop: one level per cluster
    os_docs = {d["id"]: d for d in load_jsonl(os.path.join(ev, "onestop", "docs.jsonl"))}
    for g in load_jsonl(os.path.join(ev, "onestop", "gold.jsonl")):
        did = rng.choice(sorted(g["docs"]))
        d = os_docs[did]
        cands.append(dict(orig=did, ds="onestop", text=d["text"], lang=d["lang"], title=None))
    se = load_jsonl(os.path.join(ev, "semeval", "docs.jsonl"))
    for d in se:
        cands.append(dict(orig=d["id"], ds="semeval", text=d["text"], lang=d["lang"],
                          title=d.get("title")))
    for d in load_jsonl(os.path.join(ev, "wmt", "docs.jsonl")):
        if d["lang"] == "zh":
            cands.append(dict(orig=d["id"], ds="wmt", text=d["text"], lang="zh", title=None))
    semgold = load_jsonl(os.path.join(ev, "semeval", "gold.jsonl"))
    return cands, semgold


def screen(cands, rng, min_tokens=120):
    """Drop short texts and near-copies (J5 >= 0.2 or a shared 12-token run)."""
    order = list(range(len(cands)))
    rng.shuffle(order)
    kept, run12, inv = [], {}, defaultdict(list)
    dropped = Counter()
    for i in order:
        c = cands[i]
        t = tokens(c["text"])
        if len(t) < min_tokens:
            dropped["short"] += 1
            continue
        grams12 = {" ".join(t[j:j + 12]) for j in range(len(t) - 11)}
        if any(g in run12 for g in grams12):
            dropped["12-run"] += 1
            continue
        sh = shingles(t)
        overlap = Counter()
        for s in sh:
            for k in inv.get(s, ()):
                overlap[k] += 1
        bad = False
        for k, inter in overlap.items():
            if inter / (len(sh) + len(cands[k]["_sh"]) - inter) >= 0.2:
                bad = True
                break
        if bad:
            dropped["jaccard"] += 1
            continue
        c["_sh"] = sh
        c["_tok"] = t
        kept.append(i)
        for g in grams12:
            run12[g] = i
        for s in sh:
            inv[s].append(i)
    for c in cands:
        c.pop("_sh", None)
    return sorted(kept), dropped


# --------------------------------------------------------------------------- builder

class Builder:
    def __init__(self, rng, vocab):
        self.rng = rng
        self.vocab = vocab
        self.docs = []  # dicts with key, text, lang, date, source, and manifest fields
        self.pairs = []  # (key_a, key_b, label, kind)
        self.site_docs = defaultdict(list)

    def add(self, text, lang, d, source, **manifest):
        key = len(self.docs)
        doc = dict(key=key, text=text, lang=lang, date=d, source=source, **manifest)
        self.docs.append(doc)
        if manifest.get("site") is not None:
            self.site_docs[manifest["site"]].append(key)
        return key

    def body_paras(self, base):
        paras = paragraphs(base["text"])
        if base["lang"] == "zh" and len(paras) > 1 and len(paras[0]) < 60:
            paras = paras[1:]  # zh first line is the headline, printed by the site
        return paras

    def repost(self, base, site_idx, d, teaser=None):
        """Article of `base` wrapped in a site's chrome with small edits."""
        rng, lang = self.rng, base["lang"]
        orig_paras = self.body_paras(base)
        orig_sh = shingles(tokens("\n".join(orig_paras)))
        best = None
        for attempt in range(6):
            k = rng.randrange(2, 6) if attempt < 3 else 1
            paras = substitute_words(orig_paras, lang, k, rng, self.vocab.get(lang, []))
            edits = ["subst%d" % k]
            if rng.random() < 0.5:
                paras = drop_sentence(paras, lang, rng)
                edits.append("drop-sentence")
            else:
                paras = split_or_merge(paras, lang, rng)
                edits.append("split-merge")
            joined, nd = reformat_dates("\n".join(paras), lang, rng)
            if nd:
                edits.append("dates%d" % nd)
            paras = joined.split("\n")
            j = jaccard(orig_sh, shingles(tokens("\n".join(paras))))
            if best is None or abs(j - 0.8) < abs(best[2] - 0.8):
                best = (paras, edits, j)
            if 0.6 <= j <= 0.95:
                break
        paras, edits, j = best
        head = tweak_headline(headline_of(base), lang, rng, self.vocab.get(lang, []))
        text, _ = render_site(site_idx, lang, head, paras, d, rng, teaser=teaser)
        return text, edits, j


def pick_window(units, lo, hi, sizes, rng, lead=False):
    """Consecutive units (paragraphs/sentences) covering lo..hi of the total length.

    lead=True: a window starting at the first unit, of any size (sizes ignored)."""
    total = sum(len(u) for u in units) or 1
    wins = []
    if lead:
        acc = 0
        for n in range(1, len(units)):
            acc += len(units[n - 1])
            if lo <= acc / total <= hi:
                wins.append((0, n))
        return rng.choice(wins) if wins else None
    for n in sizes:
        for s in range(len(units) - n + 1):
            f = sum(len(u) for u in units[s:s + n]) / total
            if lo <= f <= hi:
                wins.append((s, n))
    return rng.choice(wins) if wins else None


def build(args):
    rng = random.Random(args.seed)
    shared = args.shared
    cands, semgold = load_bases(shared, rng)
    kept, dropped = screen(cands, rng)
    pool = [cands[i] for i in kept]
    by_orig = {c["orig"]: c for c in pool}
    demo = args.preset == "demo"

    # vocabulary per language for substitutions (sorted: deterministic)
    vocab = {}
    for lang in sorted({c["lang"] for c in pool}):
        cnt = Counter()
        for c in pool:
            if c["lang"] != lang:
                continue
            if lang == "zh":
                cnt.update(t for t in c["_tok"] if CJK_RE.match(t))
            else:
                cnt.update(t for t in c["_tok"] if len(t) >= 4 and t.isalpha())
        vocab[lang] = sorted(w for w, n in cnt.items() if n >= 2)

    # semeval gold components (never pair two docs of one component as "random")
    comp = {}
    def find(x):
        while comp.setdefault(x, x) != x:
            comp[x] = comp[comp[x]]
            x = comp[x]
        return x
    for g in semgold:
        comp[find(g["a"])] = find(g["b"])

    n_base = args.n_base if args.n_base else (30 if demo else 300)
    n_related = min(120, n_base // (5 if demo else 3))  # semeval related pairs (both docs standalone)
    used = set()

    # 1. related (and unrelated) semeval pairs whose docs both survived the screen
    rel = [g for g in semgold if g["label"] == "related" and g["a"] in by_orig and g["b"] in by_orig]
    unrel = [g for g in semgold if g["label"] == "unrelated" and g["a"] in by_orig and g["b"] in by_orig]
    rng.shuffle(rel)
    rng.shuffle(unrel)
    rel = rel[:n_related]
    unrel = unrel[: max(2, n_related // 3)]
    standalone = []
    for g in rel + unrel:
        for x in (g["a"], g["b"]):
            if x not in used:
                used.add(x)
                standalone.append(by_orig[x])

    # 2. roles per language, proportional to what is left
    rest = [c for c in pool if c["orig"] not in used]
    rng.shuffle(rest)
    if demo:  # mostly English for the quick start
        rest.sort(key=lambda c: 0 if c["lang"] == "en" else (1 if c["lang"] in ("es", "fr") else 2))
        rest = rest[:60] + [c for c in rest[60:] if c["lang"] == "zh"][:6]
    n_copy = round(n_base * 2 / 3)
    n_part = n_base - n_copy
    total = len(rest)
    need = n_copy + n_part + round(n_part * 1.3)
    if need > total:
        scale = total / need
        n_copy, n_part = int(n_copy * scale), int(n_part * scale)
        print("warning: pool has %d texts, scaled bases to %d copy + %d partial" % (total, n_copy, n_part), file=sys.stderr)
    by_lang = defaultdict(list)
    for c in rest:
        by_lang[c["lang"]].append(c)
    roles = defaultdict(list)
    for lang in sorted(by_lang):
        lst = by_lang[lang]
        nc = round(len(lst) * n_copy / total)
        npart = round(len(lst) * n_part / total)
        nh = round(npart * 1.4)
        roles["copy"] += lst[:nc]
        roles["partial"] += [(c, lst[nc + npart:nc + npart + nh]) for c in lst[nc:nc + npart]]
        roles["single"] += lst[nc + npart + nh:]
    if demo:  # the demo does not need every leftover text
        roles["single"] = roles["single"][:20]
    # hosts per language are shared among that language's partial sources
    host_pool = defaultdict(list)
    for src, hosts in roles["partial"]:
        for h in hosts:
            if h not in host_pool[src["lang"]]:
                host_pool[src["lang"]].append(h)
    teasers_by_lang = defaultdict(list)  # "Related Articles" teasers: same-language texts
    for c in pool:
        teasers_by_lang[c["lang"]].append(c)

    B = Builder(rng, vocab)
    start = date(2019, 1, 1)

    def rand_date():
        return start + timedelta(days=rng.randrange(0, 4 * 365))

    def maybe(d, p):
        return d if rng.random() < p else None

    def outlet():
        return rng.choice(OUTLETS) if rng.random() < 0.5 else None

    teaser_targets = []  # (doc key, base orig)
    base_docs = defaultdict(list)  # base orig -> doc keys containing its text as article

    # 3. copy groups
    size_w = [(1, 40), (2, 30), (3, 18), (4, 12)]
    for base in roles["copy"]:
        d0 = rand_date()
        ncopies = rng.choices([s for s, _ in size_w], [w for _, w in size_w])[0]
        okey = B.add(base["text"], base["lang"], maybe(d0, 0.8), outlet(), kind="original",
                     base=base["orig"], fam=[base["orig"]], group=base["orig"])
        group = [okey]
        sites = list(range(len(SITES)))
        rng.shuffle(sites)
        for ci in range(ncopies):
            dc = d0 + timedelta(days=rng.randrange(1, 15))
            if rng.random() < 0.35:
                text, ops = format_copy(base["text"], base["lang"], rng)
                k = B.add(text, base["lang"], maybe(dc, 0.7), outlet(), kind="format", ops=ops,
                          base=base["orig"], fam=[base["orig"]], group=base["orig"])
            else:
                site = sites.pop()
                teaser = None
                same_lang = teasers_by_lang[base["lang"]]
                if rng.random() < 0.85 and len(same_lang) > 1:
                    teaser = rng.choice(same_lang)
                    while teaser["orig"] == base["orig"]:
                        teaser = rng.choice(same_lang)
                text, edits, bj = B.repost(base, site, dc, teaser=teaser)
                k = B.add(text, base["lang"], maybe(dc, 0.7), SITES[site]["domain"], kind="repost",
                          site=site, edits=edits, body_jaccard=round(bj, 3), base=base["orig"],
                          fam=[base["orig"]], group=base["orig"],
                          teaser=teaser["orig"] if teaser else None)
                if teaser is not None:
                    teaser_targets.append((k, teaser["orig"]))
            group.append(k)
        base_docs[base["orig"]] += group
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                kind = B.docs[group[j]]["kind"] if i == 0 else "copy-copy"
                B.pairs.append((group[i], group[j], "duplicate", kind))

    # 4. partial reuse
    for src, _ in roles["partial"]:
        lang = src["lang"]
        hosts_avail = host_pool[lang]
        if not hosts_avail:
            continue
        d0 = rand_date()
        skey = B.add(src["text"], lang, maybe(d0, 0.8), outlet(), kind="source", base=src["orig"],
                     fam=[src["orig"]], group=src["orig"])
        base_docs[src["orig"]].append(skey)
        nh = 2 if rng.random() < 0.3 else 1
        for _ in range(nh):
            if not hosts_avail:
                break
            host = hosts_avail.pop(0)
            mode = "lead" if rng.random() < 0.35 else "embed"
            sp = B.body_paras(src)
            units, unit = sp, "para"
            win = None
            if mode == "embed" and len(sp) >= 4:
                win = pick_window(sp, 0.15, 0.40, [2, 3, 4], rng)
            elif mode == "lead" and len(sp) >= 4:
                win = pick_window(sp, 0.15, 0.40, None, rng, lead=True)
            if win is None:  # fall back to sentences
                units = [s for p in sp for s in sentences(p, lang)]
                unit = "sent"
                if len(units) < 4:
                    continue
                win = (pick_window(units, 0.15, 0.40, None, rng, lead=True) if mode == "lead"
                       else pick_window(units, 0.15, 0.40, list(range(2, 12)), rng))
                if win is None:
                    continue
            s, n = win
            quoted = units[s:s + n]
            if unit == "sent":
                quoted = [join_sentences(quoted, lang)]
            hp = B.body_paras(host)
            if len(hp) < 2:
                hs = [x for p in hp for x in sentences(p, lang)]
                half = max(1, len(hs) // 2)
                hp = [join_sentences(hs[:half], lang), join_sentences(hs[half:], lang)]
                hp = [x for x in hp if x]
            pos = rng.randrange(1, len(hp)) if len(hp) > 1 else 1
            intro = []
            if lang == "en" and rng.random() < 0.5:
                intro = [rng.choice(["As one report put it:", "According to an earlier report:",
                                     "Earlier coverage said:"])]
            paras = hp[:pos] + intro + quoted + hp[pos:]
            dh = d0 + timedelta(days=rng.randrange(1, 40))
            if rng.random() < 0.3:
                site = rng.randrange(len(SITES))
                text, _ = render_site(site, lang, headline_of(host), paras, dh, rng)
                source = SITES[site]["domain"]
            else:
                site = None
                text = "\n\n".join(paras)
                source = outlet()
            frac = sum(len(q) for q in quoted) / max(1, sum(len(p) for p in sp))
            hk = B.add(text, lang, maybe(dh, 0.7), source, kind="host", mode=mode, unit=unit,
                       quoted_fraction=round(frac, 3), site=site, base=host["orig"],
                       fam=[host["orig"], src["orig"]], group=host["orig"], partial_of=src["orig"])
            B.pairs.append((skey, hk, "partial", "partial-" + mode))

    # 5. singles: standalone semeval pair docs (plain) and leftovers (some in site chrome)
    for c in standalone:
        k = B.add(c["text"], c["lang"], maybe(rand_date(), 0.6), None, kind="standalone",
                  base=c["orig"], fam=[c["orig"]], group=c["orig"])
        base_docs[c["orig"]].append(k)
    for c in roles["single"]:
        if rng.random() < 0.45:
            site = rng.randrange(len(SITES))
            d = rand_date()
            text, _ = render_site(site, c["lang"], headline_of(c), B.body_paras(c), d, rng)
            k = B.add(text, c["lang"], maybe(d, 0.6), SITES[site]["domain"], kind="chrome-single",
                      site=site, base=c["orig"], fam=[c["orig"]], group=c["orig"])
        else:
            k = B.add(c["text"], c["lang"], maybe(rand_date(), 0.6), outlet(), kind="single",
                      base=c["orig"], fam=[c["orig"]], group=c["orig"])
        base_docs[c["orig"]].append(k)

    # 6. negatives
    labelled = {(min(a, b), max(a, b)) for a, b, _, _ in B.pairs}

    def independent(a, b):
        fa, fb = B.docs[a]["fam"], B.docs[b]["fam"]
        if set(fa) & set(fb):
            return False
        for x in fa:
            for y in fb:
                if x in comp and y in comp and find(x) == find(y):
                    return False
        return True

    def add_neg(a, b, label, kind):
        key = (min(a, b), max(a, b))
        if a == b or key in labelled:
            return False
        labelled.add(key)
        B.pairs.append((a, b, label, kind))
        return True

    for g in rel:
        add_neg(base_docs[g["a"]][0], base_docs[g["b"]][0], "related", "semeval-related")
    for g in unrel:
        add_neg(base_docs[g["a"]][0], base_docs[g["b"]][0], "unrelated", "semeval-unrelated")
    # same site, different articles
    per_site = max(4, (args.pairs // 6) // len(SITES))
    for site in range(len(SITES)):
        keys = B.site_docs.get(site, [])
        pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:] if independent(a, b)]
        rng.shuffle(pairs)
        # prefer same-language pairs: their chrome is identical for native-chrome sites
        pairs.sort(key=lambda p: 0 if B.docs[p[0]]["lang"] == B.docs[p[1]]["lang"] else 1)
        for a, b in pairs[:per_site]:
            add_neg(a, b, "unrelated", "same-site")
    # teaser pairs
    rng.shuffle(teaser_targets)
    nt = 0
    for k, orig in teaser_targets:
        if orig in base_docs and nt < max(3, args.pairs // 60):
            if add_neg(k, base_docs[orig][0], "unrelated", "teaser"):
                nt += 1
    # random pairs to reach the target
    keys = list(range(len(B.docs)))
    by_l = defaultdict(list)
    for d in B.docs:
        by_l[d["lang"]].append(d["key"])
    tries = 0
    while len(B.pairs) < args.pairs and tries < args.pairs * 50:
        tries += 1
        a = rng.choice(keys)
        if rng.random() < 0.7:
            b = rng.choice(by_l[B.docs[a]["lang"]])
        else:
            b = rng.choice(keys)
        if a != b and independent(a, b):
            add_neg(a, b, "unrelated", "random")
    # hard negatives of the semantic layer: every cross-language pair among (up to 40 per
    # language) standalone semeval articles in es, tr and ar -- different stories in the same
    # news register, which a multilingual embedding model rates as alike sentence by sentence.
    # French is left out: part of the French semeval articles are translations of Spanish ones.
    if not demo:
        per = defaultdict(list)
        for c in standalone + roles["single"]:
            if c["lang"] in ("es", "tr", "ar") and base_docs.get(c["orig"]):
                per[c["lang"]].append(base_docs[c["orig"]][0])
        langs = sorted(per)
        for i, la in enumerate(langs):
            for lb in langs[i + 1:]:
                for a in per[la][:40]:
                    for b in per[lb][:40]:
                        if independent(a, b):
                            add_neg(a, b, "unrelated", "cross-language")

    return B, dropped, len(pool)


def add_seeds(B, shared):
    sd = os.path.join(shared, "seeds")
    names = sorted(n for n in os.listdir(sd) if n.endswith(".txt"))
    if len(names) < 2:
        raise SystemExit("error: %s: expected the two seed .txt files" % sd)
    texts = []
    for n in names[:2]:
        with open(os.path.join(sd, n), encoding="utf-8", newline="") as f:
            texts.append(f.read())
    k0 = B.add(texts[0], "en", date(2021, 10, 22), None, kind="seed-repost", base=names[0],
               fam=["seed"], group="seed", fixed_id="seed_000")
    k1 = B.add(texts[1], "en", date(2021, 10, 21), "VOA News", kind="seed-original", base=names[1],
               fam=["seed"], group="seed", fixed_id="seed_001")
    B.pairs.append((k1, k0, "rewrite", "seed"))


def write(B, out, seed, prefix):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed + 1)
    order = [d["key"] for d in B.docs if not d.get("fixed_id")]
    rng.shuffle(order)
    ids = {}
    for i, k in enumerate(order):
        ids[k] = "%s-%05d" % (prefix, i)
    for d in B.docs:
        if d.get("fixed_id"):
            ids[d["key"]] = d["fixed_id"]
    out_order = [d["key"] for d in B.docs if d.get("fixed_id")] + order
    with open(os.path.join(out, "docs.jsonl"), "w", encoding="utf-8") as f:
        for k in out_order:
            d = B.docs[k]
            rec = {"id": ids[k], "text": d["text"], "lang": d["lang"]}
            if d["date"] is not None:
                rec["date"] = d["date"].isoformat()
            if d["source"]:
                rec["source"] = d["source"]
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    pairs = sorted(B.pairs, key=lambda p: (ids[p[0]], ids[p[1]]))
    with open(os.path.join(out, "gold.jsonl"), "w", encoding="utf-8") as f:
        for a, b, label, kind in pairs:
            f.write(json.dumps({"a": ids[a], "b": ids[b], "label": label, "kind": kind},
                               ensure_ascii=False) + "\n")
    skip = {"key", "text", "lang", "date", "source", "fixed_id", "fam"}
    with open(os.path.join(out, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for k in out_order:
            d = B.docs[k]
            rec = {"id": ids[k]}
            for key, v in d.items():
                if key in skip or v is None:
                    continue
                rec[key] = SITES[v]["domain"] if key == "site" else v
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return ids


def stats(B, ids):
    """Token 5-shingle Jaccard / containment / longest shared run per gold kind."""
    cache = {}

    def feats(k):
        if k not in cache:
            t = tokens(B.docs[k]["text"])
            cache[k] = (t, shingles(t))
        return cache[k]
    rows = defaultdict(list)
    for a, b, label, kind in B.pairs:
        ta, sa = feats(a)
        tb, sb = feats(b)
        run = longest_shared_run(ta, tb) if label != "unrelated" or kind in ("same-site", "teaser") else None
        rows[(label, kind)].append((jaccard(sa, sb), containment(sa, sb), run))

    def q(xs, p):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]
    lines = ["%-10s %-18s %5s  %-22s %-22s %s" % ("label", "kind", "n", "J5 min/med/max",
                                                   "C5 min/med/max", "run min/med  J5>=.5")]
    for (label, kind), r in sorted(rows.items()):
        js = [x[0] for x in r]
        cs = [x[1] for x in r]
        runs = [x[2] for x in r if x[2] is not None]
        rs = "%d/%d" % (min(runs), q(runs, 0.5)) if runs else "-"
        lines.append("%-10s %-18s %5d  %.2f/%.2f/%.2f         %.2f/%.2f/%.2f         %-9s %.0f%%" % (
            label, kind, len(r), min(js), q(js, 0.5), max(js), min(cs), q(cs, 0.5), max(cs), rs,
            100 * sum(1 for j in js if j >= 0.5) / len(js)))
    bj = [d["body_jaccard"] for d in B.docs if d.get("body_jaccard") is not None]
    if bj:
        lines.append("repost article-body J5: min %.2f median %.2f max %.2f (n=%d)" % (
            min(bj), q(bj, 0.5), max(bj), len(bj)))
    qf = [d["quoted_fraction"] for d in B.docs if d.get("quoted_fraction") is not None]
    if qf:
        lines.append("partial quoted fraction of source: min %.2f median %.2f max %.2f" % (
            min(qf), q(qf, 0.5), max(qf)))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="See the header of this file for the kinds it builds.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="output directory (default bench/data/synthetic, or "
                    "bench/data/demo for --preset demo)")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed (default %(default)s)")
    ap.add_argument("--n-base", type=int, default=0,
                    help="base texts that get copies or are quoted (default 300; 30 for demo)")
    ap.add_argument("--pairs", type=int, default=0,
                    help="labelled pairs to aim for (default 3000; 400 for demo)")
    ap.add_argument("--shared", default=None, help="shared data dir (default ../shared from the repo root)")
    ap.add_argument("--preset", choices=["default", "demo"], default="default")
    ap.add_argument("--demo", metavar="DIR", help="same as --preset demo --out DIR")
    ap.add_argument("--stats", action="store_true",
                    help="print J5/containment/shared-run statistics per gold kind to stderr")
    args = ap.parse_args(argv)
    if args.demo:
        args.preset, args.out = "demo", args.demo
    demo = args.preset == "demo"
    if not args.out:
        args.out = os.path.join(REPO_ROOT, "bench", "data", "demo" if demo else "synthetic")
    if not args.pairs:
        args.pairs = 400 if demo else 3000
    if args.shared is None:
        args.shared = os.path.join(REPO_ROOT, "..", "shared")
    if not os.path.isdir(os.path.join(args.shared, "eval")):
        ap.error("no eval/ under --shared %s" % args.shared)

    B, dropped, npool = build(args)
    if demo:
        add_seeds(B, args.shared)
    ids = write(B, args.out, args.seed, "demo" if demo else "syn")

    kinds = Counter(d["kind"] for d in B.docs)
    labels = Counter(p[2] for p in B.pairs)
    pkinds = Counter("%s/%s" % (p[2], p[3]) for p in B.pairs)
    langs = Counter(d["lang"] for d in B.docs)
    neg = labels["related"] + labels["unrelated"]
    err = sys.stderr
    print("wrote %s: %d docs, %d labelled pairs" % (args.out, len(B.docs), len(B.pairs)), file=err)
    print("  texts screened: %d kept, dropped %s" % (npool, dict(sorted(dropped.items()))), file=err)
    print("  docs by kind: %s" % dict(sorted(kinds.items())), file=err)
    print("  docs by lang: %s" % dict(sorted(langs.items())), file=err)
    print("  pairs by label: %s (negatives %.0f%%)" % (dict(sorted(labels.items())),
                                                       100.0 * neg / max(1, len(B.pairs))), file=err)
    print("  pairs by label/kind: %s" % dict(sorted(pkinds.items())), file=err)
    size = Counter()
    for d in B.docs:
        size[d["group"]] += 1 if d["kind"] in ("original", "format", "repost") else 0
    gs = Counter(v for v in size.values() if v)
    print("  copy-group sizes: %s" % dict(sorted(gs.items())), file=err)
    if args.stats:
        print(stats(B, ids), file=err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
