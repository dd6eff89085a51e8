"""Synthetic Indian sale deeds: the facts (ground truth) and a realistic PDF rendering.

Names, numbers and addresses are invented; Aadhaar numbers pass the Verhoeff check and PANs
follow the official pattern, as real ones do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

DEEDS: list[dict[str, Any]] = [
    {
        "document_id": "JNR-1-04512-2023-24",
        "transaction_date": "2024-01-15",
        "date_text": "15th January 2024",
        "registration_office": "Sub-Registrar Office, Jayanagar, Bengaluru",
        "property": {
            "schedule_b_area": 1200.0,
            "schedule_c_area": 1150.0,
            "schedule_c_address": "Flat No. 302, Lake View Residency, 4th Cross, JP Nagar",
            "pincode": "560078",
            "state": "Karnataka",
            "sale_consideration": 5000000.0,
            "stamp_duty": 250000.0,
            "registration_fee": 50000.0,
            "guidance_value": 4800000.0,
            "cash_payment": False,
        },
        "sellers": [
            {
                "title": "Mr.",
                "name": "Suresh Sharma",
                "relation": "S/o Late Ramesh Sharma",
                "gender": "Male",
                "aadhaar": "2345 6789 0124",
                "pan": "ABCPS1234K",
                "address": "No. 789, Residency Road, Bengaluru",
                "pincode": "560025",
                "state": "Karnataka",
                "phones": ["9876543220", "9876543221"],
                "email": "suresh.sharma@example.com",
                "property_share": "60%",
            },
            {
                "title": "Smt.",
                "name": "Lakshmi Sharma",
                "relation": "W/o Suresh Sharma",
                "gender": "Female",
                "aadhaar": "9876 5432 1096",
                "pan": "BCDPL5678M",
                "address": "No. 789, Residency Road, Bengaluru",
                "pincode": "560025",
                "state": "Karnataka",
                "phones": ["9845012345"],
                "email": "lakshmi.s@example.com",
                "property_share": "40%",
            },
        ],
        "buyers": [
            {
                "title": "Mr.",
                "name": "Rajesh Kumar",
                "relation": "S/o Mohan Kumar",
                "gender": "Male",
                "aadhaar": "4567 8901 2341",
                "pan": "CDEPK9012N",
                "address": "456, Brigade Road, Bengaluru",
                "pincode": "560001",
                "state": "Karnataka",
                "phones": ["9876543210"],
                "email": "rajesh@example.com",
            },
        ],
    },
    {
        "document_id": "HYD-3-00981-2022-23",
        "transaction_date": "2023-03-07",
        "date_text": "07/03/2023",
        "registration_office": "Sub-Registrar Office, Kukatpally, Hyderabad",
        "property": {
            "schedule_b_area": 2400.0,
            "schedule_c_area": 1800.0,
            "schedule_c_address": "Plot No. 17, Survey No. 112, Vivekananda Nagar, Kukatpally",
            "pincode": "500072",
            "state": "Telangana",
            "sale_consideration": 7250000.0,
            "stamp_duty": 398750.0,
            "registration_fee": 36250.0,
            "guidance_value": 6900000.0,
            "cash_payment": True,
        },
        "sellers": [
            {
                "title": "Ms.",
                "name": "Anitha Reddy",
                "relation": "D/o K. Venkat Reddy",
                "gender": "Female",
                "aadhaar": "5678 1234 5678",
                "pan": "DEFPR3456Q",
                "address": "12-5-34, Road No. 3, Banjara Hills, Hyderabad",
                "pincode": "500034",
                "state": "Telangana",
                "phones": ["+91 98490 11223"],
                "email": "anitha.reddy@example.org",
                "property_share": "100%",
            },
        ],
        "buyers": [
            {
                "title": "Mr.",
                "name": "Imran Khan",
                "relation": "S/o Salim Khan",
                "gender": "Male",
                "aadhaar": "2345 6789 0124",
                "pan": "EFGPK7890R",
                "address": "Flat 5B, Green Towers, Madhapur, Hyderabad",
                "pincode": "500081",
                "state": "Telangana",
                "phones": ["9000012345", "9000054321"],
                "email": "imran.khan@example.net",
            },
            {
                "title": "Mrs.",
                "name": "Sana Khan",
                "relation": "W/o Imran Khan",
                "gender": "Female",
                "aadhaar": "9876 5432 1096",
                "pan": "FGHPK1234S",
                "address": "Flat 5B, Green Towers, Madhapur, Hyderabad",
                "pincode": "500081",
                "state": "Telangana",
                "phones": ["9000067890"],
                "email": "sana.khan@example.net",
            },
        ],
    },
]


def _rupees(amount: float) -> str:
    whole = f"{int(amount)}"
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return f"Rs. {','.join([*groups, tail])}/-" if groups else f"Rs. {tail}/-"


def _party_lines(kind: str, index: int, p: dict[str, Any], share: bool) -> list[str]:
    lines = [
        f"{kind} {index}: {p['title']} {p['name']}, {p['relation']}, aged about 45 years",
        f"Gender: {p['gender']}",
        f"Aadhaar No: {p['aadhaar']}        PAN: {p['pan']}",
        f"Address: {p['address']}, {p['state']} - {p['pincode']}",
        f"Phone: {', '.join(p['phones'])}",
        f"Email: {p['email']}",
    ]
    if share:
        lines.append(f"Share in the property: {p['property_share']}")
    return [*lines, ""]


def deed_lines(deed: dict[str, Any]) -> list[str]:
    prop = deed["property"]
    lines = [
        "SALE DEED",
        "",
        f"Document No: {deed['document_id']}",
        f"Date of Execution: {deed['date_text']}",
        f"Registration Office: {deed['registration_office']}",
        "",
        "This Deed of Absolute Sale is made and executed by the Sellers in favour of the",
        "Buyers named below, for the consideration and on the terms set out herein.",
        "",
        "SELLERS",
    ]
    for i, seller in enumerate(deed["sellers"], 1):
        lines += _party_lines("SELLER", i, seller, share=True)
    lines.append("BUYERS")
    for i, buyer in enumerate(deed["buyers"], 1):
        lines += _party_lines("BUYER", i, buyer, share=False)
    lines += [
        "PROPERTY DETAILS",
        f"Schedule 'B' Property: undivided share of land measuring {prop['schedule_b_area']:,.0f}"
        " sq. ft",
        f"Schedule 'C' Property: built-up area of {prop['schedule_c_area']:,.0f} sq. ft",
        f"Schedule C Address: {prop['schedule_c_address']}",
        f"Pincode: {prop['pincode']}",
        f"State: {prop['state']}",
        f"Sale Consideration: {_rupees(prop['sale_consideration'])}",
        f"Stamp Duty: {_rupees(prop['stamp_duty'])}",
        f"Registration Fee: {_rupees(prop['registration_fee'])}",
        f"Guidance Value: {_rupees(prop['guidance_value'])}",
        f"Paid in Cash: {'Yes' if prop['cash_payment'] else 'No'}",
        "",
        "IN WITNESS WHEREOF the parties have signed this deed on the day first written above.",
        "Witnesses: 1. Manjunath B.  2. Farida Begum",
    ]
    return lines


def render_deed_pdf(deed: dict[str, Any], path: Path) -> Path:
    canvas = Canvas(str(path), pagesize=A4)
    _, height = A4
    y = height - 60
    for line in deed_lines(deed):
        if y < 60:
            canvas.showPage()
            y = height - 60
        canvas.setFont("Helvetica-Bold" if line.isupper() else "Helvetica", 10)
        canvas.drawString(60, y, line)
        y -= 15
    canvas.save()
    return path
