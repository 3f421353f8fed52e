// @ts-check
// The demo page: sign in (a sandbox relay session), connect a bank through the flow
// controller (credentials, MFA, progress, end screens), then manage members and read their
// accounts, transactions and premium data. No build step: plain modules the relay serves.
import init, { AtriumClient, MemberFlow } from '../pkg/web/atrium_wasm.js';
import { challengeForm, credentialForm } from './forms.js';
import { setupSearch } from './search.js';
import { describeStatus, statusLabel, statusTone } from './statuses.js';
import { showTransactions } from './transactions.js';
import { $, announce, describeError, el, field, formatMoney, formatWhen, isoDate, mask, showStep } from './ui.js';

/**
 * @typedef {import('../pkg/web/atrium_wasm.js').FlowResult} FlowResult
 * @typedef {import('../pkg/web/atrium_wasm.js').Member} Member
 * @typedef {import('../pkg/web/atrium_wasm.js').Institution} Institution
 * @typedef {import('../pkg/web/atrium_wasm.js').ConnectionStatus} ConnectionStatus
 */

const state = {
  /** @type {AtriumClient | null} */
  client: null,
  /** @type {string | null} */
  name: null,
  /** @type {Map<string, Institution>} */
  institutions: new Map(),
  /** @type {MemberFlow | null} */
  flow: null,
};
/** @returns {AtriumClient} */
const client = () => state.client;

// What survives a reload (this tab only): who is signed in, the running flow's snapshot
// (kept by the library under FLOW_KEY) and what the page showed about it.
const NAME_KEY = 'atrium-demo:name';
const FLOW_KEY = 'atrium-demo:flow';
const CONTEXT_KEY = 'atrium-demo:flow-context';
const keep = { persistKey: FLOW_KEY };

/**
 * @typedef {{ code: string, name?: string | null }} InstitutionRef
 * @typedef {{ title: string, institution?: InstitutionRef | null, memberGuid?: string | null,
 *   onConnected?: (result: FlowResult) => Promise<void> | void,
 *   oauth?: 'popup' | 'redirect', win?: Window | null }} FlowContext
 */

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
    state.name = name;
    const user = await client().readUser();
    $('whoami').textContent = `Signed in as ${user.identifier ?? name}`;
    $('whoami').title = user.guid;
    $('whoami').dataset.userGuid = user.guid;
    $('whoami').hidden = false;
    $('signout').hidden = false;
    sessionStorage.setItem(NAME_KEY, name);
    if (!resumeInterrupted()) await openHome();
  } catch (e) {
    $('signin-error').textContent = describeError(e);
  } finally {
    button.disabled = false;
  }
}

function signOut() {
  state.flow?.cancel();
  for (const key of [NAME_KEY, FLOW_KEY, CONTEXT_KEY]) sessionStorage.removeItem(key);
  state.client?.free();
  state.client = null;
  $('whoami').hidden = true;
  $('signout').hidden = true;
  field('name').value = '';
  showStep('signin');
  announce('Signed out');
}

/** Carries on the flow a reload or the OAuth redirect interrupted; false when there is none. */
function resumeInterrupted() {
  /** @type {FlowContext | null} */
  let context = null;
  try {
    context = JSON.parse(sessionStorage.getItem(CONTEXT_KEY) ?? 'null');
  } catch {
    context = null;
  }
  const fallback = { title: 'Carrying on with your connection' };
  if (new URLSearchParams(location.search).has('member_guid')) {
    // Back from the bank's page: the outcome and the member are in the address.
    const flow = client().resumeFromRedirect(location.href, keep);
    history.replaceState(null, '', location.pathname);
    runFlow(flow, { ...(context ?? fallback), oauth: 'redirect' });
    return true;
  }
  const flow = client().resumeSaved(FLOW_KEY);
  if (!flow) return false;
  runFlow(flow, context ?? fallback);
  return true;
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

// ── Connecting ─────────────────────────────────────────────────────────────────────────

async function pickInstitution(inst) {
  state.institutions.set(inst.code, inst);
  showStep('credentials');
  $('credentials-title').textContent = `Sign in to ${inst.name ?? inst.code}`;
  $('credentials-url').textContent = inst.url ?? '';
  const body = $('credentials-body');
  body.replaceChildren(el('p', { class: 'muted', text: 'Loading the sign-in form…' }));
  try {
    const credentials = await client().listInstitutionCredentials(inst.code);
    if (!credentials.length && inst.supports_oauth) {
      body.replaceChildren(
        el('p', { text: `${inst.name} signs you in on its own page. We never see your password.` }),
        el('button', {
          type: 'button',
          text: `Continue to ${inst.name}`,
          onclick: () => connectOAuth(inst),
        }),
      );
      return;
    }
    const form = credentialForm(credentials, { submitLabel: 'Connect', sandbox: true });
    form.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const answers = form.answers();
      if (answers) connect(inst, { institution_code: inst.code, credentials: answers });
    });
    body.replaceChildren(form.form);
    form.form.querySelector('input, select')?.focus();
  } catch (e) {
    body.replaceChildren(el('p', { class: 'error', role: 'alert', text: describeError(e) }));
  }
}

