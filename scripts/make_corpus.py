#!/usr/bin/env python3
"""Generate a big synthetic JSONL corpus with planted copies, for speed and memory runs.

How the corpus is made (standard library only; same --seed and --docs, same bytes):
  1. Sentence pool: every sentence of the texts in ../shared/eval (onestop, semeval, wmt
     documents and the extraction set's gold article bodies), grouped by language (en, es,
     fr, tr, ar, zh). Words are whitespace tokens (characters for zh). A vocabulary per
     language is made of the pool's plain words seen at least twice (characters for zh).
  2. Each background document picks a language (weighted by the pool's sentence counts),
     samples 5-24 sentences of it at random (so the order is random too) and perturbs every
     sentence: about 30 % of its words are replaced by random words of the vocabulary, with
     the replaced positions spaced 1-4 words apart, so that no run of 5 original words
     survives. Two background documents therefore share no long runs (and almost no word
     5-shingles) even though the pool is reused many times. Sentences are grouped into
     paragraphs of 2-5, joined by blank lines.
  3. Planted copies: about 5 % of the background documents get an exact copy (byte
     identical text, new id), 5 % a near-copy (2-4 words changed, one sentence dropped when
     there are 8 or more, whitespace changed: doubled spaces, single newlines between
     paragraphs, trailing spaces) and 2 % a repost (the text wrapped in 3-5 header and 3-5
     footer lines of one of 10 invented sites, e.g. "Skip to content", "Leave a Reply").
     A copy is written 1-2,000 lines after its original, inside the same chunk.
  The total number of lines is exactly --docs. Average document: ~2 KB of UTF-8.
  Lines are {"id": "doc-0000042", "text": ..., "lang": ...}; the truth file has one
  {"a": original id, "b": copy id, "kind": "exact"|"near"|"repost"} per planted pair.

Speed: generation runs in chunks of 10,000 documents, each seeded from (--seed, chunk
number), in --jobs worker processes (default: all cores); output does not depend on --jobs.
1M documents (~2 GB) take a few minutes on 2 cores.

Example: python3 scripts/make_corpus.py --docs 10000 --out bench/data/corpus-10k.jsonl \\
             --truth bench/data/corpus-10k.truth.jsonl
"""

import argparse
import gzip
import json
import multiprocessing
import os
import random
import re
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHUNK = 10000

SENT_END_RE = re.compile(r"(?<=[.!?؟])[\"”’»)]*\s+|(?<=[。！？])")
PLAIN_WORD_RE = re.compile(r"^[^\W\d_]{2,}$")
CJK_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
WORD_PIECE_RE = re.compile(r"[^\W_]+")

SITES = [
    (["Skip to content", "Home | World | Politics | Business | Tech", "Breaking News"],
     ["Share this: Facebook Twitter WhatsApp Email", "Leave a Reply",
      "Your email address will not be published. Required fields are marked *",
      "© Daily Buzz Today. All rights reserved."]),
    (["Accessibility links", "Breaking News", "Latest stories from around the world"],
     ["Related Articles", "Check Also", "© World News Feed. All rights reserved."]),
    (["We use cookies to give you the best experience on our website. Accept",
      "Home | News | Sport | Opinion"],
     ["Tags: news, world, today", "Subscribe to our newsletter",
      "© The Global Times 24. All rights reserved."]),
    (["Saltar al contenido", "Inicio | Mundo | Política | Economía", "Última hora"],
     ["Compartir: Facebook Twitter WhatsApp", "Deja una respuesta",
      "Tu dirección de correo electrónico no será publicada."]),
    (["Aller au contenu", "Accueil | Monde | Politique | Économie", "Dernière minute"],
     ["Partager : Facebook Twitter E-mail", "Laisser un commentaire",
      "Votre adresse e-mail ne sera pas publiée."]),
    (["İçeriğe geç", "Ana Sayfa | Dünya | Politika | Ekonomi", "Son Dakika"],
     ["Paylaş: Facebook Twitter WhatsApp", "Bir yanıt yazın",
      "E-posta adresiniz yayınlanmayacak."]),
    (["انتقل إلى المحتوى", "الرئيسية | العالم | سياسة | اقتصاد", "عاجل"],
     ["شارك: فيسبوك تويتر واتساب", "اترك تعليقاً", "لن يتم نشر عنوان بريدك الإلكتروني."]),
    (["跳到内容", "首页 | 国际 | 政治 | 财经", "突发新闻"],
     ["分享到：微信 微博 QQ空间", "发表评论", "您的电子邮箱地址不会被公开。"]),
    (["NewsNow Hub", "Advertisement", "Posted by Staff Writer"],
     ["5 Comments", "Check Also", "Leave a Reply", "© NewsNow Hub. All rights reserved."]),
    (["Asia Daily Wire", "Skip to content", "Breaking News", "File photo. Photo: AFP"],
     ["[em/lt]", "Check Also", "Leave a Reply", "Your email address will not be published."]),
]

