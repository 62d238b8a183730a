"""Tests for transcript_audit.redaction.

All personal data here is invented; check digits are computed by the helpers
below (written independently of the module under test), never typed by hand.
"""

from __future__ import annotations


import pytest

from transcript_audit.redaction import redact, redact_optional


# --- helpers computing valid check digits ---------------------------------


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit to ``partial`` (digits only)."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        value = int(char)
        if position % 2 == 0:  # doubled once the check digit is appended
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return partial + str((10 - total % 10) % 10)


def group(digits: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    assert start == len(digits)
    return sep.join(parts)


def iban(country: str, bban: str) -> str:
    """Compact IBAN with ISO 13616 check digits."""
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def spaced(compact: str) -> str:
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def nir(body: str) -> str:
    """13-character NIR body (2A/2B allowed) followed by its 2-digit key."""
    numeric = body[:5] + body[5:7].replace("2A", "19").replace("2B", "18") + body[7:]
    return f"{body}{97 - int(numeric) % 97:02d}"


def nir_spaced(full: str) -> str:
    return group(full, (1, 2, 2, 2, 3, 3, 2))


def wrong_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def wrong_nir_key(full: str) -> str:
    """The NIR with a wrong key that is not Luhn-valid either (else it would be a card)."""
    for delta in range(1, 10):
        candidate = wrong_last_digit(full[:-1] + str((int(full[-1]) + delta - 1) % 10))
        if not luhn_complete(candidate[:-1]) == candidate:
            return candidate
    raise AssertionError("unreachable")


VISA = luhn_complete("497010123456789")
MASTERCARD = luhn_complete("513412345678901")
AMEX = luhn_complete("37828224631000")
FR_IBAN = iban("FR", "30006000011234567890189")
DE_IBAN = iban("DE", "370400440532013000")
BE_IBAN = iban("BE", "539007547034")
NIR_MAN = nir("1850578006084")
NIR_WOMAN = nir("2920375123045")
NIR_CORSICA = nir("169052A004012")


def test_helpers_produce_valid_numbers() -> None:
    assert len(VISA) == 16 and len(AMEX) == 15
    assert luhn_complete("7992739871") == "79927398713"  # textbook Luhn example
    assert iban("GB", "WEST12345698765432") == "GB82WEST12345698765432"  # ISO example
    assert len(FR_IBAN) == 27


# --- e-mail ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "jean.dupont@orange.fr",
        "marie-claire.lefevre+sav@gmail.com",
        "francois.muller@laposte.net",
        "contact_client42@sub.domaine-exemple.co.uk",
        "Élodie.Bernard@wanadoo.fr",
    ],
)
def test_email_masked(address: str) -> None:
    assert redact(f"Écrivez-moi à {address}, merci.") == "Écrivez-moi à [e-mail], merci."


def test_email_at_end_of_sentence_keeps_full_stop() -> None:
    assert redact("Mon adresse : jean.dupont@orange.fr.") == "Mon adresse : [e-mail]."


@pytest.mark.parametrize("text", ["Rendez-vous @ 14h", "le compte @jdupont sur X", "jean@localhost"])
def test_not_email(text: str) -> None:
    assert redact(text) == text


# --- phone -------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "01 42 68 53 00",
        "07\u00a089\u00a012\u00a034\u00a056",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "+33(0)612345678",
        "+33 06 12 34 56 78",
        "0033 6 12 34 56 78",
        "0033612345678",
    ],
)
def test_phone_masked(phone: str) -> None:
    assert redact(f"Rappelez-moi au {phone} svp") == "Rappelez-moi au [téléphone] svp"


def test_phone_after_colon_and_in_parentheses() -> None:
    assert redact("Tél:0612345678 (ou 01.23.45.67.89)") == "Tél:[téléphone] (ou [téléphone])"


@pytest.mark.parametrize(
    "text",
    [
        "Votre commande 4521 est partie.",
        "Le montant est de 612 € TTC.",
        "Livraison prévue le 05/03/2024 à 14:02.",
        "Commande n° 4521876390 expédiée.",
        "Référence 06123456789 (11 chiffres).",
        "Colis 06 12 34 56 78 90 12 en transit.",
        "Remboursement de 1 234,56 € le 12.03.2024.",
        "Le code 00 12 34 56 78 ne marche pas.",
    ],
)
def test_ordinary_numbers_not_masked(text: str) -> None:
    assert redact(text) == text


