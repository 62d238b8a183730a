"""Which PDF library reads French transcripts best: pypdf against pdfminer.six.

    python benchmarks/pdf_extraction.py [--keep FOLDER]

The script writes its own PDFs (nothing to download): the same French conversation
(accents, curly apostrophes, a non-breaking space before ':' '?' '!', « guillemets »)
laid out three ways, each by three generators:

- layouts: ``lines`` (one "Conseiller : …" turn per line, long turns wrapped, four
  pages), ``columns`` (the label in a left column, the words in a right one, on the
  same baseline), ``table`` (a ruled "Intervenant | Message" table, labels with their
  colon);
- generators: reportlab and fpdf2, each with a standard font (WinAnsi encoding, what
  many exporters write; the narrow no-break space becomes a no-break space, WinAnsi has
  none) and with an embedded TrueType font (reportlab: a subset with its own encoding;
  fpdf2: Identity-H and a ToUnicode map). reportlab is optional: its two are skipped
  when it is not installed (fpdf2 comes with the ``test`` extra).

For each extractor (pypdf ``extract_text()``, pypdf ``extraction_mode="layout"``,
pdfminer.six ``extract_text`` with its default layout analysis), per layout, summed
over the generators:

- ``exact``: lines drawn found in the extracted text, in order (longest common
  subsequence), after stripping and collapsing runs of ASCII spaces only, so a lost
  accent or no-break space counts as a miss (reportlab itself writes a no-break space
  as a plain space, so its documents cap every extractor's exact score);
- ``loose``: the same with every kind of space collapsed (what the label rules need);
- ``turns``: turns the speaker-label rules (``readers.speaker_lines``) read back with
  the right speaker and words (spaces collapsed), in order;
- the time taken.

It is a measurement, not a test: it prints a table and exits 0.
"""

from __future__ import annotations

import argparse
import io
import re
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from transcript_audit.readers.speaker_lines import parse

NBSP, NNBSP = "\u00a0", "\u202f"
TURNS = [
    ("Conseiller", f"Bonjour, service client d’Électricité Générale, Jérôme à l’appareil, que puis-je faire pour vous{NNBSP}?"),
    ("Client", f"Bonjour. J’ai reçu une facture de 243,50{NBSP}€ alors que je n’ai rien consommé en août{NNBSP}!"),
    ("Conseiller", "Je comprends tout à fait votre inquiétude. Pouvez-vous me donner votre numéro de client, s’il vous plaît ?"),
    ("Client", f"Oui{NBSP}: c’est le 4 512 889. Et je voudrais qu’on m’explique «{NBSP}la régularisation{NBSP}»."),
    ("Conseiller", "Merci. Je vois une régularisation après la relève du compteur ; elle couvre l’hiver dernier, où l’estimation était trop basse."),
    ("Client", f"C’est inadmissible, personne ne m’a prévenu{NNBSP}! Vous êtes sûrs de votre relevé{NNBSP}?"),
    ("Conseiller", "Je vais vérifier l’index relevé le 12 septembre et vous proposer un échéancier si nécessaire, sans frais."),
    ("Client", "D’accord, ça me va. Je préfère payer en trois fois."),
    ("Conseiller", f"C’est noté{NNBSP}: trois échéances de 81,17{NBSP}€, la première le 5 octobre. Avez-vous d’autres questions{NNBSP}?"),
    ("Client", "Non, merci beaucoup, bonne journée."),
    ("Conseiller", f"Je vous en prie, très bonne journée à vous{NNBSP}!"),
]
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
PAGE_W, PAGE_H, MARGIN, LEADING = 595, 842, 50, 16


def unicode_font() -> Path:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    import reportlab  # Vera ships with reportlab; it has no narrow no-break space

    return Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def label(speaker: str) -> str:
    return f"{speaker}{NBSP}:"


# -------------------------------------------------------------- layouts: (x, y, text) per page


Placed = list[list[tuple[float, float, str]]]  # pages of (x from left, y from top, text)
Rules = list[list[tuple[float, float, float, float]]]  # pages of lines drawn (x1, y1, x2, y2)


