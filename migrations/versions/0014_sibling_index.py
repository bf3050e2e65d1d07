"""sibling index: the contacts' addresses and e-mails folded as the TSM pack's sibling match
folds them (``lower(trim(...))``, ``store.pack.contacts_sharing``), indexed so the match looks
them up instead of folding all 75,000 contacts of the bench LA per pack (~35 ms -> ~3 ms on
SQLite; on PostgreSQL it was the biggest server cost of ``att tsm prepare``).

Expression indexes are not declared in ``db.models`` (SQLite cannot reflect them): the drift
comparison skips them by name (``db.migrate.EXPRESSION_INDEXES``).

Revision ID: 0014_sibling_index
Revises: 0013_benchmark_cache
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_sibling_index"
down_revision = "0013_benchmark_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_address_folded", "contact", [sa.text("lower(trim(address))")])
    op.create_index("ix_contact_email_folded", "contact", [sa.text("lower(trim(email))")])


def downgrade() -> None:
    op.drop_index("ix_contact_email_folded", table_name="contact")
    op.drop_index("ix_contact_address_folded", table_name="contact")
