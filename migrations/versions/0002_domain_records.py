"""domain records: jurisdictions, agencies, inspectors, enterprises, plans, inspections, codes,
notices, quiet-period overrides, penalties and revisits, complaints, ratings, policy decisions

Revision ID: 0002_domain_records
Revises: 0001_engine_core
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0002_domain_records'
down_revision = '0001_engine_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jurisdiction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['jurisdiction.id'], name=op.f('fk_jurisdiction_parent_id_jurisdiction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jurisdiction')),
    sa.UniqueConstraint('code', name=op.f('uq_jurisdiction_code'))
    )
    with op.batch_alter_table('jurisdiction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jurisdiction_parent_id'), ['parent_id'], unique=False)

    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_enforcement_body', sa.Boolean(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('confirmation_basis', sa.Text(), nullable=True),
    sa.Column('special_inspection_quota', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdiction.id'], name=op.f('fk_agency_jurisdiction_id_jurisdiction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
    sa.UniqueConstraint('code', name=op.f('uq_agency_code'))
    )
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('sector_tags', sa.JSON(), nullable=False),
    sa.Column('legal_representative', sa.String(length=120), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdiction.id'], name=op.f('fk_enterprise_jurisdiction_id_jurisdiction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_enterprise_credit_code'))
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('enterprise_credit_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('credit_class', sa.String(length=1), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('recorded_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("credit_class IN ('A', 'B', 'C', 'D')", name=op.f('ck_enterprise_credit_class_credit_class')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_credit_class_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_credit_class')),
    sa.UniqueConstraint('enterprise_id', 'year', name=op.f('uq_enterprise_credit_class_enterprise_id_year'))
    )
    op.create_table('inspection_item_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_inspection_item_list_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_item_list')),
    sa.UniqueConstraint('agency_id', 'version', name=op.f('uq_inspection_item_list_agency_id_version'))
    )
    op.create_table('inspection_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('legal_review_by', sa.String(length=120), nullable=True),
    sa.Column('legal_review_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('collective_discussion_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('collective_discussion_record', sa.Text(), nullable=True),
    sa.Column('approving_body', sa.String(length=200), nullable=True),
    sa.Column('approved_by', sa.String(length=120), nullable=True),
    sa.Column('approved_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('filed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('filed_with', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_inspection_plan_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_plan'))
    )
    with op.batch_alter_table('inspection_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_plan_agency_id'), ['agency_id'], unique=False)

    op.create_table('inspector',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('certificate_number', sa.String(length=40), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_inspector_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspector')),
    sa.UniqueConstraint('certificate_number', name=op.f('uq_inspector_certificate_number'))
    )
    with op.batch_alter_table('inspector', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspector_agency_id'), ['agency_id'], unique=False)

    op.create_table('joint_inspection_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('lead_agency_id', sa.Integer(), nullable=True),
    sa.Column('coordinator', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('actual_start', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('actual_end', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('merged_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_joint_inspection_group_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdiction.id'], name=op.f('fk_joint_inspection_group_jurisdiction_id_jurisdiction')),
    sa.ForeignKeyConstraint(['lead_agency_id'], ['agency.id'], name=op.f('fk_joint_inspection_group_lead_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_inspection_group'))
    )
    with op.batch_alter_table('joint_inspection_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_inspection_group_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_joint_inspection_group_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=10), nullable=False),
    sa.Column('trigger_reason', sa.String(length=30), nullable=True),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('joint_group_id', sa.Integer(), nullable=True),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('actual_start', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('actual_end', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('approved_by', sa.String(length=120), nullable=True),
    sa.Column('approved_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retroactive', sa.Boolean(), nullable=False),
    sa.Column('urgent_reason', sa.String(length=30), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('process_instance_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_inspection_agency_id_agency')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_inspection_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['joint_group_id'], ['joint_inspection_group.id'], name=op.f('fk_inspection_joint_group_id_joint_inspection_group')),
    sa.ForeignKeyConstraint(['plan_id'], ['inspection_plan.id'], name=op.f('fk_inspection_plan_id_inspection_plan')),
    sa.ForeignKeyConstraint(['process_instance_id'], ['process_instance.id'], name=op.f('fk_inspection_process_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_joint_group_id'), ['joint_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_process_instance_id'), ['process_instance_id'], unique=False)

    op.create_table('inspection_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_list_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('standard', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_list_id'], ['inspection_item_list.id'], name=op.f('fk_inspection_item_item_list_id_inspection_item_list')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_item')),
    sa.UniqueConstraint('item_list_id', 'code', name=op.f('uq_inspection_item_item_list_id_code'))
    )
    op.create_table('behavior_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('joint_group_id', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=120), nullable=False),
    sa.Column('issued_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_from', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_to', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retroactive', sa.Boolean(), nullable=False),
    sa.Column('issued_late', sa.Boolean(), nullable=False),
    sa.Column('retroactive_deadline', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('revoked_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=120), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('(inspection_id IS NULL) != (joint_group_id IS NULL)', name=op.f('ck_behavior_code_covers_one')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_behavior_code_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['joint_group_id'], ['joint_inspection_group.id'], name=op.f('fk_behavior_code_joint_group_id_joint_inspection_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_behavior_code')),
    sa.UniqueConstraint('code', name=op.f('uq_behavior_code_code'))
    )
    with op.batch_alter_table('behavior_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_behavior_code_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_behavior_code_joint_group_id'), ['joint_group_id'], unique=False)

    op.create_table('inspection_inspector',
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_inspector_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['inspector_id'], ['inspector.id'], name=op.f('fk_inspection_inspector_inspector_id_inspector')),
    sa.PrimaryKeyConstraint('inspection_id', 'inspector_id', name=op.f('pk_inspection_inspector'))
    )
    with op.batch_alter_table('inspection_inspector', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_inspector_inspector_id'), ['inspector_id'], unique=False)

    op.create_table('inspection_item_link',
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_item_link_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['item_id'], ['inspection_item.id'], name=op.f('fk_inspection_item_link_item_id_inspection_item')),
    sa.PrimaryKeyConstraint('inspection_id', 'item_id', name=op.f('pk_inspection_item_link'))
    )
    with op.batch_alter_table('inspection_item_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_item_link_item_id'), ['item_id'], unique=False)

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('joint_group_id', sa.Integer(), nullable=True),
    sa.Column('given_on', sa.Date(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('exemption_reason', sa.String(length=40), nullable=True),
    sa.Column('exemption_note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=120), nullable=False),
    sa.Column('recorded_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(inspection_id IS NULL) != (joint_group_id IS NULL)', name=op.f('ck_notice_covers_one')),
    sa.CheckConstraint('given_on IS NOT NULL OR exemption_reason IS NOT NULL', name=op.f('ck_notice_given_or_exempt')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_notice_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['joint_group_id'], ['joint_inspection_group.id'], name=op.f('fk_notice_joint_group_id_joint_inspection_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_joint_group_id'), ['joint_group_id'], unique=False)

    op.create_table('penalty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('decision_number', sa.String(length=80), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('fine_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('revisit_due_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('process_instance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_penalty_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['process_instance_id'], ['process_instance.id'], name=op.f('fk_penalty_process_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_penalty')),
    sa.UniqueConstraint('decision_number', name=op.f('uq_penalty_decision_number'))
    )
    with op.batch_alter_table('penalty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_penalty_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_penalty_process_instance_id'), ['process_instance_id'], unique=False)

    op.create_table('policy_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rule', sa.String(length=8), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('overridden_by', sa.String(length=120), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_policy_decision_agency_id_agency')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_policy_decision_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_policy_decision_inspection_id_inspection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_decision'))
    )
    with op.batch_alter_table('policy_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_decision_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_decision_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_decision_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_decision_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_policy_decision_rule_at', ['rule', 'at'], unique=False)

    op.create_table('quiet_period_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('exemption_reason', sa.String(length=40), nullable=False),
    sa.Column('reason_note', sa.Text(), nullable=True),
    sa.Column('approved_by', sa.String(length=120), nullable=False),
    sa.Column('approved_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filing_due_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('filed_with', sa.String(length=200), nullable=True),
    sa.Column('filing_reference', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_quiet_period_override_inspection_id_inspection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiet_period_override'))
    )
    with op.batch_alter_table('quiet_period_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiet_period_override_filing_due_at'), ['filing_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiet_period_override_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=40), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('behavior_code_id', sa.Integer(), nullable=True),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('code_text', sa.String(length=60), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=14), nullable=False),
    sa.Column('received_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accept_due_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply_due_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('substantiated', sa.Boolean(), nullable=True),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('complainant_rating', sa.Integer(), nullable=True),
    sa.Column('complainant_comment', sa.Text(), nullable=True),
    sa.Column('process_instance_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('complainant_rating IS NULL OR complainant_rating BETWEEN 1 AND 5', name=op.f('ck_complaint_rating_range')),
    sa.ForeignKeyConstraint(['behavior_code_id'], ['behavior_code.id'], name=op.f('fk_complaint_behavior_code_id_behavior_code')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_complaint_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_complaint_inspection_id_inspection')),
    sa.ForeignKeyConstraint(['process_instance_id'], ['process_instance.id'], name=op.f('fk_complaint_process_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_complaint_tracking_number'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_behavior_code_id'), ['behavior_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_process_instance_id'), ['process_instance_id'], unique=False)

    op.create_table('inspection_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('behavior_code_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('reported_breaches', sa.JSON(), nullable=False),
    sa.Column('submitted_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_inspection_rating_score_range')),
    sa.ForeignKeyConstraint(['behavior_code_id'], ['behavior_code.id'], name=op.f('fk_inspection_rating_behavior_code_id_behavior_code')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_inspection_rating_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_rating_inspection_id_inspection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_rating'))
    )
    with op.batch_alter_table('inspection_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_rating_behavior_code_id'), ['behavior_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_rating_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_rating_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('revisit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('penalty_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('visited_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('assigned_to', sa.String(length=120), nullable=True),
    sa.Column('assigned_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rectification', sa.Text(), nullable=True),
    sa.Column('rectified_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('evaluation', sa.Text(), nullable=True),
    sa.Column('evaluated_by', sa.String(length=120), nullable=True),
    sa.Column('evaluated_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['penalty_id'], ['penalty.id'], name=op.f('fk_revisit_penalty_id_penalty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisit')),
    sa.UniqueConstraint('penalty_id', 'round', name=op.f('uq_revisit_penalty_id_round'))
    )


def downgrade() -> None:
    op.drop_table('revisit')
    with op.batch_alter_table('inspection_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_rating_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_rating_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_rating_behavior_code_id'))

    op.drop_table('inspection_rating')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_process_instance_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_behavior_code_id'))

    op.drop_table('complaint')
    with op.batch_alter_table('quiet_period_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiet_period_override_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_quiet_period_override_filing_due_at'))

    op.drop_table('quiet_period_override')
    with op.batch_alter_table('policy_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_policy_decision_rule_at')
        batch_op.drop_index(batch_op.f('ix_policy_decision_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_policy_decision_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_policy_decision_at'))
        batch_op.drop_index(batch_op.f('ix_policy_decision_agency_id'))

    op.drop_table('policy_decision')
    with op.batch_alter_table('penalty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_penalty_process_instance_id'))
        batch_op.drop_index(batch_op.f('ix_penalty_inspection_id'))

    op.drop_table('penalty')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_joint_group_id'))
        batch_op.drop_index(batch_op.f('ix_notice_inspection_id'))

    op.drop_table('notice')
    with op.batch_alter_table('inspection_item_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_item_link_item_id'))

    op.drop_table('inspection_item_link')
    with op.batch_alter_table('inspection_inspector', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_inspector_inspector_id'))

    op.drop_table('inspection_inspector')
    with op.batch_alter_table('behavior_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_behavior_code_joint_group_id'))
        batch_op.drop_index(batch_op.f('ix_behavior_code_inspection_id'))

    op.drop_table('behavior_code')
    op.drop_table('inspection_item')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_process_instance_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_plan_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_joint_group_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_agency_id'))

    op.drop_table('inspection')
    with op.batch_alter_table('joint_inspection_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_joint_inspection_group_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_joint_inspection_group_enterprise_id'))

    op.drop_table('joint_inspection_group')
    with op.batch_alter_table('inspector', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspector_agency_id'))

    op.drop_table('inspector')
    with op.batch_alter_table('inspection_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_plan_agency_id'))

    op.drop_table('inspection_plan')
    op.drop_table('inspection_item_list')
    op.drop_table('enterprise_credit_class')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_jurisdiction_id'))

    op.drop_table('enterprise')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_jurisdiction_id'))

    op.drop_table('agency')
    with op.batch_alter_table('jurisdiction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jurisdiction_parent_id'))

    op.drop_table('jurisdiction')
