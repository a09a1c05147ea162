"""Listeners grouped by Slack surface; each module has `register(app, services)`."""
