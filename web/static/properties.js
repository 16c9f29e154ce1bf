// The modeler's side box: what bpmn-js's canvas cannot edit by itself — a sequence flow's condition, a timer's
// expression, a script task's script, a user task's form, the case it shows and whom it copies, a task's check points
// (extension-editors.js) — for the selected element, and the whole diagram as XML source for anything else.
// Every edit goes through bpmn-js commands, so undo and the "unsaved" warning see it; the server checks all of it
// again before deploying.

import { fitDiagram } from './diagram-common.js';
import {
  renderCaseEditor, renderCheckPointEditor, renderCopyEditor, renderFormEditor,
} from './extension-editors.js';

const TIMER_KINDS = ['timeDate', 'timeDuration', 'timeCycle'];

function field(labelText, value, multiline) {
  const label = document.createElement('label');
  label.textContent = labelText;
  const input = document.createElement(multiline ? 'textarea' : 'input');
  if (multiline) input.rows = 6; else input.type = 'text';
  input.value = value || '';
  input.spellcheck = false;
  label.append(input);
  return { label, input };
}

function timerOf(element) {
  const definitions = element.businessObject.eventDefinitions || [];
  return definitions.find((d) => d.$type === 'bpmn:TimerEventDefinition') || null;
}

// What the selected element offers to edit: [{ label, value, multiline, apply(text) }].
function editableParts(modeler, element, text) {
  const modeling = modeler.get('modeling');
  const moddle = modeler.get('moddle');
  const bo = element.businessObject;
  const expression = (body) => (body.trim() ? moddle.create('bpmn:FormalExpression', { body }) : undefined);
  if (bo.$type === 'bpmn:SequenceFlow') {
    return [{ label: text.condition, value: bo.conditionExpression && bo.conditionExpression.body,
      apply: (body) => modeling.updateProperties(element, { conditionExpression: expression(body) }) }];
  }
  if (bo.$type === 'bpmn:ScriptTask') {
    return [{ label: text.script, value: bo.script, multiline: true,
      apply: (body) => modeling.updateProperties(element, { script: body }) }];
  }
  const timer = timerOf(element);
  if (timer) {
    const kind = TIMER_KINDS.find((k) => timer[k]) || 'timeDate';
    return [{ label: `${text.timer} (${kind})`, value: timer[kind] && timer[kind].body,
      apply: (body) => modeling.updateModdleProperties(element, timer, { [kind]: expression(body) }) }];
  }
  return [];
}

export function attachProperties(modeler, box, text, stages) {
  function show(element) {
    box.replaceChildren();
    const heading = document.createElement('p');
    heading.className = 'properties-heading';
    if (!element) {
      heading.textContent = text.select_hint;
      box.append(heading);
      return;
    }
    const bo = element.businessObject;
    heading.textContent = `${bo.name || ''} ${bo.id}`.trim();
    box.append(heading);
    const parts = editableParts(modeler, element, text);
    const userTask = bo.$type === 'bpmn:UserTask';
    const task = /Task$/.test(bo.$type);
    if (!parts.length && !task) {
      const note = document.createElement('p');
      note.textContent = text.no_properties;
      box.append(note);
    }
    for (const part of parts) {
      const { label, input } = field(part.label, part.value, part.multiline);
      input.addEventListener('change', () => part.apply(input.value));
      box.append(label);
    }
    if (userTask) renderFormEditor(modeler, element, box, text, () => show(element));
    if (userTask) renderCaseEditor(modeler, element, box, text, () => show(element));
    if (userTask) renderCopyEditor(modeler, element, box, text, () => show(element));
    if (task) renderCheckPointEditor(modeler, element, box, text, stages, () => show(element));
  }
  let shown = null;
  modeler.on('selection.changed', ({ newSelection }) => {
    shown = newSelection.length === 1 ? newSelection[0] : null;
    show(shown);
  });
  // Undo and redo may change what the box shows; an edit made in the box does not need a redraw (and one
  // would take the focus from the next field).
  modeler.on('commandStack.changed', ({ trigger }) => {
    if (trigger === 'undo' || trigger === 'redo') show(shown);
  });
  show(null);
}

// The whole diagram as XML: opened from the current canvas, applied back with importXML (a malformed text is
// refused with the parser's reason and the canvas stays as it was).
export function attachSource(modeler, { details, textarea, applyButton, report }, text) {
  details.addEventListener('toggle', async () => {
    if (details.open) textarea.value = (await modeler.saveXML({ format: true })).xml;
  });
  applyButton.addEventListener('click', async () => {
    const before = (await modeler.saveXML()).xml;
    try {
      await modeler.importXML(textarea.value);
      report(text.source_applied, 'flash-ok');
    } catch (error) {
      await modeler.importXML(before);
      report(text.source_invalid + error.message, 'message');
      return;
    }
    fitDiagram(modeler);
    modeler.get('eventBus').fire('inspectflow.sourceApplied');
  });
}
