"""The gradebook: exercise openings, attempts, kept grades and class re-check runs replace the table of
latest results (classroom_exercise_result), whose rows become attempts and, where passed, grades.
Databases made by a newer 0001 have the new tables already and never had the old one."""
import peewee

OLD = "classroom_exercise_result"


def _legacy(db):
    class LegacyResult(peewee.Model):
        user_id = peewee.IntegerField()
        exercise = peewee.CharField(max_length=120)
        passed = peewee.BooleanField(default=False)
        message = peewee.TextField(default="")
        points = peewee.IntegerField(default=0)
        checked_at = peewee.DateTimeField()
        passed_at = peewee.DateTimeField(null=True)

        class Meta:
            database = db
            table_name = OLD
            indexes = ((("user_id", "exercise"), True),)
    return LegacyResult


def up(migrator, db):
    from core.classroom.models import Attempt, ExerciseOpening, Grade, RecheckRun
    db.create_tables([ExerciseOpening, Attempt, Grade, RecheckRun])
    if OLD not in db.get_tables():
        return
    legacy = _legacy(db)
    with db.atomic():
        for row in legacy.select():
            Attempt.create(user=row.user_id, exercise=row.exercise, at=row.checked_at, passed=row.passed,
                           feedback=row.message, points=row.points)
            if row.passed:
                Grade.create(user=row.user_id, exercise=row.exercise, points=row.points,
                             passed_at=row.passed_at or row.checked_at)
    db.drop_tables([legacy])


def down(migrator, db):
    from core.classroom.models import Attempt, ExerciseOpening, Grade, RecheckRun
    legacy = _legacy(db)
    db.create_tables([legacy])
    with db.atomic():
        for grade in Grade.select():
            legacy.create(user_id=grade.user_id, exercise=grade.exercise, passed=grade.passed,
                          points=grade.earned, checked_at=grade.passed_at or grade.override_at,
                          passed_at=grade.passed_at)
    db.drop_tables([RecheckRun, Grade, Attempt, ExerciseOpening])
