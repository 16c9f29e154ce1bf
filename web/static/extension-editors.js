// The side box's editors for what a task keeps in its extensionElements (inspectflow-moddle.js): the fields of
// a user task's form (name, label, type, required, choices typed or taken from the case, a date's default of
// today, the kinds of file a file
// field takes, the yes/no a field depends on), a task's check points
// (a stage's rule checks or records, blocking or not), what a user task shows of its case and whom it copies the
// case to when it completes (抄送). Every change goes
// through bpmn-js commands, so undo and the "unsaved" warning see it; the server checks all of it again when the
// diagram is checked or deployed.

const FIELD_TYPES = ['string', 'text', 'integer', 'number', 'boolean', 'date', 'datetime', 'choice', 'multichoice',
  'file'];
const CHOICE_TYPES = ['choice', 'multichoice'];
// engine.bpmn.forms.CHOICE_SOURCES: a choice field's options taken from the case instead of typed here
const CHOICE_SOURCES = ['plan_inspectors', 'plan_items', 'complaint_agencies'];
// engine.bpmn.forms.ACCEPT_KINDS and DEFAULT_ACCEPT: the kinds of file a file field takes
const ACCEPT_KINDS = ['image', 'pdf', 'audio', 'video'];
const DEFAULT_ACCEPT = ['image', 'pdf'];
// engine.bpmn.case_view.CASE_SECTIONS, in the order the page shows them
const CASE_SECTIONS = ['enterprise', 'plan', 'urgent', 'quiet_request', 'notice', 'handover', 'visit',
  'rule_checks', 'complaint', 'penalty', 'opinions'];
// engine.bpmn.copies.COPY_GROUPS: the lanes people work
const COPY_GROUPS = ['执法人员', '单位负责人', '县综合执法办', '司法局'];

function extensionValues(businessObject) {
  const extensions = businessObject.extensionElements;
  return (extensions && extensions.get('values')) || [];
}

function formOf(businessObject) {
  return extensionValues(businessObject).find((v) => v.$type === 'inspectflow:Form') || null;
}

// Add `value` to the task's extensionElements (created when missing): one command.
function addExtension(modeler, element, value) {
  const modeling = modeler.get('modeling');
  const extensions = element.businessObject.extensionElements;
  if (extensions) {
    value.$parent = extensions;
    modeling.updateModdleProperties(element, extensions, { values: [...extensions.get('values'), value] });
  } else {
    const created = modeler.get('moddle').create('bpmn:ExtensionElements', { values: [value] });
    value.$parent = created;
    modeling.updateProperties(element, { extensionElements: created });
  }
}

function replaceExtensions(modeler, element, values) {
  const extensions = element.businessObject.extensionElements;
  values.forEach((value) => { value.$parent = extensions; });
  modeler.get('modeling').updateModdleProperties(element, extensions, { values });
}

function ensureForm(modeler, element) {
  const existing = formOf(element.businessObject);
  if (existing) return existing;
  const form = modeler.get('moddle').create('inspectflow:Form', { fields: [] });
  addExtension(modeler, element, form);
  return form;
}

