"""Access keeps what it reads about positions for one request only. An app context that is already pushed
(tests, the CLI) outlives its requests, so a cache on ``g`` would let one request's tree decide the next."""
from core import access
from core import positions as tree
from core.models import Account


def _visible_names(app, user):
    with app.test_request_context():
        return {a.name for a in access.visible(Account.select(Account.name), user, "account")}


def test_a_leaf_who_gains_a_subordinate_reads_their_records_on_the_next_request(app, make_user, positions):
    with app.app_context():
        lead = make_user("lead", position=positions["sales_a"])
        Account.create(name="Own", owner=lead)
        assert _visible_names(app, lead) == {"Own"}          # nobody below: "owner = me"
        below = tree.create("Trainee", positions["sales_a"])
        trainee = make_user("trainee", position=below)
        Account.create(name="Trainee's", owner=trainee)
        assert _visible_names(app, lead) == {"Own", "Trainee's"}


def test_a_manager_whose_position_moves_still_reads_the_team_that_moved_along(app, make_user, positions):
    with app.app_context():
        manager = make_user("manager", position=positions["dept_a"])
        seller = make_user("seller", position=positions["sales_a"])
        Account.create(name="Seller's", owner=seller)
        assert _visible_names(app, manager) == {"Seller's"}
        tree.move(positions["dept_a"], positions["class_b"])      # the manager's path changes, the team moves along
        assert _visible_names(app, manager) == {"Seller's"}
