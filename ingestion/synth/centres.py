"""Fictional European cancer centres, with the local conventions their patients' data carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Centre:
    centre_id: str
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    language: str  # BCP-47 primary language of the patients
    timezone: str
    weight: float  # share of the cohort
    phone_prefix: str
    postal_format: str  # str.format pattern for a postal code from an int


CENTRES: tuple[Centre, ...] = (
    Centre(
        "de-nord",
        "Universitätsklinikum Nordstadt Tumorzentrum (synthetic)",
        "Nordstadt",
        "DE",
        "de",
        "Europe/Berlin",
        0.22,
        "+49 555",
        "{:05d}",
    ),
    Centre(
        "fr-lyr",
        "Institut de Cancérologie du Lyrois (synthetic)",
        "Lyrois",
        "FR",
        "fr",
        "Europe/Paris",
        0.17,
        "+33 5 55",
        "{:05d}",
    ),
    Centre(
        "nl-hvn",
        "Oncologisch Centrum Havenstad (synthetic)",
        "Havenstad",
        "NL",
        "nl",
        "Europe/Amsterdam",
        0.14,
        "+31 555",
        "{:04d} AB",
    ),
    Centre(
        "es-mar",
        "Hospital Oncológico de Marisol (synthetic)",
        "Marisol",
        "ES",
        "es",
        "Europe/Madrid",
        0.14,
        "+34 555",
        "{:05d}",
    ),
    Centre(
        "it-col",
        "Istituto Tumori di Collina (synthetic)",
        "Collina",
        "IT",
        "it",
        "Europe/Rome",
        0.13,
        "+39 0555",
        "{:05d}",
    ),
    Centre(
        "pl-wis",
        "Centrum Onkologii Wiślany (synthetic)",
        "Wiślany",
        "PL",
        "pl",
        "Europe/Warsaw",
        0.10,
        "+48 555",
        "{:02d}-555",
    ),
    Centre(
        "ie-bay",
        "Bayside Cancer Centre (synthetic)",
        "Bayside",
        "IE",
        "en",
        "Europe/Dublin",
        0.10,
        "+353 55",
        "D{:02d} X5X5",
    ),
)

# Common given and family names per language, combined at random: no real person is described.
GIVEN_NAMES = {
    "de": (
        ("Anna", "Petra", "Sabine", "Monika", "Julia", "Ursula", "Katrin"),
        ("Thomas", "Michael", "Peter", "Jürgen", "Stefan", "Klaus", "Andreas"),
    ),
    "fr": (
        ("Marie", "Nathalie", "Isabelle", "Sylvie", "Camille", "Sophie", "Claire"),
        ("Jean", "Pierre", "Philippe", "Alain", "Nicolas", "Laurent", "Michel"),
    ),
    "nl": (
        ("Maria", "Anneke", "Sanne", "Ingrid", "Els", "Linda", "Marieke"),
        ("Jan", "Pieter", "Henk", "Kees", "Wim", "Bram", "Joost"),
    ),
    "es": (
        ("María", "Carmen", "Lucía", "Pilar", "Elena", "Rosa", "Isabel"),
        ("José", "Antonio", "Manuel", "Javier", "Carlos", "Miguel", "Luis"),
    ),
    "it": (
        ("Giulia", "Francesca", "Chiara", "Paola", "Anna", "Laura", "Elena"),
        ("Marco", "Giuseppe", "Luca", "Andrea", "Giovanni", "Paolo", "Roberto"),
    ),
    "pl": (
        ("Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Joanna"),
        ("Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Marek", "Jan"),
    ),
    "en": (
        ("Mary", "Siobhan", "Aoife", "Catherine", "Sarah", "Niamh", "Emma"),
        ("John", "Patrick", "Michael", "Sean", "David", "Liam", "Brian"),
    ),
}
FAMILY_NAMES = {
    "de": ("Müller", "Schmidt", "Weber", "Becker", "Hoffmann", "Wagner", "Schäfer", "Koch"),
    "fr": ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Lefèvre", "Roux"),
    "nl": ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"),
    "es": ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres"),
    "it": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"),
    "pl": ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński"),
    "en": ("Murphy", "Kelly", "O'Brien", "Walsh", "Byrne", "Ryan", "O'Connor", "Doyle"),
}
STREETS = {
    "de": "Lindenweg",
    "fr": "rue des Tilleuls",
    "nl": "Lindelaan",
    "es": "Calle de los Tilos",
    "it": "Via dei Tigli",
    "pl": "ulica Lipowa",
    "en": "Linden Road",
}
