"""participante_palabra.centro_id: each name word carries its person's centre, so a centre's name
search ranges over its own people's words (index centro_id, palabra, participante_id)

Revision ID: c4f2e1a3b5d6
Revises: b3e1d0f2a4c5
Create Date: 2026-11-28 17:49:27.378021

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f2e1a3b5d6'
down_revision = 'b3e1d0f2a4c5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('participante_palabra', sa.Column('centro_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('UPDATE participante_palabra AS w SET centro_id = p.centro_id '
                   'FROM participante AS p WHERE p.id = w.participante_id')
    else:
        op.execute('UPDATE participante_palabra SET centro_id = (SELECT p.centro_id FROM participante '
                   'AS p WHERE p.id = participante_palabra.participante_id)')
    with op.batch_alter_table('participante_palabra', schema=None) as batch_op:
        batch_op.alter_column('centro_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_participante_palabra_centro', ['centro_id', 'palabra', 'participante_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('participante_palabra', schema=None) as batch_op:
        batch_op.drop_index('ix_participante_palabra_centro')
        batch_op.drop_column('centro_id')
