// The process owner's editor: bpmn-js Modeler on one version (or a blank diagram), with the server's checks
// pinned to the elements, deploying as a new version with its steps shown, and downloading the XML.
// The server runs every check again on deploy; nothing here is trusted.
import { createDiagram, format, messages, openDiagram, shapeFor } from './diagram-common.js';
import { attachProperties, attachSource } from './properties.js';

const root = document.getElementById('modeler');
const text = messages(root);
const byId = (id) => document.getElementById(id);
const statusBox = byId('modeler-status');
const problemList = byId('modeler-problems');
const steps = byId('modeler-steps');
const buttons = ['modeler-check', 'modeler-deploy', 'modeler-download'].map(byId);
const processIdInput = byId('process-id');
const processNameInput = byId('process-name');
const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const modeler = createDiagram(byId('modeler-canvas'));
window.inspectflowModeler = modeler; // for the browser tests and the curious
let dirty = false;
let marked = [];

function say(message, kind = '') {
  statusBox.className = kind;
  statusBox.replaceChildren(...[].concat(message));
}

function link(href, label) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = label;
  return a;
}

function busy(on) {
  buttons.forEach((button) => { button.disabled = on; });
}

function showStep(current, failed = false) {
  steps.hidden = false;
  const order = ['check', 'deploy', 'done'];
  for (const item of steps.children) {
    const position = order.indexOf(item.dataset.step) - order.indexOf(current);
    item.className = position < 0 ? 'done' : position === 0 ? (failed ? 'failed' : 'active') : '';
  }
}

function clearProblems() {
  const canvas = modeler.get('canvas');
  marked.forEach((shape) => canvas.removeMarker(shape, 'if-problem'));
  modeler.get('overlays').remove({ type: 'if-problem' });
  marked = [];
  problemList.replaceChildren();
}

function showProblems(problems) {
  clearProblems();
  const canvas = modeler.get('canvas');
  for (const problem of problems) {
    const item = document.createElement('li');
    const where = [];
    if (problem.element_id) where.push(`${text.element} ${problem.element_id}`);
    if (problem.line) where.push(format(text.line, { line: problem.line }));
    const label = `${where.join(' ') || text.whole_file}：${problem.reason}`;
    const shape = problem.element_id ? shapeFor(modeler, problem.element_id) : null;
    if (shape) {
      canvas.addMarker(shape, 'if-problem');
      modeler.get('overlays').add(shape, 'if-problem', {
        position: { top: -10, right: 10 }, html: '<div class="if-problem-badge" title="">!</div>',
      });
      marked.push(shape);
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.addEventListener('click', () => {
        modeler.get('selection').select(shape);
        canvas.scrollToElement(shape);
      });
      item.append(button);
    } else {
      item.textContent = label;
    }
    problemList.append(item);
  }
}

// A new diagram's process id and name come from the two fields above the canvas.
function applyIdentity() {
  if (!processIdInput) return true;
  const id = processIdInput.value.trim();
  if (!ID_PATTERN.test(id)) {
    say(text.id_invalid, 'message');
    processIdInput.focus();
    return false;
  }
  const process = modeler.get('canvas').getRootElement();
  const changes = {};
  if (process.businessObject.id !== id) changes.id = id;
  if ((process.businessObject.name || '') !== processNameInput.value.trim()) changes.name = processNameInput.value.trim();
  if (Object.keys(changes).length) modeler.get('modeling').updateProperties(process, changes);
  return true;
}

async function post(url, xml) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': root.dataset.csrfToken },
    body: JSON.stringify({ xml, source_name: root.dataset.sourceName }),
  });
  if (!(response.headers.get('Content-Type') || '').includes('application/json')) {
    throw new Error(response.redirected ? text.session : `HTTP ${response.status}`);
  }
  const body = await response.json();
  if (!response.ok && !(response.status === 422 && body.error && body.error.details.problems)) {
    throw new Error(body.error ? body.error.message : `HTTP ${response.status}`);
  }
  return body;
}

