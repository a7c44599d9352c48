"""relations between documents and suggested relations

Revision ID: 7a3e5c1d2b40
Revises: 3c956b59cf94
Create Date: 2026-12-01 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7a3e5c1d2b40'
down_revision = '3c956b59cf94'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
