"""A test plugin whose hook module fails to import."""
NAME = "broken"
VERSION = "0.0"
DESCRIPTION = "Broken test plugin"
REQUIRES = ()
