"""One error vocabulary for the whole bot.

Every error a person can cause or meet carries a one-line message (``str(err)``, never a
traceback, never a token) and the exit status the command line ends with. Raise the most
specific class; catch ``BotError`` at the edges (the CLI's ``main``, a Slack listener).

::

    BotError                      exit 2   one line for people
    ├── RoadmapFileError          exit 2   the roadmap file cannot be read or used
    ├── SettingsError             exit 2   a setting (environment, config file) is wrong
    ├── UserInputError            exit 2   a name, a date or an option a person typed
    │   └── NotFoundError         exit 2   a name that matches nothing ("did you mean")
    ├── GitError                  exit 1   git failed (fetch, push, a refused ref)
    │   ├── repo.mirror.GitFailed exit 1   one git command failed (git's own line)
    │   └── GitRefused            exit 1   the remote said no for good (hook, auth, 403)
    ├── ForgeError                exit 1   GitHub refused or failed a call
    └── HistoryError              exit 1   git's log and the model of the file disagree

Exit 2 means "your input": nothing was changed. Exit 1 means the world refused.
A name that matches nothing or several things is worded by ``did_you_mean`` and
``matches_several`` below, the same on the command line and in the history.
"""

from __future__ import annotations

from collections.abc import Sequence


class BotError(Exception):
    """Input the bot cannot use, or a refusal it must report. ``str()`` is one line."""

    exit_code: int = 2


class RoadmapFileError(BotError):
    """The roadmap file cannot be read or used (no checklist table, a bad encoding, …)."""


class SettingsError(BotError):
    """A setting is wrong or missing (environment variable, database URL, credentials)."""


class UserInputError(BotError):
    """Something a person typed cannot be used (an option, a date, an ambiguous name)."""


class NotFoundError(UserInputError):
    """A name matched nothing; the message carries the "did you mean" suggestions."""


class GitError(BotError):
    """A git command failed; the message is git's first meaningful line, secrets removed.

    ``transient``: trying again later may succeed (a network outage, a busy remote). A git
    failure is taken as passing unless it is a GitRefused.
    """

    exit_code = 1
    transient = True


class GitRefused(GitError):
    """The remote refused and will refuse again until a person acts: a hook or a protected
    branch declined the push, the token was refused (401) or may not write (403). The
    message says why in the remote's words, without the remote's path or any secret."""

    transient = False


class ForgeError(BotError):
    """A GitHub call failed. The message never holds the token.

    ``status`` is GitHub's HTTP status when there was one; ``retry_after`` the seconds GitHub
    asked us to wait (rate limits); ``transient`` whether trying again later may succeed.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.transient = transient


class HistoryError(BotError):
    """The git log and the model of the file disagree (a resume state that does not belong
    to the commit it claims, or output the history parser does not understand)."""

    exit_code = 1


def did_you_mean(what: str, query: str, suggestions: Sequence[str], where: str = "") -> str:
    """The one wording of "not found", for a NotFoundError: ``no module 'Catalg'; did you
    mean Catalog?``. ``where`` narrows the place looked in (`` in the history``)."""
    head = f"no {what} '{query}'{where}"
    if not suggestions:
        return head
    return f"{head}; did you mean {', '.join(suggestions)}?"


def matches_several(
    what: str, query: str, names: Sequence[str], where: str = "", more: int = 0
) -> str:
    """The one wording of "ambiguous", for a UserInputError: ``'Action' matches several
    modules: Action Engine, Action Catalog; say which``. ``more`` counts names not shown."""
    shown = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    return f"'{query}' matches several {what}s{where}: {shown}; say which"
