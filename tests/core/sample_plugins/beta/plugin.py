from core import hookimpl
from core.extension import MenuItem


@hookimpl
def zhixin_menu_items(user):
    return [MenuItem("beta", "Beta", "main.home", group="plugins", order=60)]
