"""Block Kit limits, checked on plain dicts.

slack_sdk validates only its own model objects, in `to_dict()`, and not the block count nor
the checkbox cap; Slack itself answers `invalid_blocks` with little detail. So every
renderer's output is checked here, in tests, against the documented limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .text import slack_len

MAX_MESSAGE_BLOCKS = 50
MAX_HOME_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ACTION_ID = 255
BLOCK_ID = 255
OPTION_TEXT = 75
OPTION_VALUE = 150
CHECKBOX_OPTIONS = 10
OVERFLOW_MIN, OVERFLOW_MAX = 2, 5
SELECT_OPTIONS = 100
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30

Block = Mapping[str, Any]


def check_message(blocks: Sequence[Block], home: bool = False) -> list[str]:
    """Every Block Kit limit `blocks` violates, one line each; [] when Slack will take them.

    `home=True` applies the Home tab / modal cap of 100 blocks instead of 50.
    """
    errors: list[str] = []
    cap = MAX_HOME_BLOCKS if home else MAX_MESSAGE_BLOCKS
    if len(blocks) > cap:
        errors.append(f"{len(blocks)} blocks (max {cap})")
    action_ids: dict[str, str] = {}
    block_ids: dict[str, str] = {}
    for i, block in enumerate(blocks):
        where = f"blocks[{i}] ({block.get('type', '?')})"
        _check_block(block, where, errors, action_ids, block_ids)
    return errors


def _check_block(
    block: Block,
    where: str,
    errors: list[str],
    action_ids: dict[str, str],
    block_ids: dict[str, str],
) -> None:
    kind = block.get("type")
    block_id = block.get("block_id")
    if block_id is not None:
        _max(errors, where, "block_id", block_id, BLOCK_ID)
        if block_id in block_ids:
            errors.append(f"{where}: block_id {block_id!r} also used at {block_ids[block_id]}")
        block_ids[block_id] = where
    if kind == "section":
        text = block.get("text")
        fields = block.get("fields")
        if text is None and not fields:
            errors.append(f"{where}: needs text or fields")
        if text is not None:
            _text(errors, where, "text", text, SECTION_TEXT)
        if fields is not None:
            if len(fields) > SECTION_FIELDS:
                errors.append(f"{where}: {len(fields)} fields (max {SECTION_FIELDS})")
            for j, field in enumerate(fields):
                _text(errors, where, f"fields[{j}]", field, FIELD_TEXT)
        accessory = block.get("accessory")
        if accessory is not None:
            _check_element(accessory, f"{where}.accessory", errors, action_ids)
    elif kind == "header":
        _text(errors, where, "text", block.get("text"), HEADER_TEXT, plain_only=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements:
            errors.append(f"{where}: no elements")
        if len(elements) > CONTEXT_ELEMENTS:
            errors.append(f"{where}: {len(elements)} elements (max {CONTEXT_ELEMENTS})")
        for j, el in enumerate(elements):
            if el.get("type") in ("mrkdwn", "plain_text"):
                _text(errors, where, f"elements[{j}]", el, CONTEXT_TEXT)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements:
            errors.append(f"{where}: no elements")
        if len(elements) > ACTIONS_ELEMENTS:
            errors.append(f"{where}: {len(elements)} elements (max {ACTIONS_ELEMENTS})")
        for j, el in enumerate(elements):
            _check_element(el, f"{where}.elements[{j}]", errors, action_ids)
    elif kind == "divider":
        pass
    else:
        errors.append(f"{where}: unknown block type {kind!r}")


def _check_element(el: Block, where: str, errors: list[str], action_ids: dict[str, str]) -> None:
    kind = el.get("type")
    action_id = el.get("action_id")
    if action_id is not None:
        _max(errors, where, "action_id", action_id, ACTION_ID)
        if action_id in action_ids:
            errors.append(f"{where}: action_id {action_id!r} also used at {action_ids[action_id]}")
        action_ids[action_id] = where
    if kind == "button":
        _text(errors, where, "text", el.get("text"), BUTTON_TEXT, plain_only=True)
        if "value" in el:
            _max(errors, where, "value", el["value"], BUTTON_VALUE)
        if "url" in el:
            _max(errors, where, "url", el["url"], BUTTON_URL)
        if el.get("style") not in (None, "primary", "danger"):
            errors.append(f"{where}: style {el.get('style')!r} is not primary or danger")
    elif kind == "overflow":
        options = el.get("options") or []
        if not OVERFLOW_MIN <= len(options) <= OVERFLOW_MAX:
            errors.append(
                f"{where}: {len(options)} options (overflow takes {OVERFLOW_MIN}..{OVERFLOW_MAX})"
            )
        _options(errors, where, options)
    elif kind == "checkboxes":
        options = el.get("options") or []
        if not 1 <= len(options) <= CHECKBOX_OPTIONS:
            errors.append(f"{where}: {len(options)} options (checkboxes take 1..10)")
        _options(errors, where, options)
        for j, chosen in enumerate(el.get("initial_options") or []):
            if chosen not in options:
                errors.append(f"{where}: initial_options[{j}] is not one of the options")
    elif kind == "static_select":
        options = el.get("options") or []
        if not 1 <= len(options) <= SELECT_OPTIONS:
            errors.append(f"{where}: {len(options)} options (select takes 1..100)")
        _options(errors, where, options)
    confirm = el.get("confirm")
    if confirm is not None:
        _check_confirm(confirm, f"{where}.confirm", errors)


def _options(errors: list[str], where: str, options: Sequence[Block]) -> None:
    for j, option in enumerate(options):
        _text(errors, where, f"options[{j}].text", option.get("text"), OPTION_TEXT)
        _max(errors, where, f"options[{j}].value", option.get("value", ""), OPTION_VALUE)


def _check_confirm(confirm: Block, where: str, errors: list[str]) -> None:
    _text(errors, where, "title", confirm.get("title"), CONFIRM_TITLE, plain_only=True)
    _text(errors, where, "text", confirm.get("text"), CONFIRM_TEXT)
    _text(errors, where, "confirm", confirm.get("confirm"), CONFIRM_BUTTON, plain_only=True)
    _text(errors, where, "deny", confirm.get("deny"), CONFIRM_BUTTON, plain_only=True)
    if confirm.get("style") not in (None, "primary", "danger"):
        errors.append(f"{where}: style {confirm.get('style')!r} is not primary or danger")


def _text(
    errors: list[str],
    where: str,
    name: str,
    obj: Any,
    limit: int,
    plain_only: bool = False,
) -> None:
    if not isinstance(obj, Mapping) or not isinstance(obj.get("text"), str):
        errors.append(f"{where}: {name} is not a text object")
        return
    kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in kinds:
        errors.append(f"{where}: {name} must be {' or '.join(kinds)}, not {obj.get('type')!r}")
    if not obj["text"].strip():
        errors.append(f"{where}: {name} is empty")
    _max(errors, where, f"{name} text", obj["text"], limit)


def _max(errors: list[str], where: str, name: str, value: Any, limit: int) -> None:
    if not isinstance(value, str):
        errors.append(f"{where}: {name} is not a string")
        return
    size = slack_len(value)
    if size > limit:
        errors.append(f"{where}: {name} is {size} characters (max {limit})")
