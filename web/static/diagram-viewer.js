// Draws an instance's diagram (read-only, pan and zoom) in every `.diagram-viewer` box and marks where the
// instance stands: current steps strongly, completed ones lightly. Without JavaScript the box keeps its note.
// The box opens at reading size on the current steps (a whole lifecycle fitted into the box is too small to
// read); its buttons go back to them, show the whole diagram, and zoom in and out.
import { createDiagram, format, messages, openDiagram, shapeFor } from './diagram-common.js';

const MARGIN = 40; // screen pixels kept free around the current steps
const READABLE = 0.8; // below this scale a task's name is no longer readable
const STEP = 1.25; // one press of + or −

// The smallest box holding the given shapes (connections by their waypoints), in diagram coordinates.
function bounds(elements) {
  const points = elements.flatMap((e) => (e.waypoints
    ? e.waypoints
    : [{ x: e.x, y: e.y }, { x: e.x + e.width, y: e.y + e.height }]));
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

// Show the current steps at life size, or smaller only while they all still read; when they lie too far apart
// to read together, the first of them is centred at life size. Nothing current (a finished case): the whole.
export function focusOn(canvas, elements) {
  const { outer } = canvas.viewbox();
  if (!elements.length || !outer.width || !outer.height) {
    canvas.zoom('fit-viewport', 'auto');
    return;
  }
  let target = bounds(elements);
  const fit = Math.min((outer.width - 2 * MARGIN) / Math.max(target.width, 1),
    (outer.height - 2 * MARGIN) / Math.max(target.height, 1));
  let scale = Math.min(1, fit);
  if (scale < READABLE) {
    scale = 1;
    target = bounds(elements.slice(0, 1));
  }
  const width = outer.width / scale;
  const height = outer.height / scale;
  const { inner } = canvas.viewbox();
  canvas.viewbox({
    x: within(target.x + target.width / 2 - width / 2, inner.x, inner.width, width, MARGIN / scale),
    y: within(target.y + target.height / 2 - height / 2, inner.y, inner.height, height, MARGIN / scale),
    width,
    height,
  });
}

// The view's start on one axis kept over the diagram (no empty page beside it): a diagram narrower than the view
// is centred, a wider one is not scrolled past its edges (plus a margin).
function within(start, diagramStart, diagramSize, viewSize, margin) {
  if (diagramSize + 2 * margin <= viewSize) return diagramStart + diagramSize / 2 - viewSize / 2;
  return Math.min(Math.max(start, diagramStart - margin), diagramStart + diagramSize + margin - viewSize);
}

function wireButtons(box, canvas, current) {
  const actions = {
    current: () => focusOn(canvas, current),
    fit: () => canvas.zoom('fit-viewport', 'auto'),
    in: () => canvas.zoom(canvas.zoom() * STEP, 'auto'),
    out: () => canvas.zoom(canvas.zoom() / STEP, 'auto'),
  };
  const bar = box.querySelector('.diagram-zoom');
  bar.querySelectorAll('button[data-zoom]').forEach((button) => {
    button.addEventListener('click', actions[button.dataset.zoom]);
  });
  bar.hidden = false;
}

// The timers the case waits on: marked, with the moment each fires (Asia/Shanghai, from the server) beneath.
function markTimers(viewer, timers, text) {
  const overlays = viewer.get('overlays');
  for (const [id, moment] of Object.entries(timers)) {
    const shape = shapeFor(viewer, id);
    if (!shape) continue;
    viewer.get('canvas').addMarker(shape, 'if-waiting');
    const label = document.createElement('div');
    label.className = 'if-waiting-label';
    label.textContent = format(text.fires, { moment });
    overlays.add(shape, { position: { top: shape.height + 20, left: -40 }, html: label }); // below its name
  }
}

async function show(box) {
  const text = messages(box);
  const canvasElement = box.querySelector('.diagram-canvas');
  const note = canvasElement.querySelector('.diagram-note');
  let viewer;
  try {
    viewer = createDiagram(canvasElement);
    await openDiagram(viewer, box.dataset.xmlUrl);
  } catch (error) {
    note.textContent = text.load_failed + error.message;
    return;
  }
  note.remove();
  window.inspectflowViewer = viewer; // for the browser tests and the curious
  const canvas = viewer.get('canvas');
  const marks = [['if-done', JSON.parse(box.dataset.completed)], ['if-current', JSON.parse(box.dataset.current)]];
  const current = [];
  for (const [marker, ids] of marks) {
    for (const id of ids) {
      const shape = shapeFor(viewer, id);
      if (shape) {
        canvas.addMarker(shape, marker);
        if (marker === 'if-current') current.push(shape);
      }
    }
  }
  markTimers(viewer, JSON.parse(box.dataset.timers || '{}'), text);
  focusOn(canvas, current);
  wireButtons(box, canvas, current);
  box.dataset.ready = 'true';
}

document.querySelectorAll('.diagram-viewer[data-xml-url]').forEach(show);