# filled in the parent before the workers fork
POOL = {}      # lang -> list of sentences, each a tuple of words
VOCAB = {}     # lang -> list of words
LANGS = []     # languages
WEIGHTS = []   # cumulative weights for language choice
GAPS = b""     # random gap stream (values 1..4 after mapping)


def load_texts(shared):
    ev = os.path.join(shared, "eval")
    out = []
    for ds in ("onestop", "semeval", "wmt"):
        path = os.path.join(ev, ds, "docs.jsonl")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                out.append((d.get("lang", "en"), d["text"]))
    path = os.path.join(ev, "extraction", "gold.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                body = d.get("articleBody") or ""
                if body:
                    out.append(("en", body))
    return out


def build_pool(shared):
    seen = set()
    for lang, text in load_texts(shared):
        for par in text.split("\n"):
            for s in SENT_END_RE.split(par.strip()):
                s = s.strip()
                if not s or s in seen:
                    continue
                seen.add(s)
                if lang == "zh":
                    words = tuple(s)
                    if len(words) < 12:
                        continue
                else:
                    words = tuple(s.split())
                    if len(words) < 6 or len(words) > 80:
                        continue
                    # no URLs or dotted/slashed strings: one whitespace word that holds 3+
                    # word runs would survive perturbation as several shingle tokens
                    if any(len(WORD_PIECE_RE.findall(w)) > 2 for w in words):
                        continue
                POOL.setdefault(lang, []).append(words)
    for lang in sorted(POOL):
        POOL[lang].sort()  # deterministic order, whatever the set iteration did
        counts = {}
        for words in POOL[lang]:
            for w in words:
                if (lang == "zh" and CJK_RE.match(w)) or (lang != "zh" and PLAIN_WORD_RE.match(w)):
                    w = w.lower() if lang != "zh" else w
                    counts[w] = counts.get(w, 0) + 1
        VOCAB[lang] = sorted(w for w, c in counts.items() if c >= 2)  # no one-off junk
    acc = 0
    for lang in sorted(POOL):
        if len(POOL[lang]) < 50 or len(VOCAB[lang]) < 200:
            continue
        LANGS.append(lang)
        acc += len(POOL[lang])
        WEIGHTS.append(acc)


class Gen:
    """One chunk's generator; everything random comes from self.rng."""

    def __init__(self, seed, chunk):
        self.rng = random.Random(seed * 1000003 + chunk)
        self.gaps = self.rng.randbytes(1 << 16)
        self.gi = 0

    def gap(self):
        g = self.gaps[self.gi]
        self.gi = (self.gi + 1) & 0xFFFF
        return 1 + (g & 3)  # 1..4 kept words between replacements: ~30 % replaced

    def perturb(self, words, vocab):
        out = list(words)
        rnd = self.rng.random
        nv = len(vocab)
        i = self.gap() - 1
        n = len(out)
        while i < n:
            w = vocab[int(rnd() * nv)]
            old = out[i]
            if old[:1].isupper():
                w = w[:1].upper() + w[1:]
            elif old[-1:] in ",.;:!?" and len(old) > 1:
                w = w + old[-1]
            out[i] = w
            i += 1 + self.gap()
        return out

    def background(self):
        rng = self.rng
        r = rng.random() * WEIGHTS[-1]
        li = 0
        while WEIGHTS[li] <= r:
            li += 1
        lang = LANGS[li]
        pool, vocab = POOL[lang], VOCAB[lang]
        n = rng.randint(5, 24)
        sents = [self.perturb(pool[int(rng.random() * len(pool))], vocab) for _ in range(n)]
        return lang, sents

    def render(self, lang, sents):
        sep = "" if lang == "zh" else " "
        rng = self.rng
        paras, i = [], 0
        while i < len(sents):
            k = rng.randint(2, 5)
            paras.append(sep.join(sep.join(s) for s in sents[i:i + k]))
            i += k
        return "\n\n".join(paras)

    def near(self, lang, sents):
        rng = self.rng
        sents = [list(s) for s in sents]
        if len(sents) >= 8:
            del sents[rng.randrange(1, len(sents))]
        vocab = VOCAB[lang]
        for _ in range(rng.randint(2, 4)):
            s = sents[rng.randrange(len(sents))]
            s[rng.randrange(len(s))] = vocab[rng.randrange(len(vocab))]
        text = self.render(lang, sents)
        style = rng.randrange(3)
        if style == 0:
            text = text.replace("\n\n", "\n")
        elif style == 1:
            text = "\n".join(l + "  " for l in text.split("\n"))
        else:
            text = text.replace(". ", ".  ", 3)
        return text

    def repost(self, text):
        rng = self.rng
        head, foot = SITES[rng.randrange(len(SITES))]
        h = head[:rng.randint(min(3, len(head)), len(head))]
        f = foot[:rng.randint(min(3, len(foot)), len(foot))]
        return "\n".join(h) + "\n\n" + text + "\n\n" + "\n".join(f)


def make_chunk(job):
    """Return (jsonl text, truth jsonl text, input bytes) for one chunk."""
    seed, chunk, n_docs, start = job
    g = Gen(seed, chunk)
    rng = g.rng
    lines, truth = [], []
    pending = []  # (emit_at, text, lang, orig_id, kind)
    nbytes = 0
    i = 0
    dumps = json.dumps
    while i < n_docs:
        due = None
        for j, p in enumerate(pending):
            if p[0] <= i:
                due = j
                break
        if due is None and n_docs - i <= len(pending):
            due = 0  # the chunk is ending: flush the copies still pending
        did = "doc-%07d" % (start + i)
        if due is not None:
            _, text, lang, orig, kind = pending.pop(due)
            truth.append(dumps({"a": orig, "b": did, "kind": kind}))
        else:
            lang, sents = g.background()
            text = g.render(lang, sents)
            r = rng.random()
            kind = None
            if r < 0.05:
                kind, ctext = "exact", text
            elif r < 0.10:
                kind, ctext = "near", g.near(lang, sents)
            elif r < 0.12:
                kind, ctext = "repost", g.repost(text)
            if kind:
                pending.append((i + rng.randint(1, 2000), ctext, lang, did, kind))
        lines.append(dumps({"id": did, "text": text, "lang": lang}, ensure_ascii=False))
        nbytes += len(text.encode("utf-8"))
        i += 1
    return "\n".join(lines) + "\n", ("\n".join(truth) + "\n") if truth else "", nbytes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="See the header of this file for how the corpus is made.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, required=True, help="number of documents (lines)")
    ap.add_argument("--out", required=True,
                    help="output JSONL file (gzip-compressed, level 1, when it ends in .gz; "
                         "- for standard output, e.g. to pipe it into zstd)")
    ap.add_argument("--truth", help="planted pairs JSONL (default: OUT with .truth.jsonl)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default %(default)s)")
    ap.add_argument("--shared", default=os.path.join(REPO_ROOT, "..", "shared"),
                    help="shared data dir (default ../shared from the repo root)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes (default: all cores); does not change the output")
    args = ap.parse_args(argv)
    if args.docs < 1:
        ap.error("--docs must be >= 1")
    if args.out == "-" and not args.truth:
        ap.error("--out - needs --truth")
    if not args.truth:
        base = args.out[:-3] if args.out.endswith(".gz") else args.out
        base = base[:-6] if base.endswith(".jsonl") else base
        args.truth = base + ".truth.jsonl"
    if not os.path.isdir(os.path.join(args.shared, "eval")):
        ap.error("no eval/ under --shared %s" % args.shared)

    t0 = time.time()
    build_pool(args.shared)
    if not LANGS:
        ap.error("no sentences found under %s/eval" % args.shared)
    jobs = []
    start = 0
    for c in range((args.docs + CHUNK - 1) // CHUNK):
        n = min(CHUNK, args.docs - start)
        jobs.append((args.seed, c, n, start))
        start += n
    for path in (args.out, args.truth):
        if path == "-":
            continue
        d = os.path.dirname(os.path.abspath(path))
        os.makedirs(d, exist_ok=True)
    tmp_out, tmp_truth = args.out + ".tmp", args.truth + ".tmp"
    total = 0
    n_truth = 0
    if args.out == "-":
        tmp_out = None
        fo_cm = os.fdopen(sys.stdout.fileno(), "w", encoding="utf-8", buffering=1 << 22,
                          closefd=False)
    elif args.out.endswith(".gz"):
        fo_cm = gzip.open(tmp_out, "wt", encoding="utf-8", compresslevel=1)
    else:
        fo_cm = open(tmp_out, "w", encoding="utf-8", buffering=1 << 22)
    with fo_cm as fo, \
            open(tmp_truth, "w", encoding="utf-8") as ft:
        if args.jobs > 1 and len(jobs) > 1:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(args.jobs) as pool:
                for k, (docs, truth, nb) in enumerate(pool.imap(make_chunk, jobs)):
                    fo.write(docs)
                    ft.write(truth)
                    total += nb
                    n_truth += truth.count("\n")
                    if k % 10 == 9:
                        print("  %d docs, %.0f s" % ((k + 1) * CHUNK, time.time() - t0), file=sys.stderr)
        else:
            for docs, truth, nb in map(make_chunk, jobs):
                fo.write(docs)
                ft.write(truth)
                total += nb
                n_truth += truth.count("\n")
    if tmp_out is not None:
        os.replace(tmp_out, args.out)
    os.replace(tmp_truth, args.truth)
    dt = time.time() - t0
    print("wrote %s: %d docs, %.1f MB of text (%.0f bytes/doc), %d planted pairs in %s; %.1f s"
          % (args.out, args.docs, total / 1e6, total / args.docs, n_truth, args.truth, dt),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
