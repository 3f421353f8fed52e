// @ts-check
// The demo page: sign in (a sandbox relay session), then the connections. Connecting one,
// refreshing it, updating its credentials and asking for premium data are each a run of
// <atrium-connect>; this page keeps only the sign-in, the list of connections and what is
// read of one (accounts, transactions, premium data). No build step: plain modules the
// relay serves.
import init, { AtriumClient } from '../pkg/web/atrium_wasm.js';
import { defineAtriumConnect } from '../pkg/connect/index.js';
import { describeStatus, statusLabel, statusTone } from './statuses.js';
import { showTransactions } from './transactions.js';
import { $, announce, describeError, el, field, formatMoney, formatWhen, isoDate, mask, showStep } from './ui.js';

/**
 * @typedef {import('../pkg/web/atrium_wasm.js').Member} Member
 * @typedef {import('../pkg/web/atrium_wasm.js').Institution} Institution
 * @typedef {import('../pkg/web/atrium_wasm.js').ConnectionStatus} ConnectionStatus
 * @typedef {import('../pkg/connect/index.js').AtriumConnectMode} AtriumConnectMode
 * @typedef {import('../pkg/connect/index.js').AtriumSuccessDetail} AtriumSuccessDetail
 * @typedef {import('../pkg/connect/index.js').AtriumExitDetail} AtriumExitDetail
 * @typedef {import('../pkg/connect/index.js').AtriumEventDetail} AtriumEventDetail
 */

/**
 * What the element was opened for: its mode, the member it acts on, and the premium panel
 * this page shows once it succeeds.
 * @typedef {{ mode: AtriumConnectMode, memberGuid?: string | null, panel?: string | null,
 *   oauth: 'popup' | 'redirect' }} Task
 */

const state = {
  /** @type {AtriumClient | null} */
  client: null,
  /** The session's token function, shared by this page's client and the element's. */
  /** @type {(() => Promise<string>) | null} */
  token: null,
  /** @type {string | null} */
  userGuid: null,
  /** @type {Map<string, Institution>} */
  institutions: new Map(),
};
/** @returns {AtriumClient} */
const client = () => state.client;

// What survives a reload (this tab only): who is signed in, the element's flow (kept by the
// library under FLOW_KEY, the element's persist-key) and what the element was opened for.
const NAME_KEY = 'atrium-demo:name';
const FLOW_KEY = 'atrium-demo:flow';
const TASK_KEY = 'atrium-demo:task';

// ── Sign in ────────────────────────────────────────────────────────────────────────────