def layout_lines() -> tuple[Placed, Rules, list[str], list[tuple[str, str]]]:
    """Turns one per line, wrapped at 80 characters with indented continuations, 4 pages."""
    pages: Placed = [[]]
    expected_lines, expected_turns = [], []
    y = MARGIN
    for repeat in range(8):
        for speaker, words in TURNS:
            words = f"{words} ({repeat + 1})"
            wrapped = textwrap.wrap(f"{label(speaker)} {words}", 80)
            expected_turns.append((speaker, " ".join(wrapped)[len(label(speaker)) + 1 :]))
            for index, piece in enumerate(wrapped):
                if y > PAGE_H - MARGIN:
                    pages.append([])
                    y = MARGIN
                pages[-1].append((MARGIN + (20 if index else 0), y, piece))
                expected_lines.append(piece)
                y += LEADING
    return pages, [[] for _ in pages], expected_lines, expected_turns


def layout_columns() -> tuple[Placed, Rules, list[str], list[tuple[str, str]]]:
    """The label in a left column, the words in a right column wrapped at 60 characters."""
    page: list[tuple[float, float, str]] = []
    expected_lines, expected_turns = [], []
    y = MARGIN
    for speaker, words in TURNS:
        wrapped = textwrap.wrap(words, 60)
        page.append((MARGIN, y, label(speaker)))
        for index, piece in enumerate(wrapped):
            page.append((MARGIN + 90, y, piece))
            expected_lines.append(f"{label(speaker)} {piece}" if index == 0 else piece)
            y += LEADING
        expected_turns.append((speaker, " ".join(wrapped)))
        y += 4
    return [page], [[]], expected_lines, expected_turns


def layout_table() -> tuple[Placed, Rules, list[str], list[tuple[str, str]]]:
    """A ruled table: a header row, then one row per turn, the words wrapped in their cell."""
    page: list[tuple[float, float, str]] = []
    rules: list[tuple[float, float, float, float]] = []
    expected_lines, expected_turns = ["Intervenant Message"], []
    left, middle, right = MARGIN, MARGIN + 100, PAGE_W - MARGIN
    y = MARGIN
    rows = [("Intervenant", ["Message"])] + [(label(s), textwrap.wrap(w, 62)) for s, w in TURNS]
    for first, pieces in rows:
        top = y - 12
        page.append((left + 4, y, first))
        for index, piece in enumerate(pieces):
            page.append((middle + 4, y, piece))
            if first != "Intervenant":
                expected_lines.append(f"{first} {piece}" if index == 0 else piece)
            y += LEADING
        rules.append((left, top, right, top))
        y += 4
    rules.append((left, y - 12, right, y - 12))
    rules += [(x, MARGIN - 12, x, y - 12) for x in (left, middle, right)]
    expected_turns = [(s, " ".join(textwrap.wrap(w, 62))) for s, w in TURNS]
    return [page], [rules], expected_lines, expected_turns


LAYOUTS = {"lines": layout_lines, "columns": layout_columns, "table": layout_table}


# -------------------------------------------------------------- generators


def reportlab_pdf(pages: Placed, rules: Rules, embedded: bool) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_W, PAGE_H))
    font = "Helvetica"
    if embedded:
        font = "Unicode"
        pdfmetrics.registerFont(TTFont(font, str(unicode_font())))
    for placed, lines in zip(pages, rules, strict=True):
        pdf.setFont(font, 10)
        for x, y, text in placed:
            pdf.drawString(x, PAGE_H - y, text if embedded else text.replace(NNBSP, NBSP))
        for x1, y1, x2, y2 in lines:
            pdf.line(x1, PAGE_H - y1, x2, PAGE_H - y2)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def fpdf2_pdf(pages: Placed, rules: Rules, embedded: bool) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(PAGE_W, PAGE_H))
    pdf.set_auto_page_break(False)
    pdf.core_fonts_encoding = "windows-1252"
    font = "helvetica"
    if embedded:
        font = "Unicode"
        pdf.add_font(font, fname=str(unicode_font()))
    for placed, lines in zip(pages, rules, strict=True):
        pdf.add_page()
        pdf.set_font(font, size=10)
        for x, y, text in placed:
            pdf.text(x, y, text if embedded else text.replace(NNBSP, NBSP))
        for x1, y1, x2, y2 in lines:
            pdf.line(x1, y1, x2, y2)
    return bytes(pdf.output())


