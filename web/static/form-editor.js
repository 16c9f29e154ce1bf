// The side box's form editor for a user task: the fields of its inspectflow:form (name, label, type, required,
// choices), added, changed and removed through bpmn-js commands, so undo and the "unsaved" warning see them.
// The server checks the form again (names, types, choices) when the diagram is checked or deployed.

const FIELD_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'datetime', 'choice', 'multichoice'];
const CHOICE_TYPES = ['choice', 'multichoice'];

function formOf(businessObject) {
  const extensions = businessObject.extensionElements;
  return ((extensions && extensions.get('values')) || []).find((v) => v.$type === 'inspectflow:Form') || null;
}

// The task's form, created (with its extensionElements when missing) by one command each.
function ensureForm(modeler, element) {
  const existing = formOf(element.businessObject);
  if (existing) return existing;
  const moddle = modeler.get('moddle');
  const modeling = modeler.get('modeling');
  const form = moddle.create('inspectflow:Form', { fields: [] });
  const extensions = element.businessObject.extensionElements;
  if (extensions) {
    form.$parent = extensions;
    modeling.updateModdleProperties(element, extensions, { values: [...extensions.get('values'), form] });
  } else {
    const created = moddle.create('bpmn:ExtensionElements', { values: [form] });
    form.$parent = created;
    modeling.updateProperties(element, { extensionElements: created });
  }
  return form;
}

function unusedName(fields) {
  const taken = new Set(fields.map((f) => f.name));
  let number = fields.length + 1;
  while (taken.has(`field_${number}`)) number += 1;
  return `field_${number}`;
}

function input(labelText, value, onChange, attributes = {}) {
  const label = document.createElement('label');
  label.textContent = labelText;
  const box = document.createElement('input');
  box.type = attributes.type || 'text';
  if (box.type === 'checkbox') box.checked = value; else box.value = value || '';
  box.spellcheck = false;
  box.addEventListener('change', () => onChange(box.type === 'checkbox' ? box.checked : box.value));
  if (box.type === 'checkbox') label.prepend(box); else label.append(box);
  return label;
}

function typeSelect(labelText, value, onChange) {
  const label = document.createElement('label');
  label.textContent = labelText;
  const select = document.createElement('select');
  for (const kind of FIELD_TYPES) select.append(new Option(kind, kind, false, kind === value));
  select.addEventListener('change', () => onChange(select.value));
  label.append(select);
  return label;
}

// Renders the form of the user task `element` into `box`; `redraw` shows the box again after a change of shape.
export function renderFormEditor(modeler, element, box, text, redraw) {
  const modeling = modeler.get('modeling');
  const form = formOf(element.businessObject);
  const fields = form ? form.get('fields') : [];
  const section = document.createElement('section');
  section.className = 'form-editor';
  const heading = document.createElement('p');
  heading.className = 'properties-heading';
  heading.textContent = fields.length ? text.form_fields : text.form_none;
  section.append(heading);
  fields.forEach((field, index) => {
    const set = (name) => (value) => modeling.updateModdleProperties(element, field, { [name]: value });
    const row = document.createElement('fieldset');
    row.className = 'form-field';
    row.dataset.index = String(index);
    const legend = document.createElement('legend');
    legend.textContent = `${index + 1}. ${field.label || field.name}`;
    row.append(legend,
      input(text.field_name, field.name, set('name')),
      input(text.field_label, field.label, set('label')),
      typeSelect(text.field_type, field.type || 'string', (kind) => { set('type')(kind); redraw(); }),
      input(text.field_required, field.required === 'true', (on) => set('required')(on ? 'true' : 'false'),
        { type: 'checkbox' }));
    if (CHOICE_TYPES.includes(field.type)) row.append(input(text.field_choices, field.choices, set('choices')));
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'form-field-remove';
    remove.textContent = text.field_remove;
    remove.addEventListener('click', () => {
      modeling.updateModdleProperties(element, form, { fields: fields.filter((f) => f !== field) });
      redraw();
    });
    row.append(remove);
    section.append(row);
  });
  const add = document.createElement('button');
  add.type = 'button';
  add.className = 'form-field-add';
  add.textContent = text.field_add;
  add.addEventListener('click', () => {
    const target = ensureForm(modeler, element);
    const current = target.get('fields');
    const field = modeler.get('moddle').create('inspectflow:Field', {
      name: unusedName(current), type: 'string', label: text.field_new_label, required: 'false' });
    field.$parent = target;
    modeling.updateModdleProperties(element, target, { fields: [...current, field] });
    redraw();
  });
  section.append(add);
  box.append(section);
}
