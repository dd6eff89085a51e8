"""SCIM 2.0 provisioning (RFC 7643/7644) of a team's users and role groups (issue 22)."""
