// What the diagram editor and the viewer share: the bpmn-js constructor the page loaded (with our extension
// known to it), the page's translated messages, and loading a diagram from the server into a canvas.
import inspectflow from './inspectflow-moddle.js';

export function messages(element) {
  return JSON.parse(element.dataset.messages || '{}');
}

export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

// `window.BpmnJS` is the modeler or the navigated viewer, whichever bundle the page included.
export function createDiagram(container, options = {}) {
  return new window.BpmnJS({ container, moddleExtensions: { inspectflow }, ...options });
}

export async function openDiagram(bpmnjs, url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/xml' } });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  await bpmnjs.importXML(await response.text());
  bpmnjs.get('canvas').zoom('fit-viewport', 'auto');
}

// The shape or connection that stands for a BPMN element id: a process drawn as a pool is its participant.
export function shapeFor(bpmnjs, elementId) {
  const registry = bpmnjs.get('elementRegistry');
  const root = bpmnjs.get('canvas').getRootElement();
  const found = registry.get(elementId)
    || registry.find((e) => e.businessObject && e.businessObject.processRef && e.businessObject.processRef.id === elementId);
  return found && found !== root ? found : null;
}
