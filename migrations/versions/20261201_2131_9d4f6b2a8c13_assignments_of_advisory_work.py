"""assignments of advisory work

Revision ID: 9d4f6b2a8c13
Revises: 7a3e5c1d2b40
Create Date: 2026-12-01 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9d4f6b2a8c13'
down_revision = '7a3e5c1d2b40'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
