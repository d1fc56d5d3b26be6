"""A test plugin that requires alpha."""
NAME = "beta"
VERSION = "2.0"
DESCRIPTION = "Beta test plugin"
REQUIRES = ("alpha",)
