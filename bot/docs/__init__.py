"""The docs site as the roadmap sees it, and the drift between the two.

::

    tree     a read-only tree of files: the work tree, or git's tree at a commit
    config   mkdocs.yml / zensical.toml read safely; the drift: section of .roadmap-bot.yml
    pages    one page's title, words and whether it is a stub
    nav      the nav as MkDocs builds it (explicit, inferred, literate-nav, .pages)
    drift    roadmap x site -> findings (frozen values)
    renames  a row's module renamed in the nav: git's renames, else the names
    report   findings as text, JSON or GitHub annotations; the exit code
    inputs   where the roadmap, the site config and the mapping are in a tree
    command  `roadmap-bot drift`

Nothing here imports MkDocs, a plugin, a hook or a theme, and nothing is ever executed.
"""
