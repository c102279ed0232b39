"""Edits the settings page makes to the hub's configuration file: one change at a time to the
YAML document, read and written with ruamel.yaml's round trip, so the administrator's comments,
order and layout stay as they were. Each edit takes the form's fields as text and raises
EditError (a message for the page) for what it cannot take; the whole file is then checked as
check-config checks it before it is applied (console/pages_settings.py).

Nothing secret is shown or taken back: a staff member's new PIN is checked and hashed by the
hub's own rule and hasher (`lobby staff-pin`'s) and only the hash goes into the file."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from hub.duty import hash_pin
from hub.staff_cli import PIN

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS_LINE = re.compile(r"^\s*(?P<days>[a-z,\- ]+?)\s+(?P<spans>\d.*)$")
_SPAN = re.compile(r"^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$")


class EditError(ValueError):
    pass


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments and order kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the administrator's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(path: Path) -> CommentedMap:
    document = _yaml().load(path.read_text(encoding="utf-8"))
    if not isinstance(document, CommentedMap):
        raise EditError(f"{path} is not a YAML mapping")
    return document


def dump(document: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def _find(items: Any, item_id: str, what: str) -> CommentedMap:
    for item in items or []:
        if str(item.get("id")) == item_id:
            return item  # type: ignore[no-any-return]
    raise EditError(f"no {what} {item_id!r}")


def _number(text: str, what: str, *, whole: bool = True) -> int | float | None:
    """An optional number from a form field ("" = none)."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise EditError(f"{what}: {text!r} is not a number") from None
    if value.is_integer():
        return int(value)  # 20, not 20.0, in the file
    if whole:
        raise EditError(f"{what}: {text!r} is not a whole number")
    return value


def _set_or_drop(mapping: CommentedMap, key: str, value: object) -> None:
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _names(form: dict[str, str], languages: list[str]) -> CommentedMap:
    names = CommentedMap()
    for lang in languages:
        text = form.get(f"name_{lang}", "").strip()
        if text:
            names[lang] = text
    if not names:
        raise EditError("give a name in at least one language")
    names.fa.set_flow_style()
    return names


def parse_hours(text: str) -> CommentedSeq:
    """ "mon-fri 07:30-11:30 13:30-17:00" per line (days: mon..sun, lists or ranges); no line
    means always open."""
    rules = CommentedSeq()
    for number, line in enumerate(text.strip().splitlines(), 1):
        if not line.strip():
            continue
        found = _HOURS_LINE.match(line.strip().lower())
        if found is None:
            raise EditError(f"hours, line {number}: write days then times, like "
                            f"'mon-fri 07:30-11:30 13:30-17:00'")
        days: list[str] = []
        for part in found["days"].replace(" ", "").split(","):
            first, _, last = part.partition("-")
            if first not in WEEKDAYS or (last and last not in WEEKDAYS):
                raise EditError(f"hours, line {number}: {part!r} is not a day (mon … sun)")
            span = WEEKDAYS[WEEKDAYS.index(first):WEEKDAYS.index(last or first) + 1]
            days += [d for d in span if d not in days]
        for span_text in found["spans"].replace(",", " ").split():
            times = _SPAN.match(span_text) if "-" in span_text else None
            if times is None:
                raise EditError(f"hours, line {number}: {span_text!r} is not a time span "
                                f"like 07:30-11:30")
            # Quoted: YAML 1.1 (the hub's reader) takes a bare 07:30 for the number 450.
            rule = CommentedMap([("days", CommentedSeq(days)),
                                 ("open", DoubleQuotedScalarString(times[1].zfill(5))),
                                 ("close", DoubleQuotedScalarString(times[2].zfill(5)))])
            rule["days"].fa.set_flow_style()
            rule.fa.set_flow_style()
            rules.append(rule)
    return rules


def hours_text(rules: list[Any]) -> str:
    """The hours as the form shows them (the inverse of parse_hours)."""
    lines = []
    for rule in rules:
        days = rule.days if hasattr(rule, "days") else rule["days"]
        start = rule.open if hasattr(rule, "open") else rule["open"]
        end = rule.close if hasattr(rule, "close") else rule["close"]
        lines.append(f"{','.join(days)} {str(start)[:5]}-{str(end)[:5]}")
    return "\n".join(lines)


