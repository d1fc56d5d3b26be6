"""A test plugin with no requirements (metadata only)."""
NAME = "alpha"
VERSION = "1.0"
DESCRIPTION = "Alpha test plugin"
REQUIRES = ()