# --- IBAN ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        spaced(FR_IBAN),
        FR_IBAN,
        FR_IBAN.lower(),
        spaced(DE_IBAN),
        BE_IBAN,
        spaced(iban("FR", "20041010050500013M02606")),  # letters in the BBAN
        "GB82WEST12345698765432",
        "GB82 WEST 1234 5698 7654 32",
    ],
)
def test_iban_masked(value: str) -> None:
    assert redact(f"Mon IBAN : {value}. Merci") == "Mon IBAN : [IBAN]. Merci"


def test_iban_followed_by_word_of_four_letters() -> None:
    value = spaced(iban("FR", "3000600001123456789012"))  # 26 chars: last group full
    assert redact(f"IBAN {value} SVP") == "IBAN [IBAN] SVP"


@pytest.mark.parametrize(
    "value",
    [
        spaced(wrong_last_digit(FR_IBAN)),
        wrong_last_digit(DE_IBAN),
        "FR00" + FR_IBAN[4:],
        "GB82 WEST 1234 5698 7654 33",
    ],
)
def test_invalid_iban_not_masked(value: str) -> None:
    text = f"IBAN : {value} fin"
    assert redact(text) == text


# --- payment card ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        group(VISA, (4, 4, 4, 4)),
        VISA,
        group(VISA, (4, 4, 4, 4), "-"),
        group(MASTERCARD, (4, 4, 4, 4)),
        group(AMEX, (4, 6, 5)),
        AMEX,
        group(luhn_complete("629867123456789012"), (4, 4, 4, 4, 3)),  # 19 digits
        luhn_complete("401288888888"),  # 13 digits
    ],
)
def test_card_masked(value: str) -> None:
    assert redact(f"Ma carte {value} a été débitée") == "Ma carte [carte] a été débitée"


@pytest.mark.parametrize(
    "value",
    [
        group(wrong_last_digit(VISA), (4, 4, 4, 4)),
        wrong_last_digit(MASTERCARD),
        group(wrong_last_digit(AMEX), (4, 6, 5)),
        "1234 5678",
        "4521 4521 4521 4521 4521 4521",
    ],
)
def test_non_luhn_not_masked(value: str) -> None:
    text = f"Numéro {value} ok"
    assert redact(text) == text


def test_card_inside_longer_number_not_masked() -> None:
    text = f"Réf 9{VISA}9"
    assert redact(text) == text


# --- NIR --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        nir_spaced(NIR_MAN),
        NIR_MAN,
        nir_spaced(NIR_WOMAN),
        nir_spaced(NIR_CORSICA),
        NIR_CORSICA,
        nir_spaced(nir("169052B004012")),
        "1 85 05 78 006 084 " + NIR_MAN[-2:],
    ],
)
def test_nir_masked(value: str) -> None:
    assert redact(f"Mon n° de sécu est {value}, voilà") == "Mon n° de sécu est [n° sécu], voilà"


@pytest.mark.parametrize(
    "value",
    [
        nir_spaced(wrong_nir_key(NIR_MAN)),
        nir_spaced(wrong_nir_key(NIR_WOMAN)),
        wrong_nir_key(NIR_MAN),
        wrong_nir_key(NIR_WOMAN),
        "3" + NIR_MAN[1:],  # first digit must be 1 or 2
        nir_spaced(NIR_CORSICA[:5] + "2C" + NIR_CORSICA[7:]),
    ],
)
def test_invalid_nir_not_masked(value: str) -> None:
    text = f"Numéro {value} fin"
    assert redact(text) == text


def test_compact_wrong_key_nir_that_is_luhn_valid_is_masked_as_card() -> None:
    # 15 contiguous digits failing the NIR key but passing Luhn are still masked.
    number = NIR_WOMAN[:-1] + str((int(NIR_WOMAN[-1]) + 1) % 10)
    assert luhn_complete(number[:-1]) == number  # true for this invented number
    assert redact(f"n° {number}") == "n° [carte]"
    assert redact(f"n° {nir_spaced(number)}") == f"n° {nir_spaced(number)}"


