"""What tests (and bench/) build with, in one place.

- `git`: real git in a clean environment; `make_remote`, the one bare-remote builder.
- `roadmaps`: roadmap files from lists (`roadmap_text`), scaled up (`big_roadmap`,
  `huge_roadmap`); `strategies`: Hypothesis strategies for every variant people write.
- `settings`: Settings from the test's own values; PostgreSQL or skip.
- `plugin`: the shared fixtures (`example_text`, `remote`, `database_url`), registered in
  tests/conftest.py.

The fake Slack and GitHub servers are in tests/fakes.
"""