async function mintSession(name) {
  const response = await fetch('/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message ?? `The relay answered ${response.status}.`);
  return body;
}

async function signIn(event) {
  event.preventDefault();
  await startSession(field('name').value.trim(), event.submitter ?? $('signin-form').querySelector('button'));
}

/** Signs `name` in (a form's button is disabled meanwhile); then carries on a flow a reload
 * or an OAuth redirect interrupted, or shows the connections. */
async function startSession(name, button) {
  $('signin-error').textContent = '';
  if (!name) {
    $('signin-error').textContent = 'Please enter a name.';
    $('name').focus();
    return;
  }
  button.disabled = true;
  try {
    const session = await mintSession(name);
    let first = session.token;
    // The library asks again after a 401 (an expired session): the demo mints a new one,
    // so expiry is never the page's problem.
    const token = async () => {
      const t = first ?? (await mintSession(name)).token;
      first = null;
      return t;
    };
    state.client = new AtriumClient({ relayUrl: location.origin, token, userGuid: session.user_guid });
    state.token = token;
    state.userGuid = session.user_guid;
    const user = await client().readUser();
    $('whoami').textContent = `Signed in as ${user.identifier ?? name}`;
    $('whoami').title = user.guid;
    $('whoami').dataset.userGuid = user.guid;
    $('whoami').hidden = false;
    $('signout').hidden = false;
    sessionStorage.setItem(NAME_KEY, name);
    // A task the element had going when the page went away (a reload, the bank's redirect
    // back) carries on; else the connections.
    const task = savedTask();
    if (task) openConnect(task);
    else await openHome();
  } catch (e) {
    $('signin-error').textContent = describeError(e);
  } finally {
    button.disabled = false;
  }
}

function signOut() {
  // Taken out of the page, the element cancels its flow.
  $('connect-host').replaceChildren();
  for (const key of [NAME_KEY, FLOW_KEY, TASK_KEY]) sessionStorage.removeItem(key);
  state.client?.free();
  state.client = null;
  $('whoami').hidden = true;
  $('signout').hidden = true;
  field('name').value = '';
  showStep('signin');
  announce('Signed out');
}

// ── Members ────────────────────────────────────────────────────────────────────────────

async function institution(code) {
  if (!state.institutions.has(code)) state.institutions.set(code, await client().readInstitution(code));
  return state.institutions.get(code);
}

/** @param {ConnectionStatus | null} status */
function badge(status) {
  return el('span', { class: `badge ${statusTone(status)}`, text: statusLabel(status) });
}

/** @param {Member} member */
function memberItem(member) {
  const actions = el('div', { class: 'actions' });
  const name = member.name ?? member.institution_code ?? member.guid;
  const remove = () => {
    actions.replaceChildren(
      el('span', { text: `Remove ${name}?` }),
      el('button', {
        type: 'button',
        class: 'danger',
        text: 'Remove for good',
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            await client().deleteMember(member.guid);
            announce(`${name} removed`);
            await openHome();
          } catch (e) {
            $('home-error').textContent = describeError(e);
          }
        },
      }),
      el('button', { type: 'button', class: 'secondary', text: 'Keep', onclick: () => openHome() }),
    );
    actions.querySelector('button').focus();
  };
  actions.append(
    el('button', { type: 'button', text: 'View', 'aria-label': `View ${name}`, onclick: () => openMember(member.guid) }),
    el('button', { type: 'button', class: 'secondary', text: 'Refresh', 'aria-label': `Refresh ${name}`, onclick: () => refresh(member) }),
    el('button', { type: 'button', class: 'secondary', text: 'Remove', 'aria-label': `Remove ${name}`, onclick: remove }),
  );
  return el(
    'li',
    { 'data-member': member.guid },
    el(
      'div',
      { class: 'text' },
      el('div', { class: 'name', text: name }),
      el('div', { class: 'muted', text: `Updated ${formatWhen(member.successfully_aggregated_at)}` }),
    ),
    badge(member.connection_status),
    actions,
  );
}

async function openHome() {
  $('home-error').textContent = '';
  showStep('home');
  try {
    const members = await client().all('listMembers', { records_per_page: 100 });
    $('members').replaceChildren(...members.map(memberItem));
    $('members-empty').hidden = members.length > 0;
  } catch (e) {
    $('home-error').textContent = describeError(e);
  }
}

// ── Connecting: <atrium-connect> ──────────────────────────────────────────────────────

/**
 * How an OAuth bank's page opens: narrow screens leave for it and come back (a redirect),
 * wide ones open it in a popup.
 * @returns {'popup' | 'redirect'}
 */
const oauthWay = () => (matchMedia('(max-width: 600px)').matches ? 'redirect' : 'popup');

/** The task the element was doing when the page went away (a reload, an OAuth redirect), if any. */
function savedTask() {
  try {
    return JSON.parse(sessionStorage.getItem(TASK_KEY) ?? 'null');
  } catch {
    return null;
  }
}

/**
 * Shows the element doing `task`; a flow it already had going (a reload, the bank's redirect
 * back) is carried on from its persist-key.
 * @param {Task} task
 */
function openConnect(task) {
  const element = document.createElement('atrium-connect');
  element.token = state.token;
  element.userGuid = state.userGuid;
  element.persistKey = FLOW_KEY;
  element.oauth = task.oauth;
  element.locale = 'en';
  if (task.memberGuid) {
    element.memberGuid = task.memberGuid;
    element.mode = task.mode;
  }
  element.addEventListener('atrium-event', (event) => event.detail.type === 'step' && stepped(task, event.detail));
  element.addEventListener('atrium-success', (event) => succeeded(task, event.detail));
  element.addEventListener('atrium-exit', (event) => left(event.detail));
  $('connect-actions').replaceChildren();
  $('connect-host').replaceChildren(element);
  showStep('connect');
  element.focus();
}

/**
 * Keeps the saved task, from the element's first step, as long as it has something to carry
 * on (a reload then reopens it), and offers the way on from its success step.
 * @param {Task} task
 * @param {Extract<AtriumEventDetail, { type: 'step' }>} detail
 */
