// The inspectflow BPMN extension (forms, check points, what a task shows of its case and whom it copies, in
// extensionElements)
// described for bpmn-js, so the modeler knows these elements as typed ones: they survive editing, copy-paste and
// saving unchanged, and new diagrams declare the namespace. Attributes stay strings, written back exactly as the server reads them.
const text = (name) => ({ name, isAttr: true, type: 'String' });

export default {
  name: 'inspectflow',
  prefix: 'inspectflow',
  uri: 'http://inspectflow.org/schema/bpmn/1.0',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    { name: 'Form', superClass: ['Element'], properties: [{ name: 'fields', type: 'Field', isMany: true }] },
    { name: 'Field', superClass: ['Element'],
      properties: [text('name'), text('type'), text('label'), text('required'), text('choices'),
        text('choices_from'), text('multiple'), text('capture'), text('default'), text('accept'), text('when')] },
    { name: 'Checks', superClass: ['Element'], properties: [text('stage'), text('blocking')] },
    { name: 'Action', superClass: ['Element'], properties: [text('stage'), text('blocking')] },
    { name: 'Shows', superClass: ['Element'], properties: [text('sections'), text('opinions')] },
    { name: 'Copy', superClass: ['Element'], properties: [text('to')] },
  ],
};
