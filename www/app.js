// The demo page: sign in (a sandbox relay session), then search institutions.
import init, { AtriumClient, AtriumError } from '/pkg/atrium_wasm.js';

const $ = (id) => document.getElementById(id);
const status = (text) => {
  $('status').textContent = text;
};

let client = null;
let searchSeq = 0;

async function signIn(event) {
  event.preventDefault();
  const name = $('name').value.trim();
  if (!name) return;
  status('');
  try {
    const response = await fetch('/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
    client = new AtriumClient({ relayUrl: location.origin, token: body.token });
    const user = await client.readUser();
    $('whoami').textContent = `Signed in as ${user.identifier} (${user.guid})`;
    $('whoami').dataset.userGuid = user.guid;
    $('signin').hidden = true;
    $('connect').hidden = false;
    $('search').focus();
    await search();
  } catch (e) {
    status(describe(e));
  }
}

function describe(e) {
  return e instanceof AtriumError ? `${e.message} (${e.code})` : String(e?.message ?? e);
}

function render(page) {
  const list = $('institutions');
  list.replaceChildren(
    ...page.items.map((inst) => {
      const li = document.createElement('li');
      li.dataset.code = inst.code;
      const logo = document.createElement('span');
      logo.className = 'logo';
      logo.setAttribute('aria-hidden', 'true');
      logo.textContent = (inst.name ?? inst.code).slice(0, 1);
      const text = document.createElement('div');
      const name = document.createElement('div');
      name.className = 'name';
      name.textContent = inst.name ?? inst.code;
      const url = document.createElement('div');
      url.className = 'url';
      url.textContent = inst.url ?? '';
      text.append(name, url);
      li.append(logo, text);
      return li;
    }),
  );
  const { total_entries } = page.pagination;
  $('count').textContent = `${total_entries} institution${total_entries === 1 ? '' : 's'}`;
}

async function search() {
  const seq = ++searchSeq;
  try {
    const page = await client.listInstitutions({ name: $('search').value, records_per_page: 25 });
    // A slower, older answer must not overwrite a newer one.
    if (seq === searchSeq) render(page);
  } catch (e) {
    if (seq === searchSeq) status(describe(e));
  }
}

let debounce = 0;
function onSearchInput() {
  clearTimeout(debounce);
  debounce = setTimeout(search, 200);
}

await init();
$('signin-form').addEventListener('submit', signIn);
$('search').addEventListener('input', onSearchInput);
document.body.dataset.ready = 'true';
