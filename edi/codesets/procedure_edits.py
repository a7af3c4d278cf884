"""Procedure-code data the payer edits read: small, documented lists, each with its source.

CPT descriptors are licensed by the AMA; what is kept here is the few words payers edit
on (the age phrase of a preventive visit), not the descriptors themselves.
"""

from __future__ import annotations

import re
from functools import cache

PREVENTIVE_VISIT_AGES = {
    "99381": "infant (age younger than 1 year)",
    "99382": "early childhood (age 1 through 4 years)",
    "99383": "late childhood (age 5 through 11 years)",
    "99384": "adolescent (age 12 through 17 years)",
    "99385": "18-39 years",
    "99386": "40-64 years",
    "99387": "65 years and older",
    "99391": "infant (age younger than 1 year)",
    "99392": "early childhood (age 1 through 4 years)",
    "99393": "late childhood (age 5 through 11 years)",
    "99394": "adolescent (age 12 through 17 years)",
    "99395": "18-39 years",
    "99396": "40-64 years",
    "99397": "65 years and older",
}
"""The age phrase of each preventive-medicine visit's CPT descriptor (new 99381-99387,
established 99391-99397); :func:`age_range` reads the ages from the words."""

_YOUNGER = re.compile(r"younger than (\d+) year")
_THROUGH = re.compile(r"(\d+) through (\d+) year")
_DASH = re.compile(r"(\d+)-(\d+) year")
_OLDER = re.compile(r"(\d+) years and older")


@cache
def age_range(code: str) -> tuple[int, int] | None:
    """Inclusive ages in whole years the code's descriptor allows, or None."""
    phrase = PREVENTIVE_VISIT_AGES.get(code)
    if phrase is None:
        return None
    if m := _YOUNGER.search(phrase):
        return 0, int(m.group(1)) - 1
    if m := _THROUGH.search(phrase) or _DASH.search(phrase):
        return int(m.group(1)), int(m.group(2))
    if m := _OLDER.search(phrase):
        return int(m.group(1)), 200
    raise ValueError(f"cannot read the ages of {code}: {phrase!r}")


def is_laboratory(code: str) -> bool:
    """CPT pathology and laboratory (80047-89398): payers need the lab's CLIA number."""
    return code.isdigit() and "80047" <= code <= "89398"


WAIVED_NEEDING_QW = frozenset(
    {"82044", "82120", "82465", "82947", "82950", "82951", "82985", "83036", "83718",
     "84443", "84478", "85014", "85018", "85576", "85610", "86294", "86308", "86318",
     "86618", "86701", "86803", "87077", "87210", "87389", "87426", "87502", "87631",
     "87634", "87635", "87636", "87637", "87651", "87804", "87807", "87808", "87809",
     "87811", "87880", "87899"}
)  # fmt: skip
"""CLIA-waived tests that Medicare and most payers want with modifier QW (CMS CLIA waived
tests list).  Waived tests CMS exempts from QW (81002, 81025, 82270, 82272, 82962, 83026,
84830, 85013, 85651) are deliberately absent."""

UNLISTED_CPT = frozenset(
    {"15999", "17999", "19499", "20999", "21299", "21499", "21899", "22899", "22999",
     "23929", "24999", "25999", "26989", "27299", "27599", "27899", "28899", "29799",
     "29999", "30999", "31299", "31599", "31899", "32999", "33999", "36299", "37799",
     "38999", "39599", "40799", "40899", "41599", "41899", "42299", "42699", "42999",
     "43499", "43999", "44799", "44899", "45399", "45999", "46999", "47399", "47999",
     "48999", "49999", "51999", "53899", "54699", "55899", "58999", "59899", "60699",
     "64999", "66999", "67299", "67399", "67599", "67999", "68399", "68899", "69399",
     "69799", "69979", "76496", "76497", "76498", "76499", "76999", "77299", "77399",
     "77499", "77799", "78099", "78199", "78299", "78399", "78499", "78599", "78699",
     "78799", "78999", "79999", "81099", "81479", "81599", "84999", "85999", "86849",
     "86999", "87999", "88099", "88199", "88299", "88399", "88749", "89398", "90399",
     "90749", "90899", "91299", "92499", "93799", "93998", "94799", "95199", "95999",
     "96379", "96549", "96999", "97039", "97139", "97799", "99199", "99429", "99499",
     "99600"}
)  # fmt: skip
"""Unlisted-procedure CPT codes ("Unlisted … procedure"): a payer prices them by hand
from the description (SV101-7) and the record."""

NOT_OTHERWISE_CLASSIFIED = frozenset(
    {"A4649", "A9999", "C9399", "E1399", "J3490", "J3590", "J7599", "J7699", "J7799",
     "J8499", "J8999", "J9999", "L2999", "L3999", "L8699", "Q4100", "S9999", "T5999"}
)  # fmt: skip
"""HCPCS Level II NOC codes ("not otherwise classified"): the 837P requires SV101-7
describing the item."""


def needs_description(code: str) -> bool:
    return code in UNLISTED_CPT or code in NOT_OTHERWISE_CLASSIFIED


VACCINE_ADMINISTRATION = frozenset({"90471", "90472"})
MEDICARE_VACCINE_ADMIN = (
    (
        frozenset({"90630", "90653", "90654", "90655", "90656", "90657", "90658", "90660",
                   "90661", "90662", "90664", "90666", "90667", "90668", "90672", "90673",
                   "90674", "90682", "90685", "90686", "90687", "90688", "90689", "90694",
                   "90756", "Q2035", "Q2036", "Q2037", "Q2038", "Q2039"}),
        "influenza",
        "G0008",
    ),
    (frozenset({"90670", "90671", "90677", "90684", "90732"}), "pneumococcal", "G0009"),
    (
        frozenset({"90739", "90740", "90743", "90744", "90746", "90747", "90759"}),
        "hepatitis B",
        "G0010",
    ),
)  # fmt: skip
"""Medicare Part B pays the administration of these vaccines with G0008 (influenza),
G0009 (pneumococcal) and G0010 (hepatitis B), not 90471/90472 (CMS Medicare Claims
Processing Manual, chapter 18, section 10)."""


def medicare_vaccine(code: str) -> tuple[str, str] | None:
    """(vaccine kind, administration code Medicare pays) for a vaccine product code."""
    for codes, kind, admin in MEDICARE_VACCINE_ADMIN:
        if code in codes:
            return kind, admin
    return None


TELEHEALTH_PLACES = frozenset({"02", "10"})
"""02 telehealth other than in the patient's home, 10 telehealth in the patient's home."""
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "FQ", "FR", "GQ"})
"""Modifiers that say how a remote service was delivered (95 synchronous audio-video, 93
and FQ audio-only, FR supervising practitioner present through audio-video, GQ
asynchronous, the Alaska and Hawaii demonstrations)."""


def is_telehealth_service(code: str) -> bool:
    """Services payers expect with a telehealth modifier when delivered remotely: E/M
    visits and psychiatric/psychotherapy services."""
    return code.isdigit() and ("99202" <= code <= "99499" or "90785" <= code <= "90899")
