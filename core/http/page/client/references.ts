/**
 * Client script, part 5a: more than one reference. "Add a reference" adds a
 * drop zone below the first reference, up to `config.maxReferences` in all;
 * each added file is measured like the others (Master waits for it) and sent
 * as another `reference` part, in the order shown. Added zones are numbered
 * by position and renumbered when one is removed.
 */
export const CLIENT_REFERENCES = String.raw`
let addedReferences = 0;

/** The reference slots in the order they are sent: the first, then each added one as shown. */
function referenceSlotNames() {
  const added = Array.prototype.map.call(document.querySelectorAll('#extra-references .drop'), (zone) => zone.getAttribute('data-slot'));
  return ['reference'].concat(added);
}

/** Added reference slots that hold a file: the ones that are measured and sent. */
function chosenAddedReferences() {
  return referenceSlotNames().slice(1).filter((name) => slots[name].file);
}

function renumberReferences() {
  referenceSlotNames().forEach((name, index) => {
    if (index === 0) return;
    const title = 'Reference ' + (index + 1);
    SLOT_TITLES[name] = title;
    const zone = document.querySelector('.drop[data-slot="' + name + '"]');
    zone.querySelector('.title').textContent = title;
    zone.querySelector('.remove').setAttribute('aria-label', 'Remove ' + title.toLowerCase());
  });
  updateReferenceButtons();
}

function updateReferenceButtons() {
  const full = referenceSlotNames().length >= config.maxReferences;
  const add = byId('add-reference');
  add.disabled = busy || full;
  add.setAttribute('data-full', full ? 'true' : 'false');
  document.querySelectorAll('#extra-references .remove').forEach((button) => { button.disabled = busy; });
}

function addReference() {
  if (busy || referenceSlotNames().length >= config.maxReferences) return;
  addedReferences++;
  const name = 'reference-' + addedReferences;
  const inputId = 'file-' + name;
  slots[name] = { file: null, url: null, analysis: null, analysisPromise: null, generation: 0 };
  const zone = el('div', { class: 'drop', 'data-slot': name }, [
    el('button', { type: 'button', class: 'secondary remove', text: 'Remove' }),
    el('label', { for: inputId }, [el('span', { class: 'title' }), ' ', el('span', { class: 'role', text: '\u2014 another track it should sound like' })]),
    el('input', { id: inputId, type: 'file', accept: byId('file-reference').getAttribute('accept'), 'aria-describedby': inputId + '-info' }),
    el('p', { class: 'file-info', id: inputId + '-info', 'aria-live': 'polite' }),
  ]);
  byId('extra-references').appendChild(zone);
  zone.querySelector('.remove').addEventListener('click', () => removeReference(name));
  bindDropZone(zone);
  renumberReferences();
  byId(inputId).focus();
  updateControls();
}

function removeReference(name) {
  if (busy) return;
  resetSlot(slots[name]);
  delete slots[name];
  delete SLOT_TITLES[name];
  const zone = document.querySelector('.drop[data-slot="' + name + '"]');
  zone.parentNode.removeChild(zone);
  // A result belongs to the references it was mastered against.
  clearResult();
  renumberReferences();
  byId('add-reference').focus();
  updateControls();
}

function initReferences() {
  byId('add-reference').addEventListener('click', addReference);
  updateReferenceButtons();
}
`;