async function currentXml() {
  return (await modeler.saveXML({ format: true })).xml;
}

async function run(action) {
  busy(true);
  try {
    await action();
  } catch (error) {
    say(text.failed + error.message, 'message');
  } finally {
    busy(false);
  }
}

async function check() {
  if (!applyIdentity()) return;
  clearProblems();
  steps.hidden = true;
  say(text.checking + '…');
  const { problems } = await post(root.dataset.checkUrl, await currentXml());
  showProblems(problems);
  say(problems.length ? format(text.problems, { count: problems.length }) : text.no_problems,
    problems.length ? 'message' : 'flash-ok');
}

async function deploy() {
  if (!applyIdentity()) return;
  clearProblems();
  const xml = await currentXml();
  showStep('check');
  say(text.checking + '…');
  const checked = await post(root.dataset.checkUrl, xml);
  if (checked.problems.length) {
    showStep('check', true);
    showProblems(checked.problems);
    say(format(text.problems, { count: checked.problems.length }), 'message');
    return;
  }
  showStep('deploy');
  say(text.deploying + '…');
  const result = await post(root.dataset.deployUrl, xml);
  if (result.error) {
    showStep('deploy', true);
    showProblems(result.error.details.problems);
    say(format(text.problems, { count: result.error.details.problems.length }), 'message');
    return;
  }
  dirty = false;
  showStep('done');
  const labels = result.deployed.map((d) => d.label).join('、');
  steps.querySelector('[data-step="done"]').textContent = `${text.deployed} ${labels}`;
  const parts = [result.deployed.some((d) => d.unchanged) ? `${text.unchanged}：${labels}` : `${text.deployed}：${labels}`];
  for (const d of result.deployed) parts.push(' · ', link(d.edit_url, `${text.open_new} ${d.process_key} v${d.version}`));
  parts.push(' · ', link(root.dataset.backUrl || '/processes', text.back));
  say(parts, 'flash-ok');
}

async function download() {
  if (!applyIdentity()) return;
  const blob = new Blob([await currentXml()], { type: 'application/xml' });
  const a = link(URL.createObjectURL(blob), '');
  a.download = `${modeler.get('canvas').getRootElement().businessObject.id || 'diagram'}.bpmn`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

byId('modeler-check').addEventListener('click', () => run(check));
byId('modeler-deploy').addEventListener('click', () => run(deploy));
byId('modeler-download').addEventListener('click', () => run(download));
// The side box folds away to give the canvas the whole width; the canvas measures its box again after that.
const toggle = byId('modeler-properties-toggle');
toggle.addEventListener('click', () => {
  const folded = byId('modeler-properties').parentElement.classList.toggle('properties-folded');
  toggle.setAttribute('aria-expanded', String(!folded));
  modeler.get('canvas').resized();
});
window.addEventListener('resize', () => modeler.get('canvas').resized());
modeler.on(['commandStack.changed', 'inspectflow.sourceApplied'], () => { dirty = true; });
attachProperties(modeler, byId('modeler-properties'), text, JSON.parse(root.dataset.stages || '[]'));
attachSource(modeler, {
  details: byId('modeler-source'), textarea: byId('modeler-source-text'), applyButton: byId('modeler-source-apply'),
  report: (message, kind) => say(message, kind),
}, text);
window.addEventListener('beforeunload', (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = text.leave;
  }
});

run(async () => {
  say(text.loading);
  try {
    await openDiagram(modeler, root.dataset.xmlUrl);
  } catch (error) {
    say(text.load_failed + error.message, 'message');
    return;
  }
  if (processIdInput) {
    const process = modeler.get('canvas').getRootElement().businessObject;
    processIdInput.value = process.id;
    processNameInput.value = process.name || '';
  }
  say('');
  root.dataset.ready = 'true';
});