function stepped(task, detail) {
  if (detail.step === 'success' || detail.step === 'failure' || detail.step === 'closed') {
    // Ended: a reload must not run a refresh or a premium process again.
    sessionStorage.removeItem(TASK_KEY);
  } else {
    sessionStorage.setItem(TASK_KEY, JSON.stringify(task));
  }
  if (detail.step !== 'success') return;
  // Also when this run's success was told to another tab already (no atrium-success here).
  const guid = detail.member_guid ?? task.memberGuid;
  $('connect-actions').replaceChildren(
    actionButton('See your accounts', () => openMember(guid)),
    actionButton('Back to your connections', openHome, true),
  );
}

/**
 * @param {Task} task
 * @param {AtriumSuccessDetail} detail
 */
function succeeded(task, detail) {
  const guid = /** @type {string | undefined} */ (detail.member?.guid) ?? task.memberGuid;
  // A premium run's data is this page's to show.
  if (task.panel) openMember(guid, task.panel);
}

/** @param {AtriumExitDetail} detail */
function left(detail) {
  sessionStorage.removeItem(TASK_KEY);
  openHome();
  if (detail.outcome === 'cancelled') announce('Cancelled. Nothing more will happen.');
}

function actionButton(text, onclick, secondary = false) {
  return el('button', { type: 'button', class: secondary ? 'secondary' : null, text, onclick });
}

/** @param {{ guid: string }} member */
const refresh = (member) => openConnect({ mode: 'aggregate', memberGuid: member.guid, oauth: oauthWay() });

// ── One member: accounts, transactions, premium data ────────────────────────────────────

/**
 * The premium processes, each a mode of the element, and the panel this page shows after.
 * @type {Array<{ key: string, mode: AtriumConnectMode, label: string, flag: string | null, doing: string }>}
 */
const PREMIUM = [
  { key: 'verify', mode: 'verify', label: 'Verify account numbers', flag: 'supports_account_verification', doing: 'Verifying account numbers' },
  { key: 'identify', mode: 'identify', label: 'Identify owners', flag: 'supports_account_identification', doing: 'Identifying account owners' },
  { key: 'statements', mode: 'fetch-statements', label: 'Get statements', flag: 'supports_account_statement', doing: 'Fetching statements' },
  { key: 'history', mode: 'extend-history', label: 'Extend history', flag: 'supports_transaction_history', doing: 'Extending transaction history' },
  { key: 'balances', mode: 'check-balances', label: 'Check balances', flag: null, doing: 'Checking balances' },
];

function table(caption, headers, rows) {
  return el(
    'table',
    {},
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', { text: c }))))),
  );
}

async function premiumPanel(key, member, accounts) {
  const c = client();
  const names = new Map(accounts.map((a) => [a.guid, a.name ?? a.guid]));
  switch (key) {
    case 'verify': {
      const numbers = await c.listAccountNumbers({ member_guid: member.guid });
      return table(
        'Verified account numbers (masked)',
        ['Account', 'Account number', 'Routing number'],
        numbers.map((n) => [names.get(n.account_guid) ?? n.account_guid, mask(n.account_number), mask(n.routing_number)]),
      );
    }
    case 'identify': {
      const owners = await c.listAccountOwners(member.guid);
      return table(
        'Account owners',
        ['Account', 'Owner', 'Address', 'Email'],
        owners.map((o) => [
          names.get(o.account_guid) ?? o.account_guid ?? '',
          o.owner_name ?? '',
          [o.address, o.city, o.state, o.postal_code].filter(Boolean).join(', '),
          o.email ?? '',
        ]),
      );
    }
    case 'statements': {
      const statements = await c.all('listStatements', { member_guid: member.guid });
      return el(
        'div',
        {},
        el('h3', { text: `${statements.length} statement${statements.length === 1 ? '' : 's'}` }),
        el(
          'ul',
          { class: 'statements' },
          statements.map((s) =>
            el(
              'li',
              {},
              `${names.get(s.account_guid) ?? 'Account'} — ${formatWhen(s.created_at)} `,
              el('button', {
                type: 'button',
                class: 'secondary',
                text: 'Download PDF',
                onclick: async () => {
                  const bytes = await c.downloadStatementPdf(member.guid, s.guid);
                  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
                  const a = el('a', { href: url, download: `statement-${s.guid}.pdf` });
                  a.click();
                  setTimeout(() => URL.revokeObjectURL(url), 10_000);
                },
              }),
            ),
          ),
        ),
      );
    }
    case 'history':
      return el('p', { text: 'History extended: up to 24 months of transactions are below.' });
    case 'balances':
      return el('p', { text: `Balances checked with ${member.name ?? 'your bank'} just now.` });
    default:
      return null;
  }
}

