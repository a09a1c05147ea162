"""Block Kit builders that cannot break a limit, and mrkdwn/plain text helpers.

Knows nothing of the roadmap or of Slack's API: `kit` builds blocks and cuts text to each
element's limit, `text` escapes and shortens, `limits` checks finished messages. The Slack
cards (bot/slack/blocks) and the digest (bot/digest) both render with it.
"""
