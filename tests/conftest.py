# The shared fixtures and builders live in tests/support; conftests below add only their own.
pytest_plugins = ["tests.support.plugin"]
