"""The weekly digest: compose (pure), blocks/text (pure renderers), chart (matplotlib, Agg),
build (gather from git and the store), deliver (post exactly once), schedule (DIGEST_CRON).

Import the submodules you need: chart, schedule and deliver pull in matplotlib, APScheduler
and slack_sdk, which the pure parts do not need.
"""
