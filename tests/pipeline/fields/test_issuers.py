"""The invoice issuer named by its own web address, on plain-text invoices (monospace boxes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio.pipeline import process_file
from folio.pipeline.fields import apply_template, get_template
from folio.pipeline.fields.issuers import domain_key


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("www.acme-tools.com", "acmetools"),
        ("shop.acme-tools.co.uk", "acmetools"),
        ("billing.northwind.de", "northwind"),
        ("gmail.com", None),
        ("abc.com", None),
        ("www.shop.com", None),
    ],
)
def test_domain_key(host: str, key: str | None) -> None:
    assert domain_key(host) == key


def _issuer(tmp_path: Path, text: str) -> str | None:
    path = tmp_path / "invoice.txt"
    path.write_text(text)
    value = apply_template(process_file(path), get_template("invoice")).values()["issuer"]
    return value if isinstance(value, str) else None


def test_the_brand_its_website_spells_beats_the_top_line(tmp_path: Path) -> None:
    text = """Harbour Supplies
Invoice No: 2024-118                                   Date: 03/02/2024
Sold by: Quayside Retail Services Ltd.
Items                                                  Amount
Rope 20 m                                              42.00
Total                                                  42.00
Thank you for shopping at Harbourline. Visit www.harbourline.com for returns.
"""
    assert _issuer(tmp_path, text) == "Harbourline"


def test_a_legal_name_that_spells_the_domain_keeps_its_words(tmp_path: Path) -> None:
    text = """Invoice No: 77120                                      Date: 03/02/2024
Questions? billing@northwind.com
Total                                                  12.50
Services are provided by Northwind Trading Company Ltd.
"""
    assert _issuer(tmp_path, text) == "Northwind Trading Company Ltd."


def test_the_customer_s_address_and_web_mail_name_nobody(tmp_path: Path) -> None:
    text = """Kestrel Audio GmbH
Invoice No: 5511                                       Date: 03/02/2024
Bill to:
Jane Porter, jane@porterfarm.net
Porterfarm
Contact: kestrel.sales@gmail.com
Total                                                  99.00
"""
    assert _issuer(tmp_path, text) == "Kestrel Audio GmbH"


def test_a_producer_credit_names_nobody(tmp_path: Path) -> None:
    text = """Lindqvist Bakery AB
Invoice No: 90210                                      Date: 03/02/2024
Total                                                  18.00
Powered by Invoicely (www.invoicely.com)
Invoicely
"""
    assert _issuer(tmp_path, text) == "Lindqvist Bakery AB"


def test_the_legal_name_printed_beside_the_domain_beats_the_brand(tmp_path: Path) -> None:
    """A footer names the company that sells under the brand the domain spells."""
    text = """Brandly
Invoice No: 4410                                       Date: 03/02/2024
Total                                                  12.50
Questions? sales@brandly.com
Quayside Trading B.V. on behalf of Brandly.com, Havenweg 4, Gorredijk
"""
    assert _issuer(tmp_path, text) == "Quayside Trading B.V."
