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
  fitDiagram(bpmnjs);
}

// Fit the whole diagram in view, never larger than life. The modeler's tool palette floats over the canvas's
// left edge, so the fit leaves it room: otherwise it would hide the start of the flow.
export function fitDiagram(bpmnjs) {
  const canvas = bpmnjs.get('canvas');
  canvas.zoom('fit-viewport', 'auto');
  const palette = canvas.getContainer().querySelector('.djs-palette');
  const { inner, outer } = canvas.viewbox();
  if (!palette || !inner.width || !inner.height) return;
  const margin = 16;
  const left = palette.offsetLeft + palette.offsetWidth + margin;
  const scale = Math.min(1, (outer.width - left - margin) / inner.width, (outer.height - 2 * margin) / inner.height);
  if (scale <= 0) return;
  canvas.viewbox({
    x: inner.x - left / scale,
    y: inner.y - (outer.height / scale - inner.height) / 2,
    width: outer.width / scale,
    height: outer.height / scale,
  });
}

// The shape or connection that stands for a BPMN element id: a process drawn as a pool is its participant.
export function shapeFor(bpmnjs, elementId) {
  const registry = bpmnjs.get('elementRegistry');
  const root = bpmnjs.get('canvas').getRootElement();
  const found = registry.get(elementId)
    || registry.find((e) => e.businessObject && e.businessObject.processRef && e.businessObject.processRef.id === elementId);
  return found && found !== root ? found : null;
}
