"""Pull requests on the forge (GitHub) behind one small function set. Failures are
``bot.errors.ForgeError``."""

from bot.forge.github import Forge, PullRequest, repository_from_remote

__all__ = ["Forge", "PullRequest", "repository_from_remote"]
