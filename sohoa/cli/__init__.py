"""The ``sohoa`` command: the group (``base``) and its commands by area (``archive``,
``records``, ``users``, ``register``, ``auditing``), each a thin face over the
application layer. Messages are Vietnamese by default, English with ``SOHOA_LANG=en``.
Errors become exit codes in ``base`` and nowhere else."""

from sohoa.cli import archive, auditing, records, register, users  # noqa: F401  (they add their commands)
from sohoa.cli.base import main

__all__ = ["main"]