def edit_service(document: CommentedMap, service_id: str, form: dict[str, str],
                 languages: list[str]) -> str:
    service = _find(document.get("services"), service_id, "service")
    service["names"] = _names(form, languages)
    _set_or_drop(service, "target_wait_minutes",
                 _number(form.get("target_wait_minutes", ""), "target wait", whole=False))
    minutes = _number(form.get("default_service_minutes", ""), "service minutes", whole=False)
    _set_or_drop(service, "default_service_minutes", minutes)
    numbering = service.setdefault("numbering", CommentedMap())
    _set_or_drop(numbering, "daily_quota", _number(form.get("daily_quota", ""), "quota"))
    rules = parse_hours(form.get("hours", ""))
    _set_or_drop(service, "hours", rules or None)
    return f"services.{service_id}"


def add_service(document: CommentedMap, form: dict[str, str], languages: list[str]) -> str:
    service_id = form.get("id", "").strip().upper()
    if any(str(s.get("id")) == service_id for s in document.get("services") or []):
        raise EditError(f"there is a service {service_id} already")
    service = CommentedMap([("id", service_id), ("names", _names(form, languages))])
    document.setdefault("services", CommentedSeq()).append(service)
    return f"services.{service_id} added"


def edit_counter(document: CommentedMap, counter_id: str, form: dict[str, str],
                 served: list[str]) -> str:
    counter = _find(document.get("counters"), counter_id, "counter")
    number = _number(form.get("number", ""), "number")
    if number is None:
        raise EditError("a counter needs its number")
    counter["number"] = number
    services = CommentedSeq(served)
    services.fa.set_flow_style()
    counter["services"] = services
    _set_or_drop(counter, "closed", True if form.get("closed") else None)
    return f"counters.{counter_id}"


def add_counter(document: CommentedMap, form: dict[str, str], served: list[str]) -> str:
    counter_id = form.get("id", "").strip()
    if any(str(c.get("id")) == counter_id for c in document.get("counters") or []):
        raise EditError(f"there is a counter {counter_id} already")
    counter = CommentedMap([("id", counter_id)])
    document.setdefault("counters", CommentedSeq()).append(counter)
    edit_counter(document, counter_id, form, served)
    counter.fa.set_flow_style()
    return f"counters.{counter_id} added"


def edit_priority(document: CommentedMap, class_id: str, form: dict[str, str],
                  languages: list[str]) -> str:
    classes = (document.get("priority") or {}).get("classes")
    klass = _find(classes, class_id, "priority class")
    klass["names"] = _names(form, languages)
    _set_or_drop(klass, "max_wait_minutes",
                 _number(form.get("max_wait_minutes", ""), "longest wait", whole=False))
    return f"priority.classes.{class_id}"


def add_staff(document: CommentedMap, form: dict[str, str]) -> str:
    staff_id, name = form.get("id", "").strip(), form.get("name", "").strip()
    pin, code = form.get("pin", "").strip(), form.get("keypad_code", "").strip()
    if any(str(s.get("id")) == staff_id for s in document.get("staff") or []):
        raise EditError(f"there is a staff member {staff_id} already")
    if not PIN.fullmatch(pin):
        raise EditError("a PIN is 4 to 12 digits")
    person = CommentedMap([("id", staff_id), ("name", name),
                           ("pin_hash", hash_pin(pin))])
    if code:
        person["keypad_code"] = code
    person.fa.set_flow_style()
    document.setdefault("staff", CommentedSeq()).append(person)
    return f"staff.{staff_id} added"


def set_pin(document: CommentedMap, staff_id: str, pin: str) -> str:
    person = _find(document.get("staff"), staff_id, "staff member")
    if not PIN.fullmatch(pin.strip()):
        raise EditError("a PIN is 4 to 12 digits")
    person["pin_hash"] = hash_pin(pin.strip())
    return f"staff.{staff_id}.pin_hash"


def remove(document: CommentedMap, section: str, item_id: str) -> str:
    """Removes a counter, staff member or device (the hub refuses what still refers to it)."""
    items = document.get(section)
    item = _find(items, item_id, section.rstrip("s"))
    items.remove(item)
    return f"{section}.{item_id} removed"


def add_device(document: CommentedMap, form: dict[str, str], counters: list[str]) -> str:
    device_id, role = form.get("id", "").strip(), form.get("role", "").strip()
    if any(str(d.get("id")) == device_id for d in document.get("devices") or []):
        raise EditError(f"there is a device {device_id} already")
    device = CommentedMap([("id", device_id), ("role", role)])
    if counters:
        listed = CommentedSeq(counters)
        listed.fa.set_flow_style()
        device["counters"] = listed
    device.fa.set_flow_style()
    document.setdefault("devices", CommentedSeq()).append(device)
    return f"devices.{device_id} added"
