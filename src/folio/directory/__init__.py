"""A team's user directory: LDAP sync and login, and SCIM 2.0 provisioning (issue 22)."""
