"""Clinical reference tables of the synthetic cohort: cancers, stages, treatments, comorbidities.

Proportions follow European survivor prevalence roughly (breast, prostate and colorectal cancer
dominate); regimens follow common first-line pathways. Codes are real code systems (ICD-10, ATC)
except procedures, which carry centre-local codes as hospital exports often do.
"""

from __future__ import annotations

# cancer: (share, ICD-10, display, share female, mean age at diagnosis)
CANCERS = {
    "breast": (0.28, "C50.9", "Malignant neoplasm of breast", 0.99, 60),
    "colorectal": (0.17, "C18.9", "Malignant neoplasm of colon", 0.45, 67),
    "prostate": (0.18, "C61", "Malignant neoplasm of prostate", 0.0, 69),
    "lung": (0.08, "C34.9", "Malignant neoplasm of bronchus or lung", 0.42, 67),
    "melanoma": (0.09, "C43.9", "Malignant melanoma of skin", 0.52, 58),
    "haematological": (0.12, "C83.3", "Diffuse large B-cell lymphoma", 0.45, 62),
    "head-and-neck": (0.08, "C32.9", "Malignant neoplasm of larynx", 0.28, 63),
}
STAGE_WEIGHTS = {
    "breast": {"I": 0.42, "II": 0.36, "III": 0.15, "IV": 0.07},
    "colorectal": {"I": 0.2, "II": 0.3, "III": 0.35, "IV": 0.15},
    "prostate": {"I": 0.35, "II": 0.35, "III": 0.2, "IV": 0.1},
    "lung": {"I": 0.3, "II": 0.2, "III": 0.3, "IV": 0.2},
    "melanoma": {"I": 0.5, "II": 0.25, "III": 0.18, "IV": 0.07},
    "haematological": {"I": 0.2, "II": 0.3, "III": 0.25, "IV": 0.25},
    "head-and-neck": {"I": 0.2, "II": 0.2, "III": 0.3, "IV": 0.3},
}

# Drug (ATC code, display); regimens per cancer: (treatment kind, probability, drugs, months)
DRUGS = {
    "doxorubicin": "L01DB01",
    "cyclophosphamide": "L01AA01",
    "paclitaxel": "L01CD01",
    "docetaxel": "L01CD02",
    "tamoxifen": "L02BA01",
    "letrozole": "L02BG04",
    "anastrozole": "L02BG03",
    "trastuzumab": "L01FD01",
    "oxaliplatin": "L01XA03",
    "fluorouracil": "L01BC02",
    "capecitabine": "L01BC06",
    "leuprorelin": "L02AE02",
    "enzalutamide": "L02BB04",
    "cisplatin": "L01XA01",
    "carboplatin": "L01XA02",
    "pemetrexed": "L01BA04",
    "pembrolizumab": "L01FF02",
    "nivolumab": "L01FF01",
    "ipilimumab": "L01FX04",
    "osimertinib": "L01EB04",
    "dabrafenib": "L01EC02",
    "trametinib": "L01EE01",
    "rituximab": "L01FA01",
    "vincristine": "L01CA02",
    "prednisolone": "H02AB06",
    "cetuximab": "L01FE01",
}
REGIMENS = {
    "breast": [
        ("chemotherapy", 0.45, ("doxorubicin", "cyclophosphamide", "paclitaxel"), 5),
        ("targeted", 0.15, ("trastuzumab",), 12),
        ("hormone", 0.4, ("tamoxifen",), 60),
        ("hormone", 0.35, ("letrozole",), 60),
    ],
    "colorectal": [
        ("chemotherapy", 0.5, ("oxaliplatin", "fluorouracil"), 6),
        ("chemotherapy", 0.1, ("capecitabine",), 6),
    ],
    "prostate": [("hormone", 0.4, ("leuprorelin",), 24), ("hormone", 0.1, ("enzalutamide",), 24)],
    "lung": [
        ("chemotherapy", 0.6, ("carboplatin", "pemetrexed"), 4),
        ("immunotherapy", 0.4, ("pembrolizumab",), 24),
        ("targeted", 0.1, ("osimertinib",), 36),
    ],
    "melanoma": [
        ("immunotherapy", 0.3, ("nivolumab",), 12),
        ("immunotherapy", 0.1, ("ipilimumab", "nivolumab"), 4),
        ("targeted", 0.1, ("dabrafenib", "trametinib"), 12),
    ],
    "haematological": [
        (
            "chemotherapy",
            0.85,
            ("rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisolone"),
            5,
        )
    ],
    "head-and-neck": [
        ("chemotherapy", 0.55, ("cisplatin",), 2),
        ("targeted", 0.08, ("cetuximab",), 3),
    ],
}
# cancer: (procedure code, display, probability); radiotherapy probability
SURGERY = {
    "breast": [
        ("breast-conserving-surgery", "Breast-conserving surgery", 0.62),
        ("mastectomy", "Mastectomy", 0.35),
    ],
    "colorectal": [("colectomy", "Colectomy", 0.9)],
    "prostate": [("radical-prostatectomy", "Radical prostatectomy", 0.45)],
    "lung": [("lobectomy", "Lobectomy of lung", 0.35)],
    "melanoma": [("wide-local-excision", "Wide local excision of skin lesion", 0.95)],
    "haematological": [
        ("autologous-stem-cell-transplant", "Autologous stem cell transplant", 0.12)
    ],
    "head-and-neck": [
        ("laryngectomy", "Partial laryngectomy", 0.3),
        ("neck-dissection", "Neck dissection", 0.25),
    ],
}
RADIOTHERAPY = {
    "breast": 0.7,
    "colorectal": 0.15,
    "prostate": 0.4,
    "lung": 0.45,
    "melanoma": 0.05,
    "haematological": 0.15,
    "head-and-neck": 0.85,
}
# (ICD-10, display, prevalence)
COMORBIDITIES = (
    ("I10", "Essential (primary) hypertension", 0.33),
    ("E11.9", "Type 2 diabetes mellitus", 0.12),
    ("J44.9", "Chronic obstructive pulmonary disease", 0.07),
    ("I25.9", "Chronic ischaemic heart disease", 0.07),
    ("E78.0", "Pure hypercholesterolaemia", 0.2),
    ("M81.0", "Postmenopausal osteoporosis", 0.05),
    ("N18.3", "Chronic kidney disease, stage 3", 0.05),
    ("E66.9", "Obesity", 0.15),
    ("F33.9", "Recurrent depressive disorder", 0.07),
)
# (code system, code, display, category, prevalence)
ATC = "http://www.whocc.no/atc"
LOCAL_ALLERGEN = "http://survivorship-platform.org/fhir/CodeSystem/allergen"
ALLERGIES = (
    (ATC, "J01C", "Penicillins", "medication", 0.09),
    (ATC, "J01E", "Sulfonamides and trimethoprim", "medication", 0.03),
    (ATC, "M01A", "Non-steroidal anti-inflammatory drugs", "medication", 0.03),
    (ATC, "V08A", "Iodinated X-ray contrast media", "medication", 0.02),
    (LOCAL_ALLERGEN, "latex", "Natural rubber latex", "environment", 0.02),
    (LOCAL_ALLERGEN, "peanut", "Peanut", "food", 0.02),
    (LOCAL_ALLERGEN, "grass-pollen", "Grass pollen", "environment", 0.07),
)