GENERATORS: dict[str, Callable[[Placed, Rules], bytes]] = {
    "reportlab-winansi": lambda pages, rules: reportlab_pdf(pages, rules, embedded=False),
    "reportlab-ttf": lambda pages, rules: reportlab_pdf(pages, rules, embedded=True),
    "fpdf2-winansi": lambda pages, rules: fpdf2_pdf(pages, rules, embedded=False),
    "fpdf2-ttf": lambda pages, rules: fpdf2_pdf(pages, rules, embedded=True),
}


# -------------------------------------------------------------- extractors


def pypdf_text(data: bytes, layout: bool = False) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    mode = {"extraction_mode": "layout"} if layout else {}
    return "\n".join(page.extract_text(**mode) for page in reader.pages)


def pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "pypdf": pypdf_text,
    "pypdf-layout": lambda data: pypdf_text(data, layout=True),
    "pdfminer.six": pdfminer_text,
}


# -------------------------------------------------------------- scoring


def exact(line: str) -> str:
    return re.sub(r" +", " ", line.strip())


def loose(line: str) -> str:
    return " ".join(line.split())


def in_order(expected: list[str], found: list[str]) -> int:
    """Length of the longest common subsequence: lines found, in the right order."""
    previous = [0] * (len(found) + 1)
    for want in expected:
        current = [0]
        for index, got in enumerate(found):
            current.append(previous[index] + 1 if want == got else max(previous[index + 1], current[-1]))
        previous = current
    return previous[-1]


def score(text: str, lines: list[str], turns: list[tuple[str, str]]) -> tuple[int, int, int]:
    found = text.splitlines()
    exact_hits = in_order([exact(x) for x in lines], [exact(x) for x in found if x.strip()])
    loose_hits = in_order([loose(x) for x in lines], [loose(x) for x in found if x.strip()])
    transcripts, _ = parse(text, "benchmark.pdf")
    read = [(turn.speaker, loose(turn.text)) for t in transcripts for turn in t.turns]
    turn_hits = in_order([(s, loose(w)) for s, w in turns], read)
    return exact_hits, loose_hits, turn_hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="also write the generated PDFs to this folder")
    arguments = parser.parse_args()
    print(f"font embedded: {unicode_font()}")
    documents = []
    for layout_name, layout in LAYOUTS.items():
        pages, rules, lines, turns = layout()
        for generator_name, generate in GENERATORS.items():
            try:
                data = generate(pages, rules)
            except ImportError as error:  # reportlab is not a test dependency: measure without it
                print(f"skipped {generator_name}: {error}")
                continue
            if generator_name.endswith("winansi"):  # compare with what was drawn
                drawn = [line.replace(NNBSP, NBSP) for line in lines]
                said = [(speaker, words.replace(NNBSP, NBSP)) for speaker, words in turns]
                documents.append((layout_name, generator_name, data, drawn, said))
            else:
                documents.append((layout_name, generator_name, data, lines, turns))
            if arguments.keep:
                arguments.keep.mkdir(parents=True, exist_ok=True)
                (arguments.keep / f"{layout_name}-{generator_name}.pdf").write_bytes(data)
    header = f"{'extractor':<14} {'documents':<18} {'exact lines':>13} {'loose lines':>13} {'turns':>9} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    for extractor_name, extract in EXTRACTORS.items():
        measured = {}
        for layout_name, generator_name, data, lines, turns in documents:
            began = time.perf_counter()
            text = extract(data)
            elapsed = time.perf_counter() - began
            measured[layout_name, generator_name] = (*score(text, lines, turns), len(lines), len(turns), elapsed)
        groups = [(f"layout {name}", lambda key, name=name: key[0] == name) for name in LAYOUTS]
        groups += [(name, lambda key, name=name: key[1] == name) for name in GENERATORS]
        for title, chosen in [*groups, ("all", lambda key: True)]:
            rows = [value for key, value in measured.items() if chosen(key)]
            if rows:
                print(_row(extractor_name, title, [sum(column) for column in zip(*rows, strict=True)]))
        print()


def _row(extractor: str, title: str, sums: list[float]) -> str:
    exact_hits, loose_hits, turn_hits, lines, turns, elapsed = sums
    return (
        f"{extractor:<14} {title:<18} {f'{exact_hits}/{lines}':>13} {f'{loose_hits}/{lines}':>13} "
        f"{f'{turn_hits}/{turns}':>9} {elapsed:>8.2f}"
    )


if __name__ == "__main__":
    main()
