// The administrator's document templates (/admin/documents): a field's button puts the field's placeholder into
// its template at the cursor (replacing a selection), so the page explains the placeholder syntax in words and
// never shows it as text. Without this script the buttons do nothing and the field names stay listed.

document.addEventListener('click', (event) => {
  const button = event.target.closest('button.insert-field');
  if (!button) return;
  const area = document.getElementById(button.dataset.target);
  if (!area) return;
  area.setRangeText(`{{ ${button.dataset.field} }}`, area.selectionStart, area.selectionEnd, 'end');
  area.focus();
  area.dispatchEvent(new Event('input', { bubbles: true }));
});
