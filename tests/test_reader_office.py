"""Word (.docx) and PDF transcripts, and the formats no reader reads (.doc, .odt, images…).

Fixtures are generated in each test: python-docx for Word, fpdf2 for PDF (its
standard font in Windows-1252, so accents, curly apostrophes and no-break spaces
survive without a font file).
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from transcript_audit.cli import app
from transcript_audit.model import Role
from transcript_audit.readers import docx_document, pdf_document, read_file, reader_for
from transcript_audit.readers.base import ReaderOptions
from transcript_audit.readers.unreadable import MESSAGES, describe

NBSP, NNBSP = "\u00a0", "\u202f"


def read(path: Path):
    return read_file(path, ReaderOptions())


def turns_of(transcripts):
    (transcript,) = transcripts
    return [(turn.role, turn.speaker, turn.text, turn.line, turn.locator) for turn in transcript.turns]


# ---------------------------------------------------------------- Word


def word_document(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Appel du 5 mars – dossier 4512", level=1)  # paragraph 1, skipped
    document.add_paragraph(f"Conseiller{NBSP}: Bonjour, c’est Jérôme, que puis-je faire pour vous{NNBSP}?")  # 2
    document.add_paragraph("")  # 3, empty
    document.add_paragraph(f"Client{NBSP}: J’ai reçu une facture de 243,50{NBSP}€{NNBSP}!")  # 4
    document.add_paragraph("    Je ne comprends pas pourquoi.")  # 5, indented: continues the turn
    table = document.add_table(rows=3, cols=2)  # 6, 7, 8
    rows = [("Intervenant", "Message"), ("Conseiller", "Je regarde votre dossier."), ("Client :", "D’accord.\nMerci.")]
    for row, (speaker, words) in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = speaker, words
    document.add_paragraph("Conseiller : Bonne journée.\nClient : Au revoir.")  # 9, a line break inside
    document.save(path)
    return path


def test_a_word_document_reads_paragraphs_and_table_rows_as_turns(tmp_path):
    transcripts, errors = read(word_document(tmp_path / "appel.docx"))
    assert errors == []
    assert turns_of(transcripts) == [
        (Role.AGENT, "Conseiller", f"Bonjour, c’est Jérôme, que puis-je faire pour vous{NNBSP}?", 2, "paragraph 2"),
        (Role.CUSTOMER, "Client", f"J’ai reçu une facture de 243,50{NBSP}€{NNBSP}!\nJe ne comprends pas pourquoi.", 4, "paragraph 4"),
        (Role.AGENT, "Conseiller", "Je regarde votre dossier.", 7, "table 1, row 2"),
        (Role.CUSTOMER, "Client", "D’accord.\nMerci.", 8, "table 1, row 3"),
        (Role.AGENT, "Conseiller", "Bonne journée.", 9, "paragraph 9"),
        (Role.CUSTOMER, "Client", "Au revoir.", 9, "paragraph 9"),
    ]
    (transcript,) = transcripts
    assert transcript.id == "appel" and transcript.path.endswith("appel.docx")
    continued = transcript.turns[1]
    offset = continued.text.index("Je ne")
    assert continued.locate(offset) == (5, None) and continued.locator_at(offset) == "paragraph 5"


def test_a_word_document_is_recognised_by_its_content_whatever_its_name(tmp_path):
    path = word_document(tmp_path / "appel.bin")
    assert reader_for(path, path.read_bytes()) is docx_document
    transcripts, errors = read(path)
    assert errors == [] and len(transcripts[0].turns) == 6


def test_a_word_document_keeps_the_label_rules(tmp_path):
    document = docx.Document()
    document.add_paragraph("# channel: chat")
    document.add_paragraph("Bonjour à tous")  # text before the first turn: said, as in a .txt file
    document.add_paragraph("Mme Lefort : Bonjour.")
    document.save(tmp_path / "chat.docx")
    transcripts, errors = read(tmp_path / "chat.docx")
    assert transcripts[0].channel == "chat"
    assert [(error.line, error.message.split(" : ")[0]) for error in errors] == [(2, "paragraph 2"), (3, "paragraph 3")]
    assert "texte avant le premier tour de parole" in errors[0].message
    assert "locuteur inconnu « Mme Lefort »" in errors[1].message


def test_an_empty_word_document_says_so(tmp_path):
    document = docx.Document()
    document.add_heading("Titre seul", level=1)
    document.add_paragraph("")
    document.save(tmp_path / "vide.docx")
    transcripts, errors = read(tmp_path / "vide.docx")
    assert transcripts == [] and [error.message for error in errors] == [MESSAGES["docx-empty"]]


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_word_zip_bomb_is_refused_before_its_xml_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(docx_document, "MAX_DOCUMENT_XML", 1024 * 1024)
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * (2 * 1024 * 1024)})
    assert len(bomb) < 10_000
    (tmp_path / "bombe.docx").write_bytes(bomb)
    transcripts, errors = read(tmp_path / "bombe.docx")
    assert transcripts == [] and len(errors) == 1
    assert errors[0].message.startswith("document Word trop volumineux une fois décompressé (2 Mo, limite 1 Mo)")


def test_a_damaged_word_document_is_one_clear_error(tmp_path):
    (tmp_path / "casse.docx").write_bytes(zip_bytes({"word/document.xml": b"<w:document><w:body>"}))
    transcripts, errors = read(tmp_path / "casse.docx")
    assert transcripts == [] and len(errors) == 1 and errors[0].message.startswith("document Word illisible (")
    (tmp_path / "texte.docx").write_text("Conseiller : Bonjour", encoding="utf-8")
    _, errors = read(tmp_path / "texte.docx")
    assert [error.message for error in errors] == [MESSAGES["docx-not-docx"]]


# ---------------------------------------------------------------- PDF


def pdf_bytes(pages: list[list[str]], footer: bool = True) -> bytes:
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        for index, line in enumerate(lines):
            indent = 10 if line.startswith(" ") else 0
            pdf.text(20 + indent, 20 + 8 * index, line.strip())
        if footer:
            pdf.text(100, 285, f"Page {number} / {len(pages)}")
    return bytes(pdf.output())


CALL_PAGES = [
    [f"Conseiller{NBSP}: Bonjour, c’est Jérôme, que puis-je faire pour vous{NBSP}?", f"Client{NBSP}: J’ai un souci avec ma facture{NBSP}!"],
    ["Conseiller : Je regarde votre dossier, l’échéance est", "   reportée au 5 octobre.", "Client : D’accord, merci."],
    ["Conseiller : Très bonne journée à vous."],
]


def test_a_pdf_reads_its_text_layer_page_by_page(tmp_path):
    (tmp_path / "appel.pdf").write_bytes(pdf_bytes(CALL_PAGES))
    transcripts, errors = read(tmp_path / "appel.pdf")
    assert errors == []
    assert turns_of(transcripts) == [
        (Role.AGENT, "Conseiller", f"Bonjour, c’est Jérôme, que puis-je faire pour vous{NBSP}?", 1, "page 1"),
        (Role.CUSTOMER, "Client", f"J’ai un souci avec ma facture{NBSP}!", 2, "page 1"),
        (Role.AGENT, "Conseiller", "Je regarde votre dossier, l’échéance est\nreportée au 5 octobre.", 1, "page 2"),
        (Role.CUSTOMER, "Client", "D’accord, merci.", 3, "page 2"),  # the page number footer is not a line
        (Role.AGENT, "Conseiller", "Très bonne journée à vous.", 1, "page 3"),
    ]
    continued = transcripts[0].turns[2]
    assert continued.locate(continued.text.index("reportée")) == (2, None)


def test_a_pdf_with_labels_and_words_in_two_columns_reads_as_turns(tmp_path):
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for index, (speaker, words) in enumerate([("Conseiller :", "Bonjour, que puis-je faire ?"), ("Client :", "Ma box ne marche plus.")]):
        pdf.text(20, 20 + 8 * index, speaker)
        pdf.text(60, 20 + 8 * index, words)
    (tmp_path / "colonnes.pdf").write_bytes(bytes(pdf.output()))
    transcripts, errors = read(tmp_path / "colonnes.pdf")
    assert errors == []
    assert [(turn.speaker, turn.text) for turn in transcripts[0].turns] == [
        ("Conseiller", "Bonjour, que puis-je faire ?"),
        ("Client", "Ma box ne marche plus."),
    ]


def scanned_pdf(with_text_page: bool) -> bytes:
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(image, format="PNG")
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    if with_text_page:
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.text(20, 20, "Conseiller : Bonjour.")
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=100)
    return bytes(pdf.output())


def test_a_scanned_pdf_says_it_has_no_text_layer(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf(with_text_page=False))
    transcripts, errors = read(tmp_path / "scan.pdf")
    assert transcripts == [] and [error.message for error in errors] == [MESSAGES["pdf-no-text"]]
    assert "OCR" in errors[0].message and "couche texte" in errors[0].message


def test_scanned_pages_among_text_pages_are_named(tmp_path):
    (tmp_path / "mixte.pdf").write_bytes(scanned_pdf(with_text_page=True))
    transcripts, errors = read(tmp_path / "mixte.pdf")
    assert len(transcripts[0].turns) == 1
    assert [error.message for error in errors] == [MESSAGES["pdf-pages-no-text"].format(pages="page 2")]


def test_a_pdf_over_the_page_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_document, "MAX_PAGES", 2)
    (tmp_path / "long.pdf").write_bytes(pdf_bytes(CALL_PAGES))
    transcripts, errors = read(tmp_path / "long.pdf")
    assert transcripts == [] and [error.message for error in errors] == [
        MESSAGES["pdf-too-many-pages"].format(pages=3, limit=2)
    ]


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "PDF illisible ("),
        (b"<html><body>Erreur 404</body></html>", "ce fichier .pdf n’est pas un PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image PNG"),
    ],
    ids=["truncated", "html", "png"],
)
def test_a_broken_pdf_is_one_clear_error(tmp_path, data, start):
    (tmp_path / "casse.pdf").write_bytes(data)
    transcripts, errors = read(tmp_path / "casse.pdf")
    assert transcripts == [] and len(errors) == 1 and errors[0].message.startswith(start), errors


def test_a_password_protected_pdf_says_so(tmp_path):
    pdf = FPDF()
    pdf.set_encryption(owner_password="secret", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.text(20, 20, "Conseiller : Bonjour.")
    (tmp_path / "protege.pdf").write_bytes(bytes(pdf.output()))
    transcripts, errors = read(tmp_path / "protege.pdf")
    assert transcripts == [] and [error.message for error in errors] == [MESSAGES["pdf-encrypted"]]


# ---------------------------------------------------------------- what no reader reads

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
UNREADABLE = [
    ("appel.doc", OLE2, "document Word ancien (.doc) : enregistrez-le en .docx"),
    ("appel.xls", OLE2, "classeur Excel ancien (.xls)"),
    ("appel.msg", OLE2, "message Outlook (.msg)"),
    ("appel", OLE2, "document Microsoft Office ancien"),
    ("appel.odt", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, zipfile.ZIP_STORED), "document OpenDocument (.odt)"),
    ("appel.ods", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}, zipfile.ZIP_STORED), "classeur OpenDocument (.ods)"),
    ("appel.rtf", b"{\\rtf1\\ansi Conseiller : Bonjour\\par}", "document RTF (.rtf)"),
    ("appel.txt", b"{\\rtf1\\ansi Conseiller : Bonjour\\par}", "document RTF (.rtf)"),
    ("appel.xlsx", zip_bytes({"xl/workbook.xml": b"<w/>"}), "classeur Excel (.xlsx) : enregistrez la feuille en .csv"),
    ("appel.pptx", zip_bytes({"ppt/presentation.xml": b"<p/>"}), "présentation PowerPoint (.pptx)"),
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image PNG"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image JPEG"),
    ("photo.gif", b"GIF89a\x01\x00\x01\x00", "image GIF"),
    ("scan.tif", b"II*\x00\x08\x00\x00\x00", "image TIFF"),
    ("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image WebP"),
    ("photo.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image HEIC"),
    ("appel.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", "enregistrement audio ou vidéo WAVE"),
    ("appel.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00", "enregistrement audio ou vidéo MP3"),
    ("appels.zip", zip_bytes({"appel.txt": b"Conseiller : Bonjour"}), "archive ZIP (.zip) : décompressez-la"),
    ("appels.gz", gzip.compress(b"Conseiller : Bonjour"), "archive gzip"),
    ("appels.7z", b"7z\xbc\xaf\x27\x1c\x00\x04", "archive 7-Zip"),
    ("appels.rar", b"Rar!\x1a\x07\x01\x00", "archive RAR"),
    ("appels.tar", b"appel.txt".ljust(257, b"\x00") + b"ustar\x0000", "archive tar"),
    ("vieux.doc", b"\x00\x01\x02 no signature", "document Word ancien (.doc)"),  # the extension names binary data
]


@pytest.mark.parametrize(("name", "data", "start"), UNREADABLE, ids=[case[0] for case in UNREADABLE])
def test_a_format_no_reader_reads_names_itself_and_what_to_export(tmp_path, name, data, start):
    (tmp_path / name).write_bytes(data)
    transcripts, errors = read(tmp_path / name)
    assert transcripts == [] and len(errors) == 1
    assert errors[0].message.startswith(start), errors[0].message
    assert "speaker turn" not in errors[0].message and "NUL" not in errors[0].message


def test_text_is_still_text_and_unknown_binary_keeps_its_message(tmp_path):
    assert describe(b"Conseiller : Bonjour, moustarde" * 20, ".txt") is None
    assert describe(b"\x00\x01\x02", ".txt") is None  # "binary file (contains NUL bytes), not text", as before
    (tmp_path / "appel.doc").write_text("Conseiller : Bonjour, je vous écoute.", encoding="utf-8")  # text named .doc
    transcripts, errors = read(tmp_path / "appel.doc")
    assert errors == [] and transcripts[0].turns[0].text == "Bonjour, je vous écoute."


def test_a_word_extension_on_another_format_names_that_format(tmp_path):
    (tmp_path / "appel.docx").write_bytes(OLE2)
    _, errors = read(tmp_path / "appel.docx")
    assert [error.message for error in errors] == [MESSAGES["ole2"]]
    (tmp_path / "tableur.docx").write_bytes(zip_bytes({"xl/workbook.xml": b"<w/>"}))
    _, errors = read(tmp_path / "tableur.docx")
    assert [error.message for error in errors] == [MESSAGES["xlsx"]]


# ---------------------------------------------------------------- through the CLI


@pytest.mark.slow  # loads the French spaCy model (~10 s)
def test_check_reports_findings_in_word_and_pdf_files_with_their_locators(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSCRIPT_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    document = docx.Document()
    document.add_heading("Appel", level=1)
    document.add_paragraph("")
    document.add_paragraph("Conseiller : Oui.")  # no greeting: greeting-missing, paragraph 3
    document.add_paragraph("Client : Ma box ne marche plus.")
    document.save(tmp_path / "appel.docx")
    (tmp_path / "appel.pdf").write_bytes(pdf_bytes([["Client : Allô ?"], ["Conseiller : Oui."]]))
    result = CliRunner().invoke(app, ["check", str(tmp_path / "appel.docx"), str(tmp_path / "appel.pdf"), "-f", "json", "--no-cache"])
    report = json.loads(result.stdout)
    assert report["errors"] == []
    found = {
        (Path(transcript["path"]).name, finding["rule"]): (finding["line"], finding["locator"])
        for transcript in report["transcripts"]
        for finding in transcript["findings"]
    }
    assert found[("appel.docx", "greeting-missing")] == (3, "paragraph 3")
    assert found[("appel.pdf", "greeting-missing")] == (1, "page 2")


def test_folders_include_word_and_pdf_files(tmp_path):
    from transcript_audit.readers import default_include

    assert {"*.docx", "*.pdf"} <= set(default_include())