function accountItem(a) {
  const balance = a.balance ?? a.available_balance;
  return el(
    'li',
    { 'data-account': a.guid },
    el('div', { class: 'name', text: a.name ?? 'Account' }),
    el('div', { class: 'muted', text: [a.type, a.subtype].filter(Boolean).join(' · ').toLowerCase() }),
    el('div', { class: 'balance', text: formatMoney(balance, a.currency_code) }),
    a.available_balance !== null && a.available_balance !== balance
      ? el('div', { class: 'muted', text: `Available ${formatMoney(a.available_balance, a.currency_code)}` })
      : null,
  );
}

async function openMember(guid, panel = null) {
  showStep('member');
  $('member-error').textContent = '';
  $('accounts').replaceChildren();
  $('tx-count').textContent = 'Loading transactions…';
  $('tx-body').replaceChildren();
  $('tx-chart').replaceChildren();
  $('premium').hidden = true;
  const c = client();
  try {
    const member = await c.readMember(guid);
    const inst = await institution(member.institution_code);
    const name = member.name ?? inst.name ?? member.institution_code;
    $('member-title').textContent = name;
    $('member-status').replaceChildren(
      badge(member.connection_status),
      ` ${describeStatus(member.connection_status)} Last updated ${formatWhen(member.successfully_aggregated_at)}.`,
    );
    const oauth = oauthWay();
    const premium = PREMIUM.filter((p) => !p.flag || inst[p.flag]);
    const actions = [actionButton('Refresh', () => refresh(member))];
    // An OAuth bank takes no credentials: the element signs the person in at its page again.
    const update = member.is_oauth ? `Sign in at ${name} again` : 'Update credentials';
    actions.push(actionButton(update, () => openConnect({ mode: 'update-credentials', memberGuid: guid, oauth }), true));
    for (const p of premium) actions.push(actionButton(p.label, () => openConnect({ mode: p.mode, memberGuid: guid, panel: p.key, oauth }), true));
    $('member-actions').replaceChildren(...actions);
    const accounts = await c.all('listAccounts', { member_guid: guid });
    $('accounts').replaceChildren(...accounts.map(accountItem));
    if (panel) {
      const content = await premiumPanel(panel, member, accounts);
      $('premium').replaceChildren(content);
      $('premium').hidden = false;
      $('premium').focus();
      announce(`${PREMIUM.find((p) => p.key === panel).doing}: done.`);
    }
    const today = new Date();
    const from = new Date(today);
    from.setUTCMonth(from.getUTCMonth() - 24);
    const ahead = new Date(today.getTime() + 5 * 86_400_000);
    const transactions = await c.all('listTransactions', {
      member_guid: guid,
      from_date: isoDate(from),
      to_date: isoDate(ahead),
      records_per_page: 1000,
      concurrency: 4,
    });
    showTransactions(transactions, accounts);
    document.body.dataset.loaded = guid;
  } catch (e) {
    $('member-error').textContent = describeError(e);
  }
}

// ── Start ──────────────────────────────────────────────────────────────────────────────

await init();
$('signin-form').addEventListener('submit', signIn);
$('signout').addEventListener('click', signOut);
defineAtriumConnect();
$('add').addEventListener('click', () => openConnect({ mode: 'connect', oauth: oauthWay() }));
for (const back of document.querySelectorAll('button.back')) back.addEventListener('click', () => openHome());
document.body.dataset.ready = 'true';
// A reload (or the bank's redirect back) signs the same name in again and carries on.
const signedIn = sessionStorage.getItem(NAME_KEY);
if (signedIn) {
  field('name').value = signedIn;
  startSession(signedIn, $('signin-form').querySelector('button'));
}
