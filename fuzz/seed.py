#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into fuzz/seeds/<target>/ (ignored by git).

Sources: the repository's fixtures and user guide, the CommonMark and GFM spec
examples (one seed per example) and the real books of the shared corpus. The
last two are other people's text: they are read where they lie, at seeding
time, and never committed. Their folder is $FOLIO_SHARED, else ../shared next
to the repository; without it only our own files are used (with a notice).

Each seed is named after the SHA-1 of its bytes, as libFuzzer names its
corpus, so seeding again writes the same files. Usage: fuzz/seed.py
"""

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
SEEDS = FUZZ / "seeds"
SHARED = Path(os.environ.get("FOLIO_SHARED", REPO.parent / "shared"))

# A markdown seed larger than this is cut at paragraph breaks: libFuzzer mutates
# small inputs far better, and a whole chapter typesets for seconds.
MARKDOWN_CHUNK = 4096
# typst makes each PDF execution cost tens of milliseconds: its seeds are
# fewer and smaller (each file's opening, one spec example per section).
PDF_CHUNK = 1024

# Every key the loader reads, in files of our own (the fixtures have few).
WRITTEN = {
    "book_json": [
        b'{"title": "Le livre", "description": "D", "language": "fr", "author": "A. Auteur", "isbn": "978-2-00", "root": "."}\n',
        b'{"title": "Sous-dossier", "root": "./contenu/", "plugins": ["x"], "pluginsConfig": {"x": {"y": [1, 2.5, null]}}}\n',
    ],
    "book_toml": [
        b'[book]\ntitle = "Le livre"\nauthors = ["A", "B"]\nlanguage = "fr"\ndescription = "D"\nsrc = "src"\n\n[output.html]\nmathjax-support = true\n',
        b'[book]\ntitle = "Racine"\nsrc = "."\nmultilingual = false\n\n[preprocessor.links]\n',
    ],
    "summary": [
        b"# Sommaire\n\n[Pr\xc3\xa9face](README.md)\n\n# Partie\n\n- [Un](un.md)\n  - [Deux](a/deux.md#ici)\n- [Brouillon]()\n\n---\n\n[R\xc3\xa9f\xc3\xa9rences](references.md)\n",
    ],
}

BRACKET = re.compile(r"\[([^\[\]\n]{3,200})\]")
PAREN = re.compile(r"\(([^()\n]{3,200})\)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(.{3,300})$", re.M)
RAW_HTML = re.compile(r"<[A-Za-z!/][^\n]*")


def main():
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    seeds = {target: set() for target in
             ["markdown", "pdf", "citation", "summary", "raw_html", "book_json", "book_toml", "folio_toml"]}

    for target, written in WRITTEN.items():
        seeds[target].update(written)
    own = sorted(p for p in REPO.glob("fixtures/**/*") if p.is_file()) + sorted(REPO.glob("book/**/*.md"))
    shared = []
    testdata = SHARED / "testdata"
    corpus = SHARED / "corpus"
    if testdata.is_dir() and corpus.is_dir():
        shared = sorted(p for p in corpus.rglob("*") if p.is_file() and ".git" not in p.parts)
        for spec in sorted(testdata.glob("*spec*.txt")):
            if "LICENSE" in spec.name:
                continue
            examples = spec_examples(spec.read_text(encoding="utf-8"))
            for section, markdown in examples:
                seeds["markdown"].add(markdown)
                if section in ("HTML blocks", "Raw HTML", "Disallowed Raw HTML (extension)"):
                    seeds["raw_html"].add(markdown)
            # One example per section is enough variety for the slow PDF target.
            firsts = {}
            for section, markdown in examples:
                firsts.setdefault(section, markdown)
            seeds["pdf"].update(firsts.values())
    else:
        print(f"notice: {SHARED} has no testdata/ and corpus/ (set FOLIO_SHARED): seeding from the repository only")

    for path in own + shared:
        data = path.read_bytes()
        name = path.name
        if name == "SUMMARY.md":
            seeds["summary"].add(data)
        elif name == "book.json":
            seeds["book_json"].add(data)
        elif name == "book.toml":
            seeds["book_toml"].add(data)
        elif name == "folio.toml":
            seeds["folio_toml"].add(data)
        elif name.endswith((".md", ".markdown")):
            markdown_seeds(data, seeds)
        if name == "configuration.md":
            # The guide's complete folio.toml example.
            seeds["folio_toml"].update(re.findall(rb"```toml\n(.*?)```", data, re.S))

    total = 0
    for target, found in seeds.items():
        folder = SEEDS / target
        folder.mkdir(parents=True)
        for data in found:
            if data:
                (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        count = len(list(folder.iterdir()))
        total += count
        print(f"{target:11} {count:5} seeds")
    print(f"{total} seeds in {SEEDS}")


def markdown_seeds(data, seeds):
    """A chapter's paragraphs (in chunks), its brackets, list items and raw HTML."""
    text = data.decode("utf-8", errors="replace")
    seeds["markdown"].update(c.encode() for c in chunked(text, MARKDOWN_CHUNK))
    seeds["pdf"].update(c.encode() for c in list(chunked(text, PDF_CHUNK))[:1])
    for match in BRACKET.finditer(text):
        body = match.group(1)
        if "," in body and any(ch.isdigit() for ch in body) or "d." in body:
            seeds["citation"].add(body.encode())
    for match in PAREN.finditer(text):
        body = match.group(1)
        if re.search(r", *(1[5-9]|20)\d\d", body):
            seeds["citation"].add(body.encode())
    for match in LIST_ITEM.finditer(text):
        item = match.group(1)
        if re.search(r", *((1[5-9]|20)\d\d|[sn]\. ?d\.)", item):
            seeds["citation"].add(item.encode())
    for match in RAW_HTML.finditer(text):
        if "=" in match.group(0):
            seeds["raw_html"].add(match.group(0).encode())


def chunked(text, limit):
    """`text` in pieces of at most about `limit` bytes, cut between paragraphs."""
    piece = ""
    for paragraph in re.split(r"(?<=\n)\n", text):
        if piece and len((piece + paragraph).encode()) > limit:
            yield piece
            piece = ""
        piece += paragraph + "\n"
    if piece.strip():
        yield piece


def spec_examples(spec):
    """(section, markdown) of every example: between lines of 32 backticks
    tagged `example`, the Markdown up to a line holding `.`; `→` is a tab."""
    fence = "`" * 32
    section = ""
    examples = []
    lines = iter(spec.splitlines())
    for line in lines:
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            continue
        if not (line.startswith(fence) and line[len(fence):].strip().startswith("example")):
            continue
        markdown = []
        for line in lines:
            if line == ".":
                break
            markdown.append(line.replace("→", "\t") + "\n")
        for line in lines:
            if line == fence:
                break
        examples.append((section, "".join(markdown).encode()))
    return examples


if __name__ == "__main__":
    sys.exit(main())
