"""One app server of the several-servers test: the app from the ``ZHIXIN_*`` environment, served by werkzeug
on a free port of 127.0.0.1, which it prints as its first line of output."""
from werkzeug.serving import make_server

from core.app import create_app

if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()
