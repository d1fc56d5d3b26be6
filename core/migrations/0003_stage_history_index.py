"""An index on opportunity_stage_history (opportunity_id, changed_at): the "average days in each stage"
report reads the history in this order (2.2 s at 1M rows without it). Databases made by a newer 0001 have it
already (MySQL has no CREATE INDEX IF NOT EXISTS, hence the look first)."""
INDEX = "opportunity_stage_history_opportunity_id_changed_at"


def up(migrator, db):
    if INDEX not in {i.name for i in db.get_indexes("opportunity_stage_history")}:
        migrator.migrate(migrator.add_index("opportunity_stage_history", ("opportunity_id", "changed_at")))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("opportunity_stage_history", INDEX))
