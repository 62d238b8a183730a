"""Files no reader can read (legacy Word, OpenDocument, RTF, images, audio, archives…),
recognised by their first bytes, and what the analyst should export instead.

Without this a ``.doc`` or a photo would reach the text reader and be reported as
"text before the first speaker turn" or "binary file". Every message the Word and PDF
readers and this module give is in ``MESSAGES``, in French (they are for analysts), so
that their wording is reviewed in one place.
"""

from __future__ import annotations

import io
import zipfile

_TEXT_EXPORT = "exportez la conversation en .txt (« Conseiller : … » / « Client : … »)"

MESSAGES = {
    # Recognised formats that no reader reads.
    "doc": "document Word ancien (.doc) : enregistrez-le en .docx (Fichier > Enregistrer sous) ou exportez le texte en .txt",
    "xls": "classeur Excel ancien (.xls) : enregistrez la feuille en .csv (CSV UTF-8)",
    "ppt": "présentation PowerPoint ancienne (.ppt) : enregistrez-la en .pdf ou exportez le texte en .txt",
    "msg": "message Outlook (.msg) : enregistrez-le en .eml (glisser-déposer hors d’Outlook) ou exportez le texte en .txt",
    "ole2": "document Microsoft Office ancien (format OLE2 : .doc, .xls, .ppt ou .msg) : enregistrez-le en .docx, .csv ou .eml, ou exportez le texte en .txt",
    "odt": "document OpenDocument (.odt) : enregistrez-le en .docx ou exportez le texte en .txt",
    "ods": "classeur OpenDocument (.ods) : enregistrez la feuille en .csv (CSV UTF-8)",
    "odp": "présentation OpenDocument (.odp) : enregistrez-la en .pdf ou exportez le texte en .txt",
    "opendocument": "fichier OpenDocument ({mimetype}) : enregistrez-le en .docx ou exportez le texte en .txt",
    "rtf": "document RTF (.rtf) : enregistrez-le en .docx ou exportez le texte en .txt",
    "xlsx": "classeur Excel (.xlsx) : enregistrez la feuille en .csv (CSV UTF-8)",
    "pptx": "présentation PowerPoint (.pptx) : enregistrez-la en .pdf ou exportez le texte en .txt",
    "image": "image {kind} : elle ne contient pas de texte lisible ; passez-la dans un logiciel de reconnaissance de caractères (OCR) ou " + _TEXT_EXPORT,
    "audio": "enregistrement audio ou vidéo {kind} : transcrivez-le d’abord (reconnaissance vocale) puis auditez la transcription (.json, .vtt, .srt ou .txt)",
    "archive": "archive {kind} : décompressez-la et auditez les fichiers qu’elle contient",
    # Word documents.
    "docx-not-docx": "ce fichier n’est pas un document Word .docx (ce n’est pas un paquet ZIP) : enregistrez-le en .docx depuis Word ou exportez le texte en .txt",
    "docx-broken": "document Word illisible ({reason}) : ouvrez-le dans Word et enregistrez-le de nouveau en .docx, ou exportez le texte en .txt",
    "docx-too-big": "document Word trop volumineux une fois décompressé ({size} Mo, limite {limit} Mo) : c’est peut-être une « bombe » ZIP ; exportez le texte en .txt",
    "docx-empty": "document Word sans texte : aucun tour de parole à lire (lignes attendues du type « Conseiller : Bonjour »)",
    # PDF documents.
    "pdf-not-pdf": "ce fichier .pdf n’est pas un PDF (il ne commence pas par %PDF-) : ré-exportez-le en PDF ou " + _TEXT_EXPORT,
    "pdf-broken": "PDF illisible ({reason}) : ré-exportez-le en PDF ou " + _TEXT_EXPORT,
    "pdf-encrypted": "PDF protégé par un mot de passe : enregistrez-en une copie sans protection ou " + _TEXT_EXPORT,
    "pdf-too-many-pages": "PDF de {pages} pages, plus que la limite de {limit} : découpez-le ou " + _TEXT_EXPORT,
    "pdf-no-text": "PDF sans couche texte (document scanné ou imprimé en image ?) : passez-le dans un logiciel de reconnaissance de caractères (OCR) ou " + _TEXT_EXPORT,
    "pdf-pages-no-text": "{pages} sans texte mais avec une image (pages scannées ?) : non auditées ; passez le PDF dans un logiciel de reconnaissance de caractères (OCR)",
    "pdf-page-broken": "page {page} : texte illisible ({reason}) : page non auditée",
}

