"""Modules per class: a ``classroom_class_module`` row now means "off in this class" (it meant "on only in
these classes", so one teacher's change rewrote every other class). Existing limits are turned around: a
plugin limited to some classes gets a row for each other class. Turning around twice gives the rows back,
so ``down`` is the same step. (Tables by name, never the current models: a migration is frozen.)"""
from peewee import Table


def up(migrator, db):
    position = Table("position", ("id", "depth")).bind(db)
    modules = Table("classroom_class_module", ("plugin", "position_id")).bind(db)
    classes = {row["id"] for row in position.select(position.id).where(position.depth == 1)}
    rows = {}
    for row in modules.select(modules.plugin, modules.position_id):
        rows.setdefault(row["plugin"], set()).add(row["position_id"])
    modules.delete().execute()
    flipped = [(plugin, pid) for plugin, ids in sorted(rows.items()) for pid in sorted(classes - ids)]
    if flipped:
        modules.insert(flipped, columns=[modules.plugin, modules.position_id]).execute()


down = up
