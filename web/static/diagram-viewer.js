// Draws an instance's diagram (read-only, pan and zoom) in every `.diagram-viewer` box and marks where the
// instance stands: current steps strongly, completed ones lightly. Without JavaScript the box keeps its note.
import { createDiagram, messages, openDiagram, shapeFor } from './diagram-common.js';

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
  const canvas = viewer.get('canvas');
  const marks = [['if-done', JSON.parse(box.dataset.completed)], ['if-current', JSON.parse(box.dataset.current)]];
  for (const [marker, ids] of marks) {
    for (const id of ids) {
      const shape = shapeFor(viewer, id);
      if (shape) {
        canvas.addMarker(shape, marker);
      }
    }
  }
  box.dataset.ready = 'true';
}

document.querySelectorAll('.diagram-viewer[data-xml-url]').forEach(show);