/**
 * @param {Institution} inst
 * @param {import('../pkg/web/atrium_wasm.js').CreateMemberOptions} options
 * @param {Partial<FlowContext>} [extra]
 */
function connect(inst, options, extra = {}) {
  let flow;
  try {
    flow = client().connect(options, keep);
  } catch (e) {
    // Bad input is refused before anything is sent.
    extra.win?.close();
    $('credentials-body').append(el('p', { class: 'error', role: 'alert', text: describeError(e) }));
    return;
  }
  runFlow(flow, { title: `Connecting to ${inst.name ?? inst.code}`, institution: inst, ...extra });
}

/** Narrow screens leave for the bank's page and come back (a redirect); wide ones open it
 * in a popup, opened in the click itself so that no popup blocker stops it. */
const narrow = () => matchMedia('(max-width: 600px)').matches;

/** A blank popup for the bank's page, opened in the click itself (the flow sends it there). */
const openBankWindow = () => window.open('', 'atrium-oauth', 'popup,width=480,height=720');

/** @param {Institution} inst */
function connectOAuth(inst) {
  if (narrow()) {
    const back = `${location.origin}${location.pathname}`;
    const options = { institution_code: inst.code, is_oauth: true, referral_source: /** @type {const} */ ('APP'), client_redirect_url: back };
    connect(inst, options, { oauth: 'redirect' });
    return;
  }
  const win = openBankWindow();
  connect(inst, { institution_code: inst.code, is_oauth: true }, { oauth: 'popup', win });
}

/** Signs in again at an OAuth bank: the member's own flow, carried on, opens its window. */
function signInAgain(memberGuid, context) {
  const win = narrow() ? null : openBankWindow();
  const flow = client().resume(memberGuid, 'connect', keep);
  runFlow(flow, { ...context, memberGuid, oauth: win ? 'popup' : 'redirect', win });
}

function refresh(member) {
  const name = member.name ?? member.institution_code;
  const flow = client().aggregate(member.guid, { waitIfBusy: true, ...keep });
  runFlow(flow, { title: `Refreshing ${name}`, institution: { code: member.institution_code, name }, memberGuid: member.guid });
}

/** @param {ConnectionStatus} status */
function addTimeline(status) {
  const time = new Date().toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  $('timeline').append(
    el(
      'li',
      { class: `tone-${statusTone(status)}`, 'data-status': status },
      el('time', { text: time }),
      el('strong', { text: statusLabel(status) }),
      el('span', { text: describeStatus(status) }),
    ),
  );
}

function showChallenges(flow, challenges) {
  const box = $('mfa');
  const form = challengeForm(challenges);
  form.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answers = form.answers();
    if (!answers) return;
    form.setBusy(true);
    try {
      await flow.answer(answers);
      box.replaceChildren(el('p', { class: 'muted', text: 'Answer sent. Waiting for your bank…' }));
      $('progress-bar').hidden = false;
    } catch (e) {
      form.setBusy(false);
      form.setError(describeError(e));
    }
  });
  box.replaceChildren(el('h3', { id: 'mfa-title', text: 'Your bank asks' }), form.form);
  box.hidden = false;
  $('progress-bar').hidden = true;
  form.form.querySelector('input, select')?.focus();
  announce(`Your bank asks: ${challenges.map((c) => c.label ?? c.field_name).join('; ')}`);
}

/**
 * The OAuth step: the bank's page is open in a popup (or could not be): the flow carries on
 * by itself when it ends there.
 * @param {MemberFlow} flow
 * @param {FlowContext} context
 */
function showOAuth(flow, context) {
  const name = context.institution?.name ?? 'your bank';
  const opened = flow.openOAuth(context.win ?? null);
  context.win = opened;
  const again = el('button', {
    type: 'button',
    class: 'secondary',
    text: opened ? `Open ${name}’s page again` : `Open ${name}’s page`,
    onclick: () => {
      context.win = flow.openOAuth(context.win && !context.win.closed ? context.win : null);
    },
  });
  $('mfa').replaceChildren(
    el('h3', { text: `Sign in at ${name}` }),
    el('p', { text: opened ? `Sign in on ${name}’s page in the window that opened. This page carries on by itself.` : `Your browser kept ${name}’s page from opening.` }),
    again,
  );
  $('mfa').hidden = false;
  announce(`Sign in at ${name} in the new window.`);
}

