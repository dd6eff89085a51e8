"""Every built-in type's cues on a short hand-written sample of that kind of document.

The corpus has no contracts, resumes, statements, payslips, tax forms, medical records,
letters, deeds, purchase orders or reports: these minimal samples only check that each type's
cues work and do not collide; accuracy is measured on real documents in test_classify.py.
"""

from __future__ import annotations

import pytest

from folio.pipeline.intelligence import DocumentType, classify

SAMPLES = {
    "contract": (
        "SERVICE AGREEMENT\n"
        'This Agreement is made between Acme Ltd (the "Provider") and Beta LLC (the '
        '"Client"), hereinafter the Parties. WHEREAS the Client wishes to engage the '
        "Provider, the Parties agree as follows. 1. Term. This Agreement shall "
        "commence on the Effective Date. 2. Termination. Either party may terminate. "
        "3. Governing Law. This Agreement is governed by the laws of England. IN "
        "WITNESS WHEREOF the parties have signed."
    ),
    "resume": (
        "JANE DOE\nSoftware Engineer\njane@example.com | +1 415 555 2671\n"
        "PROFESSIONAL SUMMARY\nEngineer with 8 years of experience.\nWORK EXPERIENCE\n"
        "Senior Engineer, Acme Corp, 2019-2024\nEDUCATION\nB.Sc. Computer Science, MIT\n"
        "SKILLS\nPython, Go, SQL"
    ),
    "bank_statement": (
        "First National Bank\nAccount Statement\n"
        "Statement period: 01/03/2024 - 31/03/2024\n"
        "Account number: 12345678 Sort code 12-34-56\nOpening balance 1,200.00\n"
        "Date Description Withdrawals Deposits Balance\n02/03 Salary 3,000.00 4,200.00\n"
        "05/03 Rent 1,500.00 2,700.00\nClosing balance 2,700.00"
    ),
    "payslip": (
        "ACME LTD PAYSLIP\nEmployee: John Smith Employee ID: 4411\n"
        "Pay period: March 2024 Pay date: 31/03/2024\nGross pay 4,000.00\n"
        "Deductions: Income tax 800.00 National Insurance 300.00\nNet pay 2,900.00\n"
        "YTD gross 12,000.00"
    ),
    "tax_form": (
        "Form W-2 Wage and Tax Statement 2023\n"
        "Department of the Treasury - Internal Revenue Service\n"
        "Employee's social security number\n1 Wages, tips, other compensation 55000.00\n"
        "2 Federal income tax withheld 6000.00\nEmployer identification number (EIN)"
    ),
    "id_document": (
        "DRIVER LICENSE\nCALIFORNIA\nDL 12345678\nEXP 08/31/2027\nLN DOE FN JANE\n"
        "DOB 08/31/1990\nSEX F HGT 5-06 EYES BRN\nCLASS C"
    ),
    "medical_record": (
        "Patient Name: John Smith MRN: 000123\nDate of visit: 12/03/2024\n"
        "Chief complaint: chest pain\nDiagnosis: hypertension\n"
        "Medications: lisinopril 10 mg\nAllergies: penicillin\n"
        "Physician: Dr. Alice Brown, City Hospital"
    ),
    "letter": (
        "12 March 2024\nDear Mr. Smith,\n"
        "Thank you for your letter of 1 March. We are pleased to confirm your "
        "appointment.\nPlease let us know if you have any questions.\nYours sincerely,\n"
        "Alice Brown\nHR Manager"
    ),
    "sale_deed": (
        "SALE DEED\n"
        "This Deed of Sale is executed on this 5th day of May 2023 by Mr. Ramesh "
        "Kumar (hereinafter called the VENDOR) in favour of Mrs. Sita Devi "
        "(hereinafter called the PURCHASER). SCHEDULE OF PROPERTY: Survey No. 123/4, "
        "village Kothur. Stamp duty paid. Registered at the office of the Sub-Registrar."
    ),
    "purchase_order": (
        "PURCHASE ORDER\nPO Number: PO-2024-0042\nVendor: Widget Supplies Inc.\n"
        "Ship to: Acme Corp, 1 Main St\nDelivery date: 15/04/2024\n"
        "Item Qty Unit price Total\nWidgets 100 2.50 250.00\nAuthorized by: J. Smith"
    ),
    "utility_bill": (
        "CITY POWER & LIGHT\nElectricity bill\nAccount number 99887766\n"
        "Service address: 10 Elm St\nBilling period: 01/02/2024 - 29/02/2024\n"
        "Meter reading previous 12000 current 12450\nUsage 450 kWh\n"
        "Amount due $85.20 Due date 20/03/2024"
    ),
    "report": (
        "Annual Report 2023\nExecutive Summary\n"
        "This report presents the findings of our review.\n1. Introduction\n"
        "2. Methodology\n3. Findings\nTable 1 shows revenue by region.\n"
        "4. Conclusions and Recommendations"
    ),
    "receipt": (
        "STARBUCKS\nStore #1234\n12/03/2024 08:15 AM\nCashier: Amy\n1 Latte 4.50\n"
        "1 Muffin 3.25\nSubtotal 7.75\nTax 0.62\nTotal 8.37\nVISA **** 1234\n"
        "Thank you! Please come again"
    ),
    "invoice": (
        "INVOICE\nInvoice number: INV-1001\nInvoice date: 01/03/2024 Due date: 31/03/2024\n"
        "Bill to: Beta LLC, 5 High St\nDescription Qty Unit price Amount\n"
        "Consulting 10 100.00 1,000.00\nSubtotal 1,000.00 VAT 20% 200.00 Total 1,200.00\n"
        "Payment terms: Net 30"
    ),
    "form": (
        "APPLICATION FOR EMPLOYMENT\nPlease print clearly and complete all sections.\n"
        "Applicant name: ______________\nAddress: ______________\n"
        "Have you worked here before? [ ] Yes [ ] No\n"
        "Signature of applicant: ________ Date: ______\nFOR OFFICE USE ONLY"
    ),
}


def test_samples_cover_every_type() -> None:
    assert set(SAMPLES) == {t.value for t in DocumentType} - {"other"}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_sample_is_classified(kind: str) -> None:
    result = classify(SAMPLES[kind])
    assert result.document_type == kind
    assert result.confidence > 0.5
