"""Pull requests on the forge (GitHub) behind one small function set."""

from bot.forge.github import Forge, ForgeError, PullRequest, repository_from_remote

__all__ = ["Forge", "ForgeError", "PullRequest", "repository_from_remote"]