/**
 * Shows a flow's progress until it ends, then its end screen; `onConnected(result)` replaces
 * the default end screen of a success (premium actions go back to the member).
 * @param {MemberFlow} flow
 * @param {FlowContext} context
 */
async function runFlow(flow, context) {
  state.flow = flow;
  const { onConnected, win, ...lasting } = context;
  sessionStorage.setItem(CONTEXT_KEY, JSON.stringify(lasting));
  showStep('progress');
  $('progress-title').textContent = context.title;
  // Typed credentials and answers leave the page once sent.
  $('credentials-body').replaceChildren();
  $('result-body').replaceChildren();
  $('mfa').after($('timeline-box'));
  $('timeline').replaceChildren();
  $('mfa').replaceChildren();
  $('mfa').hidden = true;
  $('progress-bar').hidden = false;
  const cancel = $('cancel');
  cancel.hidden = false;
  cancel.onclick = () => flow.cancel();
  flow.on('status', (status) => {
    addTimeline(status);
    announce(`${statusLabel(status)}. ${describeStatus(status)}`);
  });
  flow.on('challenge', (challenges) => showChallenges(flow, challenges));
  // How many ends this page was told (the end-to-end tests check: once per flow).
  flow.on('end', () => {
    document.body.dataset.ends = String(Number(document.body.dataset.ends ?? '0') + 1);
  });
  flow.on('oauth', (request) => {
    if (context.oauth === 'redirect') {
      // The snapshot is kept (persistKey): the page that comes back carries the flow on.
      location.assign(request.oauth_window_uri);
      return;
    }
    showOAuth(flow, context);
  });
  // Whatever the API answers is an outcome: `done` never rejects.
  const result = await flow.done;
  if (state.flow === flow) state.flow = null;
  sessionStorage.removeItem(CONTEXT_KEY);
  if (context.win && !context.win.closed) context.win.close();
  document.body.dataset.firstReport = String(result.first_report);
  cancel.hidden = true;
  $('progress-bar').hidden = true;
  const memberGuid = result.member?.guid ?? context.memberGuid ?? null;
  if (result.outcome === 'connected' && context.onConnected) {
    await context.onConnected(result);
    return;
  }
  showResult(result, { ...lasting, memberGuid });
}

function actionButton(text, onclick, secondary = false) {
  return el('button', { type: 'button', class: secondary ? 'secondary' : null, text, onclick });
}

/**
 * @param {FlowResult} result
 * @param {{ institution?: { code: string, name?: string | null } | null, memberGuid?: string | null }} context
 */
