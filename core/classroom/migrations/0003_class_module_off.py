"""Modules per class: a ``classroom_class_module`` row now means "off in this class" (it meant "on only in
these classes", so one teacher's change rewrote every other class). Existing limits are turned around: a
plugin limited to some classes gets a row for each other class. Turning around twice gives the rows back,
so ``down`` is the same step."""
from core.classroom.models import ClassModule
from core.models import Position


def up(migrator, db):
    classes = {pid for (pid,) in Position.select(Position.id).where(Position.depth == 1).tuples()}
    rows = {}
    for plugin, pid in ClassModule.select(ClassModule.plugin, ClassModule.position).tuples():
        rows.setdefault(plugin, set()).add(pid)
    ClassModule.delete().execute()
    flipped = [(plugin, pid) for plugin, ids in sorted(rows.items()) for pid in sorted(classes - ids)]
    if flipped:
        ClassModule.insert_many(flipped, fields=[ClassModule.plugin, ClassModule.position]).execute()


down = up
