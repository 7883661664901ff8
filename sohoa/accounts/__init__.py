"""Accounts and the access log: who may use the archive, and what each of them did.

``users`` keeps local accounts (Argon2id password hashes, a role, the agencies a user is
limited to, the personal-data permission, sign-in throttling); ``audit`` keeps the
append-only, hash-chained log of sign-ins, reads and changes. Both live in the home
folder and are used by the entry points (the CLI, the web application).
"""
