"""Live: the change feed, watches, unblock alerts, the GitHub webhook."""
