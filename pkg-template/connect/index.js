// <atrium-connect>: the whole connect experience (search, credentials, every challenge,
// OAuth, progress, every end and its retry) in shadow DOM, built only on the library's
// public API. Nothing runs at import: `defineAtriumConnect()` registers the element, and the
// module may be imported where there is no DOM (server rendering).
import init, { AtriumClient } from '../web/atrium_wasm.js';
import { button, h, logo, setBusy } from './dom.js';
import { challengeForm, credentialForm } from './forms.js';
import { pickLocale, translator } from './messages.js';
import { styleSheet } from './styles.js';

export { catalogs, translator } from './messages.js';

const Base = globalThis.HTMLElement ?? class {};

/**
 * The member modes besides `connect` and `update-credentials`, by the process each runs
 * (`client.runProcess`, and a flow's `then` for the premium ones).
 */
const PROCESSES = {
  aggregate: 'aggregate',
  verify: 'verify',
  identify: 'identify',
  'extend-history': 'extend_history',
  'fetch-statements': 'fetch_statements',
  'check-balances': 'balance',
};

/**
 * The attributes reflected as properties, each with its value when absent: one table gives
 * the accessors (defined after the class) and `observedAttributes`; `token` and `oauth`
 * have accessors of their own.
 */
const REFLECTED = {
  relayUrl: ['relay-url', ''],
  userGuid: ['user-guid', null],
  institution: ['institution', null],
  memberGuid: ['member-guid', null],
  mode: ['mode', 'connect'],
  locale: ['locale', () => globalThis.navigator?.language || 'en'],
  colorScheme: ['color-scheme', 'auto'],
  persistKey: ['persist-key', null],
  redirectUrl: ['redirect-url', null],
};

const ATTRIBUTES = [...Object.values(REFLECTED).map(([attribute]) => attribute), 'token', 'oauth'];

/** Sets an attribute, or removes it for null and undefined. */
function reflect(element, attribute, value) {
  if (value === null || value === undefined) element.removeAttribute(attribute);
  else element.setAttribute(attribute, value);
}

/** What the bank's page adds to the address it sends the person back to (reference §11). */
const REDIRECT_PARAMS = ['status', 'member_guid', 'error_reason'];

/** Where the element notes the member it sent to the bank's page, so that it knows its return. */
const REDIRECT_MARK = 'atrium-connect:redirected-member';

