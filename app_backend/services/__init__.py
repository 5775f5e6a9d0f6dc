"""Business logic, free of HTTP: routes call these, and so do the CLI and the tests."""
