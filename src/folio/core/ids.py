"""Opaque, prefixed, sortable identifiers: ``doc_01J…`` (prefix + ULID)."""

from __future__ import annotations

from enum import StrEnum

from ulid import ULID


class IdPrefix(StrEnum):
    document = "doc"
    batch = "bat"
    job = "job"
    team = "team"
    user = "usr"
    key = "key"
    webhook = "whk"
    event = "evt"
    request = "req"
    member = "mem"
    session = "ses"
    role = "rol"
    assignment = "asg"
    invitation = "inv"
    connection = "conn"
    delivery = "dlv"
    notification = "ntf"
    share = "shr"
    project = "prj"
    crawl_job = "crj"
    crawl_chunk = "chk"
    image = "img"
    dataset = "dst"
    credit_transaction = "crt"
    label = "lbl"
    classifier = "clf"
    security_event = "sev"
    security_scan = "scn"
    redaction = "red"
    recommendation = "rec"
    action = "act"
    template = "tpl"
    extraction = "ext"
    ticket = "tkt"
    report = "rpt"
    report_schedule = "rsc"
    retention_policy = "rtp"
    legal_hold = "hld"
    purge = "prg"
    erasure = "era"
    workflow = "wfl"
    workflow_instance = "wfi"
    workflow_task = "wtk"
    workflow_entry = "wfe"
    ldap_directory = "ldp"
    directory_account = "dra"
    directory_sync = "dsr"
    scim_token = "sct"
    identity_provider = "idp"
    sso_flow = "ssf"
    sso_identity = "ssi"
    tag = "tag"
    custom_field = "cfd"
    automation = "aut"
    automation_run = "arn"
    extraction_correction = "exc"


def new_id(prefix: IdPrefix) -> str:
    return f"{prefix}_{str(ULID()).lower()}"


def has_prefix(value: str, prefix: IdPrefix) -> bool:
    head, sep, tail = value.partition("_")
    return sep == "_" and head == prefix and len(tail) == 26 and tail.isalnum()
