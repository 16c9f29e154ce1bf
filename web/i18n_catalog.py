"""Keeping the English catalog complete: every string marked in web/ against the entries of the .po.

`extract()` finds the marked strings the way `pybabel extract -F babel.cfg` would (templates and Python,
plus Flask-Babel's lazy_gettext); `problems()` lists what is wrong with the catalog (missing, untranslated,
duplicated or unused entries, placeholders that differ); `update()` rewrites the .po with the missing
entries added empty, unused ones dropped and everything sorted by msgid without source locations, so
parallel branches that each add entries seldom touch the same lines. tests/web/test_i18n.py and
`scripts/i18n.sh` use it; the app itself never imports this module.
"""

from __future__ import annotations

import re
from collections import Counter
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
SOURCES = "web"
ENGLISH = ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2), "_l": None}  # _l: lazy_gettext alias

_MSGID = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"[ \t]*\n)+)', re.MULTILINE)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def extract() -> Catalog:
    """The template catalog: each marked string of web/ once, with the files it comes from."""
    with MAPPING.open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    template = Catalog(fuzzy=False)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS,
                             directory_filter=_inside_sources)
    for filename, lineno, message, comments, context in found:
        template.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return template


def _inside_sources(path: str) -> bool:
    """Walk only web/ (not node_modules, instance/ …): babel.cfg's patterns all live there. Hidden and
    `__pycache__`-like folders are skipped, as babel's default filter does."""
    relative = Path(path).relative_to(ROOT).parts
    inside = not relative or relative[0] == SOURCES
    return inside and not any(part.startswith((".", "_")) for part in relative)


def read(po_path: Path = ENGLISH) -> Catalog:
    with po_path.open("rb") as po_file:
        return read_po(po_file)


def problems(po_path: Path = ENGLISH, template: Catalog | None = None) -> list[str]:
    """Everything that keeps the catalog from translating every page; empty when it is complete."""
    template = template if template is not None else extract()
    catalog = read(po_path)
    wanted = {message.id for message in template if message.id}
    have = {message.id: message for message in catalog if message.id}
    found: list[str] = []
    for key in sorted(wanted, key=_key):
        message = have.get(key)
        if message is None:
            found.append(f"missing: {_show(key)} (from {_where(template[key])})")
        elif not _translated(message):
            found.append(f"untranslated: {_show(key)}")
        elif bad := _placeholder_mismatch(message):
            found.append(f"placeholders differ: {_show(key)} → {bad}")
    found += [f"unused (no page marks it): {_show(key)}" for key in sorted(set(have) - wanted, key=_key)]
    found += [f"obsolete entry (#~): {_show(message.id)}" for message in catalog.obsolete.values()]
    found += [f"duplicate msgid: {text!r}" for text in duplicate_ids(po_path.read_text(encoding="utf-8"))]
    return found


def duplicate_ids(po_text: str) -> list[str]:
    """msgids written more than once (read_po silently keeps one, so look at the text itself)."""
    ids = ["".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)) for block in _MSGID.findall(po_text)]
    return sorted(text for text, count in Counter(ids).items() if count > 1 and text)


def update(po_path: Path = ENGLISH, template: Catalog | None = None) -> Catalog:
    """Add missing entries (empty, to be translated), drop unused ones, write the .po sorted and stable."""
    template = template if template is not None else extract()
    catalog = read(po_path)
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    write(catalog, po_path)
    return catalog


def write(catalog: Catalog, po_path: Path = ENGLISH) -> None:
    """Write `catalog` over `po_path` in the stable form (sorted, unwrapped, no locations), keeping its header."""
    body = BytesIO()
    write_po(body, catalog, width=0, no_location=True, sort_output=True, ignore_obsolete=True, omit_header=True)
    temporary = po_path.with_suffix(".po.tmp")
    temporary.write_bytes(_header(po_path.read_bytes()) + b"\n" + body.getvalue().lstrip(b"\n"))
    temporary.replace(po_path)


def _header(po_bytes: bytes) -> bytes:
    """The .po's own first entry (comment and `msgid ""` metadata) kept byte for byte: babel would rewrite it
    with placeholder fields and today's date, a needless change on every run."""
    header, _, _rest = po_bytes.partition(b"\n\n")
    return header + b"\n"


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return bool(strings) and all(strings)


def _placeholder_mismatch(message: Message) -> str:
    """Names in a translation must be those of the source: an unknown one fails at render time."""
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    expected = set().union(*(_PLACEHOLDER.findall(text) for text in ids))
    for text in strings:
        if set(_PLACEHOLDER.findall(text)) != expected:
            return repr(text)
    return ""


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple | list) else message_id


def _show(message_id) -> str:
    return repr(_key(message_id))


def _where(message: Message) -> str:
    return ", ".join(f"{name}:{line}" for name, line in message.locations)


def main(argv: list[str] | None = None) -> int:
    """`python -m web.i18n_catalog [check|update]`: report the gaps, or also write the missing entries."""
    import sys

    command = (argv if argv is not None else sys.argv[1:] or ["check"])[0]
    if command not in ("check", "update"):
        print("usage: python -m web.i18n_catalog [check|update]", file=sys.stderr)
        return 2
    template = extract()
    if command == "update":
        update(template=template)
        print(f"{ENGLISH.relative_to(ROOT)}: {len(template)} entries written, sorted by msgid")
    found = problems(template=template)
    for problem in found:
        print(problem)
    print(f"{len(found)} problem(s) in {ENGLISH.relative_to(ROOT)}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