/** This tab's `sessionStorage`, or null where it is missing or refused (private modes, sandboxed frames). */
function storage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export class AtriumConnectElement extends Base {
  static get observedAttributes() {
    return ATTRIBUTES;
  }

  #root;
  #live;
  #token = null;
  #messages = {};
  #client = null;
  #run = 0;
  #step = null;
  #rerender = null;
  #flow = null;
  #settled = true;
  #institution = null;
  #memberGuid = null;
  #oauthWindow = null;
  #lastStatus = null;
  #container = null;
  #searchTimer = 0;
  /** The element was taken out of the page and its run ended; adding it back starts anew. */
  #tornDown = false;
  /** The words in the current locale and overrides, made once for both (Intl objects inside). */
  #words = null;
  /** `focus(options)` came before the first step: its heading takes focus (so) when it shows. */
  #focusFirst = null;
  /** The run's member signs in at its bank's page (OAuth), as far as the run knows. */
  #oauthBank = false;
  /** The run's settings, read once at its start. */
  #given = {};
  /** The heading key of the progress step: what the flow being followed does. */
  #progressKey = 'progress.title';

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = [styleSheet()];
    this.#live = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  }

  /** A relay token, or a function that returns one (asked again when it expires). */
  get token() {
    return this.#token ?? this.getAttribute('token');
  }
  set token(v) {
    this.#token = v;
  }
  /** How an OAuth bank's page opens: `popup` (the default) or `redirect` (this tab leaves and comes back). */
  get oauth() {
    return this.getAttribute('oauth') === 'redirect' ? 'redirect' : 'popup';
  }
  set oauth(v) {
    reflect(this, 'oauth', v);
  }
  /** Overrides of the catalog's words, by key (see `catalogs.en`). */
  get messages() {
    return this.#messages;
  }
  set messages(v) {
    const next = v ?? {};
    // An equal object (a React parent's inline literal on each render) redraws nothing.
    if (JSON.stringify(next) === JSON.stringify(this.#messages)) return;
    this.#messages = next;
    this.#words = null;
    this.#rerender?.();
  }
  /** The step shown: loading, search, credentials, connecting, challenge, oauth, success, failure or closed. */
  get step() {
    return this.#step;
  }

  /**
   * Moves focus into the element (the step's heading); from then on focus follows its steps.
   * Called before the first step shows, it takes effect when that step does.
   */
  focus(options) {
    const heading = this.#container?.querySelector('h2');
    if (heading) heading.focus(options);
    else this.#focusFirst = options ?? {};
  }

  connectedCallback() {
    // Properties set right after the element is added still count for its first run; an
    // element whose run ended when it was taken out starts a new one.
    queueMicrotask(() => {
      if (!this.isConnected || (this.#run !== 0 && !this.#tornDown)) return;
      this.#tornDown = false;
      this.start();
    });
  }

  disconnectedCallback() {
    // Moved (taken out and put back in the same task): nothing ends. Removed: nothing is
    // left running, and no event follows.
    queueMicrotask(() => {
      if (this.isConnected || this.#run === 0) return;
      this.#run++;
      this.#settled = true;
      this.#tornDown = true;
      this.#stop();
    });
  }

  /** Ends what the current run has going: its flow, its OAuth window, its search timer. */
  #stop() {
    this.#flow?.cancel();
    this.#flow = null;
    this.#closeOAuthWindow();
    clearTimeout(this.#searchTimer);
  }

  #closeOAuthWindow() {
    if (this.#oauthWindow && !this.#oauthWindow.closed) this.#oauthWindow.close();
    this.#oauthWindow = null;
  }

  attributeChangedCallback(name, before, after) {
    if (name !== 'locale' || before === after) return;
    this.#words = null;
    this.#rerender?.();
  }

  get #t() {
    this.#words ??= translator(this.locale, this.#messages);
    return this.#words;
  }

  /** Starts (again) from the first step: a new run, whose end is told once. */
  async start() {
    const run = ++this.#run;
    this.#stop();
    this.#settled = false;
    this.#institution = null;
    this.#oauthBank = false;
    // What this run does is what the element said at its start: a change counts from the next.
    this.#given = {
      options: this.#options(),
      mode: this.mode,
      institution: this.institution,
      memberGuid: this.memberGuid,
      persistKey: this.persistKey,
      oauth: this.oauth,
      redirectUrl: this.redirectUrl,
    };
    this.#memberGuid = this.#given.memberGuid;
    this.#loading();
    try {
      await init();
      const client = new AtriumClient(this.#given.options);
      if (run !== this.#run) return client.free();
      this.#client?.free();
      this.#client = client;
      const resumed = this.#resumed();
      if (resumed) return await this.#carryOn(run, resumed);
      await this.#begin(run);
    } catch (e) {
      this.#failed(run, e, null);
    }
  }

  #options() {
    const options = { relayUrl: this.relayUrl || globalThis.location?.origin || '', token: this.token };
    if (this.userGuid) options.userGuid = this.userGuid;
    return options;
  }

  /** The flow options of every flow the element starts. */
  #flowOptions() {
    return this.#given.persistKey ? { persistKey: this.#given.persistKey } : undefined;
  }

  /**
   * The flow an OAuth redirect or a reload interrupted, if any: back from the bank's page
   * (its parameters then leave the address), else the one kept under `persist-key`.
   */
  #resumed() {
    const here = globalThis.location ? new URL(globalThis.location.href) : null;
    // Only a return this element left for: another `member_guid` in the address is the app's.
    const left = storage()?.getItem(REDIRECT_MARK);
    if (this.#given.oauth === 'redirect' && left && here?.searchParams.get('member_guid') === left) {
      storage()?.removeItem(REDIRECT_MARK);
      const flow = this.#client.resumeFromRedirect(here.href, this.#flowOptions());
      for (const name of REDIRECT_PARAMS) here.searchParams.delete(name);
      globalThis.history.replaceState(globalThis.history.state, '', here.href);
      return flow;
    }
    return this.#saved();
  }

  /** The flow kept under `persist-key`; one that cannot be carried on is dropped, not a dead end. */
  #saved() {
    const key = this.#given.persistKey;
    if (!key) return null;
    try {
      return this.#client.resumeSaved(key);
    } catch {
      // Kept before its member existed (a reload while creating it), or unreadable: this run
      // starts afresh, and no later run meets it again.
      storage()?.removeItem(key);
      return null;
    }
  }

  /** Follows a resumed flow, naming its bank as soon as its member is read. */
  #carryOn(run, flow) {
    const guid = flow.snapshot()?.member_guid;
    this.#memberGuid = guid ?? this.#memberGuid;
    if (guid) {
      this.#client
        .readMember(guid)
        .then((m) => this.#client.readInstitution(m.institution_code))
        .then((institution) => {
          if (run !== this.#run || this.#institution) return;
          const before = this.#name();
          this.#institution = institution;
          // The heading only: a redraw would lose what the person is typing.
          const heading = this.#root.querySelector('h2');
          if (heading) heading.textContent = heading.textContent.replace(before, this.#name());
        })
        .catch(() => {});
    }
    return this.#follow(run, flow, this.#given.memberGuid ? this.#modeTitle() : 'progress.title');
  }

  async #begin(run) {
    const member = this.#memberGuid;
    if (member) {
      const found = await this.#client.readMember(member);
      this.#oauthBank = Boolean(found.is_oauth);
      this.#institution = await this.#client.readInstitution(found.institution_code).catch(() => ({ code: found.institution_code }));
      if (run !== this.#run) return;
      if (this.#given.mode === 'update-credentials') {
        // An OAuth bank takes no credentials here: the person signs in at its page again.
        return found.is_oauth ? this.#reauthorize(run) : this.#updateCredentials(run, null);
      }
      return this.#runMode(run);
    }
    if (this.#given.institution) {
      const institution = await this.#client.readInstitution(this.#given.institution);
      if (run === this.#run) return this.#pick(run, institution);
      return;
    }
    this.#search(run);
  }

  /** Shows a step: `render` returns its nodes and is called again when the words change. */
  #show(step, render) {
    const previous = this.#step;
    if (previous === 'search' && step !== 'search') clearTimeout(this.#searchTimer);
    this.#step = step;
    this.#rerender = () => this.#paint(step, render, false);
    this.#paint(step, render, previous !== null);
    if (previous !== step) {
      this.#emit('atrium-event', {
        type: 'step',
        step,
        previous,
        institution_code: this.#institution?.code ?? null,
        member_guid: this.#memberGuid ?? null,
      });
    }
  }

  #paint(step, render, focus) {
    // Focus follows the steps only once the person is in the element: a page that shows it
    // keeps its own focus.
    const wanted = this.#focusFirst;
    this.#focusFirst = null;
    const inside = (focus && this.#root.activeElement !== null) || wanted !== null;
    const container = h('div', { part: 'container', class: step, 'data-step': step }, render());
    if (this.#container) this.#container.replaceWith(container);
    else this.#root.replaceChildren(this.#live, container);
    this.#container = container;
    const heading = container.querySelector('h2');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      if (inside) heading.focus(wanted ?? undefined);
    }
  }

  #announce(text) {
    // The region stays in place; cleared first, and set a moment later, so that the same
    // words are heard again.
    this.#live.textContent = '';
    setTimeout(() => {
      this.#live.textContent = text;
    }, 100);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** The run's end, told once: `atrium-success` or `atrium-exit`. */
  #settle(type, detail) {
    if (this.#settled) return;
    this.#settled = true;
    this.#emit(type, detail);
  }

  #name() {
    return this.#institution?.name ?? this.#institution?.code ?? this.#t('common.bank');
  }

  #heading(key, vars) {
    return h('h2', { part: 'heading', text: this.#t(key, vars) });
  }

  #closeButton() {
    return button(this.#t('common.close'), () => this.#exit(), true);
  }

  #cancelButton() {
    return button(this.#t('progress.cancel'), () => this.#exit('cancelled'), true);
  }

  #loading() {
    this.#show('loading', () => [this.#heading('common.loading'), h('div', { class: 'progress', part: 'progress' })]);
  }

  /** The person leaves: the flow (if any) is cancelled and `atrium-exit` tells where. */
  #exit(outcome = 'closed', error = null) {
    const step = this.#step;
    this.#stop();
    this.#run++;
    this.#settle('atrium-exit', { outcome, status: this.#lastStatus, error, step, member_guid: this.#memberGuid ?? null });
    this.#show('closed', () => [
      this.#heading('closed.text'),
      button(this.#t('closed.again'), () => this.start()),
    ]);
  }

  #search(run) {
    const t = () => this.#t;
    let query = '';
    let page = null;
    let error = null;
    let seq = 0;
    // What the list shows: the popular banks, or how many match.
    const summary = () => (query ? t()('search.count', { count: page.pagination.total_entries }) : t()('search.popular'));
    const list = () => {
      if (error) return h('p', { class: 'error', role: 'alert', part: 'error', text: this.#describe(error) });
      if (!page) return h('p', { class: 'muted', text: t()('common.loading') });
      if (!page.items.length) return h('p', { class: 'muted', text: t()('search.empty', { query }) });
      return h(
        'ul',
        { class: 'institutions', part: 'institution-list', 'aria-label': summary() },
        page.items.map((inst) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', part: 'institution', 'data-code': inst.code, onclick: () => this.#pick(run, inst) },
              logo(inst),
              h('span', {}, h('span', { class: 'name', text: inst.name ?? inst.code }), inst.supports_oauth ? h('span', { class: 'muted small', text: ` · ${t()('search.oauth')}` }) : null),
            ),
          ),
        ),
      );
    };
    const input = h('input', { id: 'atrium-search', type: 'search', part: 'search-input', autocomplete: 'off', placeholder: t()('search.placeholder') });
    const results = h('div', { class: 'results' });
    const load = async () => {
      const mine = ++seq;
      try {
        const options = { records_per_page: 20 };
        if (query) options.name = query;
        const answer = await this.#client.listInstitutions(options);
        if (mine !== seq || run !== this.#run) return;
        [page, error] = [answer, null];
        this.#announce(summary());
      } catch (e) {
        if (mine !== seq || run !== this.#run) return;
        error = e;
      }
      results.replaceChildren(list());
    };
    input.addEventListener('input', () => {
      query = input.value.trim();
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(load, 200);
    });
    this.#show('search', () => {
      input.placeholder = t()('search.placeholder');
      results.replaceChildren(list());
      return [
        this.#heading('search.title'),
        h('label', { for: 'atrium-search', part: 'label', text: t()('search.label') }),
        input,
        h('p', { class: 'muted small', text: query ? '' : t()('search.popular') }),
        results,
        this.#closeButton(),
      ];
    });
    load();
  }

  async #pick(run, institution) {
    this.#institution = institution;
    this.#loading();
    try {
      const credentials = await this.#client.listInstitutionCredentials(institution.code);
      if (run !== this.#run) return;
      if (!credentials.length && institution.supports_oauth) {
        this.#oauthBank = true;
        return this.#follow(run, this.#client.connect(this.#oauthMember(institution), this.#flowOptions()));
      }
      this.#credentials(run, credentials, 'credentials.title', 'credentials.submit', 'progress.title', (answers) =>
        this.#client.connect({ institution_code: institution.code, credentials: answers }, this.#flowOptions()),
      );
    } catch (e) {
      this.#failed(run, e, () => this.#pick(run, institution));
    }
  }

  /** An OAuth member's options: by redirect, the bank sends the person back to this page. */
  #oauthMember(institution) {
    return { institution_code: institution.code, is_oauth: true, ...this.#sendBack() };
  }

  /** By redirect, where the bank's page sends the person back (this page, by default); a popup needs nothing. */
  #sendBack() {
    if (this.#given.oauth !== 'redirect') return {};
    const back = new URL(this.#given.redirectUrl || globalThis.location.href);
    back.hash = '';
    return { referral_source: 'APP', client_redirect_url: back.href };
  }

  /**
   * The run's OAuth member signs in at its bank's page again, on a fresh window; in a premium
   * mode its process runs once that connects.
   */
  #reauthorize(run) {
    // Signing in aggregates anyway: only a premium mode's process follows it.
    const then = this.#given.mode === 'aggregate' ? null : PROCESSES[this.#given.mode];
    const options = { ...this.#flowOptions(), ...(then ? { then: [then] } : {}) };
    const flow = this.#client.reauthorize(this.#memberGuid, this.#sendBack(), options);
    return this.#follow(run, flow, 'progress.update-credentials');
  }

  /** A credentials form whose answers start `flowOf(answers)`. */
  #credentials(run, credentials, titleKey, submitKey, progressKey, flowOf) {
    this.#show('credentials', () => {
      const form = credentialForm(credentials, { submit: this.#t(submitKey), t: this.#t });
      form.form.addEventListener('submit', (event) => {
        event.preventDefault();
        const answers = form.answers();
        if (!answers) return;
        setBusy(form.form, true);
        let flow;
        try {
          flow = flowOf(answers);
        } catch (e) {
          setBusy(form.form, false);
          form.error.textContent = this.#describe(e);
          return;
        }
        this.#follow(run, flow, progressKey);
      });
      const back = this.#given.institution || this.#memberGuid ? null : button(this.#t('common.back'), () => this.#search(run), true);
      return [
        this.#heading(titleKey, { name: this.#name() }),
        h('p', { class: 'muted small', text: this.#t('credentials.lede', { name: this.#name() }) }),
        form.form,
        back,
        this.#closeButton(),
      ];
    });
  }

  async #updateCredentials(run, known) {
    const guid = this.#memberGuid;
    try {
      const credentials = known?.length ? known : await this.#client.listMemberCredentials(guid);
      if (run !== this.#run) return;
      this.#credentials(run, credentials, 'update.title', 'update.submit', 'progress.update-credentials', (answers) =>
        this.#client.updateCredentials(guid, answers, this.#flowOptions()),
      );
    } catch (e) {
      this.#failed(run, e, () => this.#updateCredentials(run, null));
    }
  }

  #progress(note) {
    const status = this.#lastStatus;
    this.#show('connecting', () => [
      this.#heading(this.#progressKey, { name: this.#name() }),
      h('p', { class: 'status', part: 'status', text: note ?? (status ? this.#statusText(status) : this.#t('common.loading')) }),
      h('div', { class: 'progress', part: 'progress' }),
      this.#cancelButton(),
    ]);
  }

  #statusText(status) {
    const key = `status.${status}`;
    const text = this.#t(key);
    return text === key ? this.#t('status.other', { status }) : text;
  }

  /** Follows a flow to its end, showing its statuses, challenges and OAuth window; `titleKey` heads its progress step. */
  async #follow(run, flow, titleKey = 'progress.title') {
    this.#flow = flow;
    this.#progressKey = titleKey;
    this.#lastStatus = null;
    this.#progress();
    flow.on('status', (status) => {
      if (run !== this.#run) return;
      this.#lastStatus = status;
      this.#emit('atrium-event', { type: 'status', status, step: this.#step, member_guid: this.#memberGuid ?? null });
      const line = this.#root.querySelector('[part="status"]');
      if (line) line.textContent = this.#statusText(status);
      this.#announce(this.#statusText(status));
    });
    flow.on('challenge', (challenges) => run === this.#run && this.#challenge(run, flow, challenges));
    flow.on('oauth', (request) => run === this.#run && this.#oauth(flow, request));
    const result = await flow.done;
    if (run !== this.#run) return;
    this.#flow = null;
    this.#memberGuid = result.member?.guid ?? this.#memberGuid;
    await this.#ended(run, result);
  }

  #challenge(run, flow, challenges) {
    this.#show('challenge', () => {
      const form = challengeForm(challenges, { t: this.#t });
      form.form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const answers = form.answers();
        if (!answers) return;
        setBusy(form.form, true);
        try {
          await flow.answer(answers);
          // Unless the next round (or the end) replaced this form meanwhile.
          if (run === this.#run && form.form.isConnected) this.#progress(this.#t('challenge.sent', { name: this.#name() }));
        } catch (e) {
          setBusy(form.form, false);
          form.error.textContent = this.#describe(e);
        }
      });
      return [this.#heading('challenge.title', { name: this.#name() }), form.form, this.#closeButton()];
    });
    this.#root.querySelector('input, select')?.focus();
    this.#announce(challenges.map((c) => c.label ?? c.field_name).join('; '));
  }

  #oauth(flow, request) {
    if (this.#given.oauth === 'redirect') return this.#oauthRedirect(request);
    let blocked = false;
    let opened = false;
    const render = () => [
      this.#heading('oauth.title', { name: this.#name() }),
      h('p', { text: this.#t(blocked ? 'oauth.blocked' : 'oauth.text', { name: this.#name() }) }),
      button(this.#t(opened ? 'oauth.again' : 'oauth.open', { name: this.#name() }), () => {
        // In the click itself, so that no popup blocker stops the window.
        const reuse = this.#oauthWindow && !this.#oauthWindow.closed ? this.#oauthWindow : null;
        this.#oauthWindow = flow.openOAuth(reuse);
        opened = Boolean(this.#oauthWindow);
        blocked = !opened;
        this.#rerender?.();
        this.#container.querySelector('button')?.focus();
      }),
      this.#cancelButton(),
    ];
    this.#show('oauth', render);
  }

  /**
   * The bank's page in this tab: the person leaves by the button (told first that they come
   * back). The flow's snapshot is kept (persist-key) or rebuilt from the address on return,
   * which the element recognises by the member it notes here.
   */
  #oauthRedirect(request) {
    let uri = null;
    try {
      uri = new URL(request.oauth_window_uri);
    } catch {
      // Not an address at all: refused below like any other that is not a web page.
    }
    if (uri?.protocol !== 'https:' && uri?.protocol !== 'http:') return this.#exit('failed');
    const leave = () => {
      storage()?.setItem(REDIRECT_MARK, request.member_guid);
      globalThis.location.assign(uri.href);
    };
    this.#show('oauth', () => [
      this.#heading('oauth.title', { name: this.#name() }),
      h('p', { text: this.#t('oauth.leave', { name: this.#name() }) }),
      button(this.#t('oauth.open', { name: this.#name() }), leave),
      this.#cancelButton(),
    ]);
  }

  async #ended(run, result) {
    this.#closeOAuthWindow();
    if (result.outcome === 'connected') {
      // Nothing left to cancel while the accounts are read: no Cancel button meanwhile.
      this.#loading();
      return this.#success(run, result);
    }
    if (result.outcome === 'cancelled') return this.#exit('cancelled', result.error ?? null);
    // A result may come without its member (one that ends needing credentials): what the run knows counts too.
    const oauth = result.member?.is_oauth || this.#oauthBank || Boolean(result.oauth_window_uri);
    if (result.outcome === 'needs_credentials' && this.#memberGuid && !oauth) {
      return this.#updateCredentials(run, result.credentials);
    }
    this.#failure(result, this.#retry(run, result, oauth), oauth);
  }

  /** What "Try again" does after an end; null where trying again cannot change it. */
  #retry(run, result, oauth) {
    const guid = this.#memberGuid;
    // Its window closed, left or refused: the bank's page again, fresh, on the same member.
    if (guid && oauth && (result.outcome === 'needs_credentials' || result.outcome === 'needs_user_action')) {
      return () => this.#reauthorize(run);
    }
    if (guid) return () => this.#runMode(run);
    return this.#institution ? () => this.#pick(run, this.#institution) : null;
  }

  /** Runs the mode's own process on the member (aggregation for `connect`): at the start, and to try again. */
  #runMode(run) {
    const process = PROCESSES[this.#given.mode] ?? 'aggregate';
    // A member busy with another update (a connection just made still aggregating) is waited for, not refused.
    const options = { ...this.#flowOptions(), waitIfBusy: true };
    return this.#follow(run, this.#client.runProcess(this.#memberGuid, process, options), this.#modeTitle());
  }

  /** The progress heading of the mode's own process. */
  #modeTitle() {
    const { mode } = this.#given;
    if (mode === 'update-credentials') return 'progress.update-credentials';
    return PROCESSES[mode] ? `progress.${mode}` : 'progress.aggregate';
  }

  async #success(run, result) {
    let accounts = null;
    try {
      accounts = (await this.#client.listAccounts({ member_guid: this.#memberGuid, records_per_page: 100 })).items;
    } catch {
      // The connection stands; the accounts are the app's to read again.
    }
    if (run !== this.#run) return;
    const count = accounts?.length ?? 0;
    this.#show('success', () => [
      this.#heading('success.title', { name: this.#name() }),
      h('p', { part: 'status', text: accounts ? this.#t('success.accounts', { count }) : this.#statusText(result.connection_status ?? 'CONNECTED') }),
      accounts?.length ? this.#accountList(accounts) : null,
    ]);
    this.#announce(this.#t('success.title', { name: this.#name() }));
    // A run another page of this origin already reported (a reload after its end) is not told twice.
    if (result.first_report !== false) {
      this.#settle('atrium-success', { member: result.member, status: result.connection_status, accounts });
    }
  }

  /** The accounts read, each with its balance in its currency, in the element's locale. */
  #accountList(accounts) {
    const locale = pickLocale(this.locale);
    const money = (amount, currency) => {
      if (amount === null || amount === undefined) return '';
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'USD' }).format(amount);
      } catch {
        return new Intl.NumberFormat(locale, { minimumFractionDigits: 2 }).format(amount);
      }
    };
    return h(
      'ul',
      { class: 'accounts', part: 'account-list' },
      accounts.map((a) =>
        h('li', { part: 'account' }, h('span', { class: 'name', text: a.name ?? a.type ?? '' }), h('span', { class: 'balance', text: money(a.balance, a.currency_code) })),
      ),
    );
  }

  /** A call of the run's that threw (no flow ran): its failure step, unless the run is over. */
  #failed(run, error, retry) {
    if (run === this.#run) this.#failure({ outcome: 'failed', connection_status: null, error }, retry);
  }

  #failure(result, retry, oauth = false) {
    const status = result.connection_status;
    // Refused at an OAuth bank's own page: no username or password was involved.
    const said = () => (oauth && status === 'DENIED' ? this.#t('oauth.denied', { name: this.#name() }) : this.#statusText(status));
    this.#show('failure', () => [
      this.#heading('failure.title', { name: this.#name() }),
      status ? h('p', { part: 'status', text: said() }) : null,
      result.error ? h('p', { class: 'error', role: 'alert', part: 'error', text: this.#describe(result.error) }) : null,
      retry ? button(this.#t('failure.retry'), retry) : null,
      button(this.#t('common.close'), () => this.#exit(result.outcome, result.error ?? null), true),
    ]);
  }

  #describe(error) {
    const message = error?.message ?? String(error);
    return error?.code ? this.#t('failure.error', { message, code: error.code }) : message;
  }
}

for (const [property, [attribute, absent]] of Object.entries(REFLECTED)) {
  Object.defineProperty(AtriumConnectElement.prototype, property, {
    configurable: true,
    get() {
      return this.getAttribute(attribute) ?? (typeof absent === 'function' ? absent() : absent);
    },
    set(value) {
      reflect(this, attribute, value);
    },
  });
}

/**
 * Registers the element under `tag` (default `atrium-connect`) once; returns its class. Call
 * it where the element is used: importing this module registers nothing.
 */
export function defineAtriumConnect(tag = 'atrium-connect') {
  const registry = globalThis.customElements;
  if (!registry) throw new Error('defineAtriumConnect() needs a browser (customElements).');
  const existing = registry.get(tag);
  if (existing) return existing;
  // A subclass per tag: one class cannot be defined under two names.
  const element = class extends AtriumConnectElement {};
  registry.define(tag, element);
  return element;
}