// What the server will refuse about a field's name, said at once (the deploy's check has the last word).
function nameProblem(name, field, fields, text) {
  if (!/^\p{L}[\p{L}\p{N}_]*$/u.test(name || '')) return text.field_name_invalid;
  if (fields.some((other) => other !== field && other.name === name)) return text.field_name_taken;
  return '';
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

// A <select> of `options` ([value, text] pairs); a current value not among them is kept as an option.
function choose(labelText, options, value, onChange) {
  const label = document.createElement('label');
  label.textContent = labelText;
  const select = document.createElement('select');
  const known = options.some(([option]) => option === value);
  for (const [option, words] of known || !value ? options : [[value, value], ...options]) {
    select.append(new Option(words, option, false, option === value));
  }
  select.addEventListener('change', () => onChange(select.value));
  label.append(select);
  return label;
}

// A titled part of the box: a section under a heading, or one entry (a fieldset under its legend).
function titled(parent, tag, className, headingTag, headingText) {
  const part = document.createElement(tag);
  part.className = className;
  const heading = document.createElement(headingTag);
  if (headingTag === 'p') heading.className = 'properties-heading';
  heading.textContent = headingText;
  part.append(heading);
  parent.append(part);
  return part;
}

function button(className, words, onClick) {
  const made = document.createElement('button');
  made.type = 'button';
  made.className = className;
  made.textContent = words;
  made.addEventListener('click', onClick);
  return made;
}

// The form of the user task `element`; `redraw` shows the box again after a change of shape.
export function renderFormEditor(modeler, element, box, text, redraw) {
  const modeling = modeler.get('modeling');
  const form = formOf(element.businessObject);
  const fields = form ? form.get('fields') : [];
  const heading = fields.length ? text.form_fields : text.form_none;
  const part = titled(box, 'section', 'extension-editor form-editor', 'p', heading);
  const types = FIELD_TYPES.map((kind) => [kind, kind]);
  fields.forEach((field, index) => {
    const set = (name) => (value) => modeling.updateModdleProperties(element, field, { [name]: value });
    const legend = `${index + 1}. ${field.label || field.name}`;
    const fieldset = titled(part, 'fieldset', 'extension-row form-field', 'legend', legend);
    const hint = document.createElement('div');
    hint.className = 'error';
    const checkName = (name) => { hint.textContent = nameProblem(name, field, fields, text); };
    checkName(field.name);
    fieldset.append(
      input(text.field_name, field.name, (name) => { set('name')(name); checkName(name); }), hint,
      input(text.field_label, field.label, set('label')),
      choose(text.field_type, types, field.type || 'string', (kind) => { set('type')(kind); redraw(); }),
      input(text.field_required, field.required === 'true', (on) => set('required')(on ? 'true' : 'false'),
        { type: 'checkbox' }));
    if (CHOICE_TYPES.includes(field.type)) {
      const sources = [['', text.choices_typed], ...CHOICE_SOURCES.map((source) => [source, text[`choices_${source}`]])];
      fieldset.append(choose(text.field_choices_from, sources, field.choices_from || '', (source) => {
        set('choices_from')(source || undefined);
        redraw();
      }));
      if (!field.choices_from) fieldset.append(input(text.field_choices, field.choices, set('choices')));
    }
    if (field.type === 'file') {  // attachments: several files, a phone's camera
      for (const flag of ['multiple', 'capture']) {
        fieldset.append(input(text[`field_${flag}`], field[flag] === 'true',
          (on) => set(flag)(on ? 'true' : undefined), { type: 'checkbox' }));
      }
      fieldset.append(acceptEditor(field, text, set('accept'), redraw));
    }
    // Shown only when a yes/no of the same form is 是 (e.g. the recordings when 已全程音像记录 is ticked, R22).
    const flags = fields.filter((other) => other !== field && other.type === 'boolean');
    if (field.type !== 'boolean' && (flags.length || field.when)) {
      const options = [['', text.field_when_always], ...flags.map((f) => [f.name, f.label || f.name])];
      fieldset.append(choose(text.field_when, options, field.when || '', (name) => set('when')(name || undefined)));
    }
    if (field.type === 'date') {
      fieldset.append(input(text.field_default_today, field.default === 'today',
        (on) => set('default')(on ? 'today' : undefined), { type: 'checkbox' }));
    }
    fieldset.append(button('form-field-remove', text.field_remove, () => {
      modeling.updateModdleProperties(element, form, { fields: fields.filter((f) => f !== field) });
      redraw();
    }));
  });
  part.append(button('form-field-add', text.field_add, () => {
    const target = ensureForm(modeler, element);
    const current = target.get('fields');
    const field = modeler.get('moddle').create('inspectflow:Field', {
      name: unusedName(current), type: 'string', label: text.field_new_label, required: 'false' });
    field.$parent = target;
    modeling.updateModdleProperties(element, target, { fields: [...current, field] });
    redraw();
  }));
}

// The kinds of file a file field takes, as checkboxes; the default (photos and PDFs) leaves `accept` out, and so
// does unticking every kind.
function acceptEditor(field, text, setAccept, redraw) {
  const taken = field.accept ? field.accept.split(',').map((kind) => kind.trim()).filter(Boolean) : DEFAULT_ACCEPT;
  const group = document.createElement('div');
  group.className = 'field-accept';
  group.append(text.field_accept);
  for (const kind of ACCEPT_KINDS) {
    group.append(input(text[`accept_${kind}`], taken.includes(kind), (on) => {
      const wanted = ACCEPT_KINDS.filter((k) => (k === kind ? on : taken.includes(k)));
      setAccept(wanted.length && wanted.join() !== DEFAULT_ACCEPT.join() ? wanted.join(',') : undefined);
      redraw();
    }, { type: 'checkbox' }));
  }
  return group;
}

const HOOK_TYPES = ['inspectflow:Checks', 'inspectflow:Action'];

// The task's check points: which stage runs before it completes, as rule checks or as records, and whether a
// refusal blocks it. `stages` are the [name, words] the server has registered.
export function renderCheckPointEditor(modeler, element, box, text, stages, redraw) {
  const modeling = modeler.get('modeling');
  const values = extensionValues(element.businessObject);
  const hooks = values.filter((v) => HOOK_TYPES.includes(v.$type));
  const heading = hooks.length ? text.hooks : text.hooks_none;
  const part = titled(box, 'section', 'extension-editor hook-editor', 'p', heading);
  const kinds = [['inspectflow:Checks', text.hook_checks], ['inspectflow:Action', text.hook_action]];
  hooks.forEach((hook, index) => {
    const fieldset = titled(part, 'fieldset', 'extension-row hook', 'legend', `${index + 1}. ${hook.stage || ''}`);
    fieldset.append(
      choose(text.hook_kind, kinds, hook.$type, (kind) => {
        const swapped = modeler.get('moddle').create(kind, { stage: hook.stage, blocking: hook.blocking });
        replaceExtensions(modeler, element, values.map((v) => (v === hook ? swapped : v)));
        redraw();
      }),
      choose(text.hook_stage, stages, hook.stage,
        (stage) => modeling.updateModdleProperties(element, hook, { stage })),
      input(text.hook_blocking, hook.blocking === 'true',
        (on) => modeling.updateModdleProperties(element, hook, { blocking: on ? 'true' : 'false' }),
        { type: 'checkbox' }),
      button('hook-remove', text.hook_remove, () => {
        replaceExtensions(modeler, element, values.filter((v) => v !== hook));
        redraw();
      }));
  });
  part.append(button('hook-add', text.hook_add, () => {
    const [first] = stages[0] || [''];
    const hook = modeler.get('moddle').create('inspectflow:Checks', { stage: first, blocking: 'false' });
    addExtension(modeler, element, hook);
    redraw();
  }));
}

// What the user task shows of its case above its form (inspectflow:shows): the sections and the earlier steps
// (user task ids, comma-separated) whose opinions it shows. Declaring nothing shows every section that applies.
export function renderCaseEditor(modeler, element, box, text, redraw) {
  const modeling = modeler.get('modeling');
  const values = extensionValues(element.businessObject);
  const shows = values.find((v) => v.$type === 'inspectflow:Shows') || null;
  const part = titled(box, 'section', 'extension-editor shows-editor', 'p', shows ? text.shows : text.shows_default);
  if (!shows) {
    part.append(button('shows-declare', text.shows_declare, () => {
      const all = CASE_SECTIONS.join(',');
      addExtension(modeler, element, modeler.get('moddle').create('inspectflow:Shows', { sections: all }));
      redraw();
    }));
    return;
  }
  const chosen = (shows.sections || '').split(',').map((name) => name.trim()).filter(Boolean);
  CASE_SECTIONS.forEach((name) => part.append(input(text[`section_${name}`] || name, chosen.includes(name), (on) => {
    const sections = CASE_SECTIONS.filter((other) => (other === name ? on : chosen.includes(other)));
    modeling.updateModdleProperties(element, shows, { sections: sections.join(',') });
    redraw();
  }, { type: 'checkbox' })));
  part.append(
    input(text.shows_opinions, shows.opinions, (opinions) => modeling.updateModdleProperties(element, shows,
      { opinions: opinions.trim() || undefined })),
    button('shows-remove', text.shows_remove, () => {
      replaceExtensions(modeler, element, values.filter((v) => v !== shows));
      redraw();
    }));
}

// Whom the user task copies its case to when it completes (inspectflow:copy, 抄送): the groups as checkboxes; the
// declaration goes when the last group is unticked.
export function renderCopyEditor(modeler, element, box, text, redraw) {
  const values = extensionValues(element.businessObject);
  const copy = values.find((v) => v.$type === 'inspectflow:Copy') || null;
  const chosen = copy ? (copy.to || '').split(',').map((name) => name.trim()).filter(Boolean) : [];
  const part = titled(box, 'section', 'extension-editor copy-editor', 'p', copy ? text.copy : text.copy_none);
  COPY_GROUPS.forEach((group) => part.append(input(group, chosen.includes(group), (on) => {
    const groups = COPY_GROUPS.filter((other) => (other === group ? on : chosen.includes(other)));
    if (!copy) {
      addExtension(modeler, element, modeler.get('moddle').create('inspectflow:Copy', { to: groups.join(',') }));
    } else if (!groups.length) {
      replaceExtensions(modeler, element, values.filter((v) => v !== copy));
    } else {
      modeler.get('modeling').updateModdleProperties(element, copy, { to: groups.join(',') });
    }
    redraw();
  }, { type: 'checkbox' })));
}
