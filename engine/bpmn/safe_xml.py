"""Hardened parsing of uploaded BPMN XML.

Diagrams come from process owners' browsers and from API clients, so the XML is untrusted. This module
owns the one way such bytes become an lxml tree: no DTD is loaded, no entity is resolved, nothing is
fetched from the network, and any DOCTYPE at all is refused (BPMN never needs one; refusing it closes
XXE, entity bombs and external DTDs at once rather than relying on each parser flag). Size is capped, the
root must be `bpmn:definitions`, and every refusal is a `DiagramError` with the reason and the line.
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import DiagramError

BPMN_MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_DIAGRAM_BYTES = 5 * 1024 * 1024

_DOCTYPE_REFUSED = "DOCTYPE declarations are not allowed in a diagram (entities and DTDs are never loaded)"
# Cheap pre-check on the raw bytes, before lxml sees them (in the ASCII-compatible encodings and UTF-16);
# the docinfo check after parsing covers any other encoding.
_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
_XML_DECLARATION_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2", re.IGNORECASE)


def _make_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def diagram_bytes(data: bytes | str) -> bytes:
    """The bytes a diagram is stored as: `data` itself, or a str encoded as UTF-8."""
    if isinstance(data, str):
        # A str has already been decoded, so an encoding in its XML declaration would now be a lie.
        return _XML_DECLARATION_ENCODING.sub(r"\1", data, count=1).encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise DiagramError(f"a diagram must be bytes or text, not {type(data).__name__}")


def parse_diagram_xml(data: bytes | str) -> etree._Element:
    """Parse untrusted diagram XML and return its `bpmn:definitions` root element."""
    raw = diagram_bytes(data)
    if len(raw) > MAX_DIAGRAM_BYTES:
        raise DiagramError(
            f"the diagram is {len(raw):,} bytes; the limit is {MAX_DIAGRAM_BYTES:,} bytes", code="too_large",
            params={"limit_mb": MAX_DIAGRAM_BYTES // (1024 * 1024)},
        )
    if not raw.strip():
        raise DiagramError("the diagram is empty", code="empty")
    for marker in _DTD_MARKERS:
        position = raw.find(marker)
        if position >= 0:
            newline = b"\n" if marker.isascii() else "\n".encode("utf-16-le" if marker[1:2] == b"\0" else "utf-16-be")
            raise DiagramError(_DOCTYPE_REFUSED, line=raw.count(newline, 0, position) + 1, code="doctype")
    try:
        root = etree.fromstring(raw, parser=_make_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or None
        message = exc.msg or str(exc)
        raise DiagramError(f"the XML is malformed: {message}", line=line, code="malformed_xml",
                           params={"detail": message}) from None
    except (ValueError, etree.LxmlError) as exc:
        raise DiagramError(f"the XML could not be read: {exc}", code="malformed_xml",
                           params={"detail": str(exc)}) from None

    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DiagramError(_DOCTYPE_REFUSED, line=1, code="doctype")
    if root.tag != f"{{{BPMN_MODEL_NS}}}definitions":
        raise DiagramError(
            f"the root element is {_display_tag(root.tag)}; a BPMN diagram's root must be bpmn:definitions "
            f"in the namespace {BPMN_MODEL_NS}",
            line=root.sourceline, code="not_bpmn",
        )
    return root


def _display_tag(tag: object) -> str:
    if not isinstance(tag, str):
        return repr(tag)
    qname = etree.QName(tag)
    if qname.namespace == BPMN_MODEL_NS:
        return f"bpmn:{qname.localname}"
    if qname.namespace:
        return f"{qname.localname} (namespace {qname.namespace})"
    return f"{qname.localname} (no namespace)"
