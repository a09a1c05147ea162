"""Command-line subcommands kept out of bot/cli.py, each with `add_parser(sub)`."""