# --- whole texts -------------------------------------------------------------------


CONVERSATION = (
    "Client : Bonjour, ma commande 4521 du 05/03/2024 (612 €) n'est pas arrivée.\n"
    f"Client : Vous pouvez me joindre au 06 12 34 56 78 ou à jean.dupont@orange.fr.\n"
    f"Client : Remboursez sur {spaced(FR_IBAN)} ; j'ai payé avec {group(VISA, (4, 4, 4, 4))}.\n"
    f"Client : Mon numéro de sécu : {nir_spaced(NIR_MAN)}. Appel à 14:02.\n"
    "Agent : Merci, c'est noté !"
)

EXPECTED = (
    "Client : Bonjour, ma commande 4521 du 05/03/2024 (612 €) n'est pas arrivée.\n"
    "Client : Vous pouvez me joindre au [téléphone] ou à [e-mail].\n"
    "Client : Remboursez sur [IBAN] ; j'ai payé avec [carte].\n"
    "Client : Mon numéro de sécu : [n° sécu]. Appel à 14:02.\n"
    "Agent : Merci, c'est noté !"
)


def test_several_items_and_surrounding_text_verbatim() -> None:
    assert redact(CONVERSATION) == EXPECTED


@pytest.mark.parametrize(
    "text",
    [
        CONVERSATION,
        f"{VISA} {NIR_MAN} {FR_IBAN} 0612345678 a@b.fr",
        "Rien à masquer ici, commande 4521.",
        "",
    ],
)
def test_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_text_without_personal_data_unchanged() -> None:
    text = "Bonjour,\u202fje suis désolé·e pour le retard — votre colis arrive demain !"
    assert redact(text) == text


def test_redact_optional() -> None:
    assert redact_optional(None) is None
    assert redact_optional("au 06 12 34 56 78") == "au [téléphone]"


@pytest.mark.parametrize(
    "hostile",
    [
        "0" * 200_000,
        "1 " * 100_000,
        "a." * 100_000 + "@",
        "a@" + "b." * 100_000,
        "FR12 " * 50_000,
        "+33 " * 50_000,
        "1234-" * 50_000,
    ],
)
def test_hostile_input_is_redacted_without_backtracking(hostile: str) -> None:
    # No timing assertion (speed belongs to benchmarks): a catastrophic pattern
    # would make this test hang, and nothing here is personal data to mask.
    assert redact(hostile) == hostile


def test_redact_option_leaves_no_personal_data_in_any_output(auditor, tmp_path):
    import json

    from typer.testing import CliRunner

    from transcript_audit.cli import app

    from .conftest import SAMPLES

    call = tmp_path / "data" / "appel.txt"
    call.parent.mkdir()
    call.write_text(
        "Client : Mon numéro est le 06 12 34 56 78, mon mail claire.roux@exemple.fr.\n"
        "Conseiller : Au 06 12 34 56 78, votre marchandise, remboursée sur FR76 3000 6000 0112 3456 7890 189 "
        "sous peu, écrivez à claire.roux@exemple.fr si besoin.\n",
        encoding="utf-8",
    )
    inputs = [str(SAMPLES), str(call.parent)]
    formats = ["json", "jsonl", "csv", "sarif", "junit", "github", "markdown", "rich"]
    args = ["check", *inputs, "--redact", "--group-by", "file", "--stats"]
    for name in formats:
        args += ["-o", f"{name}={tmp_path / ('report.' + name)}"]
    CliRunner().invoke(app, args)
    plain = CliRunner().invoke(app, ["check", *inputs, "-f", "json"]).stdout
    assert "06 12 34 56 78" in plain and "FR76 3000" in plain  # the test has data to hide
    for name in formats:
        text = (tmp_path / f"report.{name}").read_text(encoding="utf-8-sig")
        assert "06 12 34 56 78" not in text and "FR76 3000" not in text and "claire.roux@" not in text, name
        assert redact(text) == text, f"{name} still holds personal data"
    json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