# (first bytes, message key, kind named in the message)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image", "PNG"),
    (b"\xff\xd8\xff", "image", "JPEG"),
    (b"GIF87a", "image", "GIF"),
    (b"GIF89a", "image", "GIF"),
    (b"II*\x00", "image", "TIFF"),
    (b"MM\x00*", "image", "TIFF"),
    (b"{\\rtf", "rtf", ""),
    (b"\x1f\x8b", "archive", "gzip (.gz, .tgz)"),
    (b"7z\xbc\xaf\x27\x1c", "archive", "7-Zip (.7z)"),
    (b"Rar!\x1a\x07", "archive", "RAR (.rar)"),
    (b"\xfd7zXZ\x00", "archive", "xz (.xz)"),
    (b"\x28\xb5\x2f\xfd", "archive", "Zstandard (.zst)"),
    (b"ID3\x03", "audio", "MP3"),
    (b"ID3\x04", "audio", "MP3"),
    (b"fLaC", "audio", "FLAC"),
    (b"OggS", "audio", "Ogg"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_BY_EXTENSION = {".doc": "doc", ".dot": "doc", ".xls": "xls", ".ppt": "ppt", ".msg": "msg"}
_OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
# When the first bytes say nothing but the bytes are binary (NUL bytes), the extension names the format.
_BY_EXTENSION = {
    ".doc": ("doc", ""), ".xls": ("xls", ""), ".ppt": ("ppt", ""), ".msg": ("msg", ""),
    ".odt": ("odt", ""), ".ods": ("ods", ""), ".odp": ("odp", ""), ".xlsx": ("xlsx", ""), ".pptx": ("pptx", ""),
    ".png": ("image", "PNG"), ".jpg": ("image", "JPEG"), ".jpeg": ("image", "JPEG"), ".gif": ("image", "GIF"),
    ".tif": ("image", "TIFF"), ".tiff": ("image", "TIFF"), ".webp": ("image", "WebP"), ".heic": ("image", "HEIC"),
    ".bmp": ("image", "BMP"),
    ".zip": ("archive", "ZIP (.zip)"), ".gz": ("archive", "gzip (.gz, .tgz)"), ".tgz": ("archive", "gzip (.gz, .tgz)"),
    ".7z": ("archive", "7-Zip (.7z)"), ".rar": ("archive", "RAR (.rar)"), ".tar": ("archive", "tar (.tar)"),
    ".mp3": ("audio", "MP3"), ".wav": ("audio", "WAV"), ".m4a": ("audio", "M4A"), ".mp4": ("audio", "MP4"),
    ".ogg": ("audio", "Ogg"), ".flac": ("audio", "FLAC"),
}


def message(key: str, **values: object) -> str:
    return MESSAGES[key].format(**values)


def reason(error: Exception) -> str:
    """A library's exception as a short reason inside a message."""
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def describe(data: bytes, suffix: str = "") -> str | None:
    """What the bytes are and what to export instead, for a format no reader reads; None otherwise.

    ``suffix`` (".doc") tells apart the legacy Office formats, which share one container,
    and names binary data whose first bytes are not recognised. A Word document or a PDF
    gives None: their readers read them.
    """
    suffix = suffix.lower()
    if data.startswith(_OLE2):
        return message(_OLE2_BY_EXTENSION.get(suffix, "ole2"))
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    for signature, key, kind in _SIGNATURES:
        if data.startswith(signature):
            return message(key, kind=kind)
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return message("image", kind="WebP") if data[8:12] == b"WEBP" else message("audio", kind=data[8:12].decode().strip())
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return message("image", kind="HEIC") if brand in _HEIF_BRANDS else message("audio", kind=f"MP4 ({brand.decode('latin-1').strip()})")
    if data[257:262] == b"ustar" and b"\x00" in data[:512]:
        return message("archive", kind="tar (.tar)")
    if suffix in _BY_EXTENSION and b"\x00" in data[:65536]:
        key, kind = _BY_EXTENSION[suffix]
        return message(key, kind=kind)
    return None


def _zip_kind(data: bytes) -> str | None:
    """ZIP containers: OpenDocument, Office Open XML other than Word, or a plain archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = ""
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 200:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError, RuntimeError):
        return message("archive", kind="ZIP (.zip), incomplète ou endommagée")
    if "word/document.xml" in names:
        return None
    if mimetype in _OPENDOCUMENT:
        return message(_OPENDOCUMENT[mimetype])
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return message("opendocument", mimetype=mimetype)
    if any(name.startswith("xl/") for name in names):
        return message("xlsx")
    if any(name.startswith("ppt/") for name in names):
        return message("pptx")
    return message("archive", kind="ZIP (.zip)")