function showResult(result, context) {
  const name = context.institution?.name ?? context.institution?.code ?? 'your bank';
  const status = result.connection_status;
  const body = $('result-body');
  const actions = $('result-actions');
  body.replaceChildren();
  actions.replaceChildren();
  const home = actionButton('Back to your connections', openHome, true);
  const retry = context.memberGuid
    ? actionButton('Try again', () => refresh({ guid: context.memberGuid, institution_code: context.institution?.code, name }))
    : null;
  let title;
  let text;
  switch (result.outcome) {
    case 'connected':
      title = `Connected to ${name}`;
      text = 'Your accounts and transactions are ready.';
      actions.append(actionButton('See your accounts', () => openMember(context.memberGuid)), home);
      break;
    case 'needs_credentials': {
      title = `${name} needs your credentials again`;
      text = describeStatus(status);
      const show = (credentials) => {
        const form = credentialForm(credentials, { submitLabel: 'Update and reconnect', sandbox: true });
        form.form.addEventListener('submit', (event) => {
          event.preventDefault();
          const answers = form.answers();
          if (!answers) return;
          const flow = client().updateCredentials(context.memberGuid, answers, keep);
          runFlow(flow, { ...context, title: `Reconnecting to ${name}` });
        });
        body.replaceChildren(el('h3', { text: 'Update your credentials' }), form.form);
      };
      if (result.member?.is_oauth) {
        // An OAuth bank takes no credentials here: its own page again.
        actions.append(actionButton(`Sign in at ${name} again`, () => signInAgain(context.memberGuid, context)));
      } else if (result.credentials?.length) show(result.credentials);
      else client().listMemberCredentials(context.memberGuid).then(show, (e) => body.append(el('p', { class: 'error', text: describeError(e) })));
      actions.append(home);
      break;
    }
    case 'needs_user_action':
      title = `${name} needs you`;
      text = describeStatus(status);
      if (result.error?.oauthReason === 'CLOSED') text = `The sign-in window was closed before ${name} answered.`;
      else if (result.error?.oauthReason) text = `${name}’s page ended without a connection (${result.error.oauthReason}).`;
      if (result.oauth_window_uri && context.memberGuid) {
        actions.append(actionButton(`Sign in at ${name}`, () => signInAgain(context.memberGuid, { ...context, title: `Connecting to ${name}` })));
      }
      actions.append(home);
      break;
    case 'cancelled':
      title = 'Cancelled';
      text = 'Nothing more will happen. You can try again at any time.';
      if (retry) actions.append(retry);
      actions.append(home);
      break;
    case 'busy':
      title = `${name} is busy`;
      text = 'Another update is running on this connection. Try again in a few minutes.';
      actions.append(home);
      break;
    case 'duplicate':
      title = `You have already connected ${name}`;
      text = 'A connection with these credentials exists. Refresh it from your connections instead.';
      if (result.member) {
        const existing = result.member;
        actions.append(actionButton(`Refresh ${name}`, () => refresh({ guid: existing.guid, institution_code: existing.institution_code, name })));
      }
      actions.append(home);
      break;
    case 'timed_out':
      title = 'This is taking too long';
      text = 'Your bank has not finished. Check back later: the connection goes on without you.';
      actions.append(home);
      break;
    default:
      title = status === 'REJECTED' ? 'That answer was not accepted' : `We could not connect to ${name}`;
      text = status ? describeStatus(status) : describeError(result.error);
      if (retry && status !== 'DISCONTINUED' && status !== 'CLOSED') actions.append(retry);
      actions.append(home);
  }
  if (!result.first_report) {
    // Another tab (or this one before a reload) already told of this end: act on it once.
    body.append(el('p', { class: 'muted', text: 'This result was already shown in another tab.' }));
  }
  $('result-title').textContent = title;
  $('result-text').textContent = text;
  document.body.dataset.outcome = result.outcome;
  // What happened stays in view under the end screen.
  actions.after($('timeline-box'));
  showStep('result');
  announce(`${title}. ${text}`);
}

// ── One member: accounts, transactions, premium data ────────────────────────────────────

const PREMIUM = [
  { key: 'verify', label: 'Verify account numbers', flag: 'supports_account_verification', doing: 'Verifying account numbers' },
  { key: 'identify', label: 'Identify owners', flag: 'supports_account_identification', doing: 'Identifying account owners' },
  { key: 'statements', label: 'Get statements', flag: 'supports_account_statement', doing: 'Fetching statements' },
  { key: 'history', label: 'Extend history', flag: 'supports_transaction_history', doing: 'Extending transaction history' },
  { key: 'balances', label: 'Check balances', flag: null, doing: 'Checking balances' },
];

function startPremium(member, inst, action) {
  const c = client();
  const o = { waitIfBusy: true, ...keep };
  const flows = {
    verify: () => c.verify(member.guid, o),
    identify: () => c.identify(member.guid, o),
    statements: () => c.fetchStatements(member.guid, o),
    history: () => c.extendHistory(member.guid, o),
    balances: () => c.checkBalances(member.guid, o),
  };
  runFlow(flows[action.key](), {
    title: action.doing,
    institution: inst,
    memberGuid: member.guid,
    onConnected: () => openMember(member.guid, action.key),
  });
}

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
    $('member-actions').replaceChildren(
      actionButton('Refresh', () => refresh(member)),
      ...PREMIUM.filter((p) => !p.flag || inst[p.flag]).map((p) => actionButton(p.label, () => startPremium(member, inst, p), true)),
    );
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
$('add').addEventListener('click', () => {
  showStep('find');
  $('search').focus();
  search.search();
});
for (const back of document.querySelectorAll('button.back')) {
  if (!(back instanceof HTMLElement)) continue;
  back.addEventListener('click', () => (back.dataset.to === 'home' ? openHome() : showStep(back.dataset.to)));
}
const search = setupSearch(client, pickInstitution);
document.body.dataset.ready = 'true';
// A reload (or the bank's redirect back) signs the same name in again and carries on.
const signedIn = sessionStorage.getItem(NAME_KEY);
if (signedIn) {
  field('name').value = signedIn;
  startSession(signedIn, $('signin-form').querySelector('button'));
}
