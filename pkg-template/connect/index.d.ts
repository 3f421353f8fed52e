import type { AtriumError, ConnectionStatus, FlowOutcome } from '../web/atrium_wasm.js';

/** The steps the element shows, in the order a connection usually meets them. */
export type AtriumConnectStep =
  | 'loading'
  | 'search'
  | 'credentials'
  | 'connecting'
  | 'challenge'
  | 'oauth'
  | 'success'
  | 'failure'
  | 'closed';

/** What the element does with `member-guid`: `connect` refreshes (aggregates) that member, the others run their process on it. */
export type AtriumConnectMode =
  | 'connect'
  | 'update-credentials'
  | 'aggregate'
  | 'verify'
  | 'identify'
  | 'extend-history'
  | 'fetch-statements'
  | 'check-balances';

/** The catalogs shipped; any other locale falls back to its language's, then to English. */
export type AtriumConnectLocale = 'en' | 'es' | 'fr-CA';

/**
 * Every key of the catalogs; a page may override any of them (`messages`). A test keeps
 * this list equal to `catalogs.en`'s keys.
 */
export type AtriumConnectMessageKey =
  | 'search.title'
  | 'search.label'
  | 'search.placeholder'
  | 'search.popular'
  | 'search.count.one'
  | 'search.count.other'
  | 'search.empty'
  | 'search.oauth'
  | 'credentials.title'
  | 'credentials.lede'
  | 'credentials.submit'
  | 'credentials.missing'
  | 'progress.title'
  | 'progress.aggregate'
  | 'progress.update-credentials'
  | 'progress.verify'
  | 'progress.identify'
  | 'progress.extend-history'
  | 'progress.fetch-statements'
  | 'progress.check-balances'
  | 'progress.cancel'
  | 'challenge.title'
  | 'challenge.submit'
  | 'challenge.choose'
  | 'challenge.missing'
  | 'challenge.image'
  | 'challenge.sent'
  | 'oauth.title'
  | 'oauth.text'
  | 'oauth.leave'
  | 'oauth.open'
  | 'oauth.again'
  | 'oauth.blocked'
  | 'oauth.denied'
  | 'success.title'
  | 'success.accounts.one'
  | 'success.accounts.other'
  | 'update.title'
  | 'update.submit'
  | 'failure.title'
  | 'failure.retry'
  | 'failure.error'
  | 'common.close'
  | 'common.back'
  | 'common.loading'
  | 'common.bank'
  | 'closed.text'
  | 'closed.again'
  | 'status.CREATED'
  | 'status.UPDATED'
  | 'status.RESUMED'
  | 'status.CHALLENGED'
  | 'status.CONNECTED'
  | 'status.RECONNECTED'
  | 'status.PENDING'
  | 'status.DELAYED'
  | 'status.DEGRADED'
  | 'status.DENIED'
  | 'status.PREVENTED'
  | 'status.IMPAIRED'
  | 'status.IMPORTED'
  | 'status.REJECTED'
  | 'status.EXPIRED'
  | 'status.LOCKED'
  | 'status.IMPEDED'
  | 'status.DISCONNECTED'
  | 'status.DISCONTINUED'
  | 'status.CLOSED'
  | 'status.DISABLED'
  | 'status.FAILED'
  | 'status.other';

export declare const catalogs: {
  readonly en: Readonly<Record<AtriumConnectMessageKey, string>>;
  readonly es: Readonly<Record<AtriumConnectMessageKey, string>>;
  readonly 'fr-CA': Readonly<Record<AtriumConnectMessageKey, string>>;
};

/** `t(key, vars)` in a locale, with overrides first and plurals chosen by `count`. */
export declare function translator(
  locale: string,
  overrides?: Partial<Record<AtriumConnectMessageKey, string>>,
): (key: AtriumConnectMessageKey | `${string}.${string}`, vars?: Record<string, string | number>) => string;

/** `atrium-success`: the member is connected (told once per run). */
export interface AtriumSuccessDetail {
  member: Record<string, unknown> | null;
  status: ConnectionStatus | null;
  /** The member's accounts, or null when they could not be read. */
  accounts: Array<Record<string, unknown>> | null;
}

/** `atrium-exit`: the person left, or a flow ended without a connection and they closed it (once per run). */
export interface AtriumExitDetail {
  outcome: FlowOutcome | 'closed';
  status: ConnectionStatus | null;
  error: AtriumError | null;
  /** The step the person left from. */
  step: AtriumConnectStep | null;
  member_guid: string | null;
}

/** `atrium-event`: each step change and each status, for analytics. */
export type AtriumEventDetail =
  | {
      type: 'step';
      step: AtriumConnectStep;
      previous: AtriumConnectStep | null;
      institution_code: string | null;
      member_guid: string | null;
    }
  | { type: 'status'; status: ConnectionStatus; step: AtriumConnectStep | null; member_guid: string | null };

export declare class AtriumConnectElement extends HTMLElement {
  /** The relay's URL (default: this page's origin). Attribute `relay-url`. */
  relayUrl: string;
  /**
   * A relay token, or a function returning one (asked again after a 401). Prefer the
   * property: an attribute `token` works too, but is visible to anything that reads the DOM.
   */
  token: string | (() => string | Promise<string>) | null;
  /** The relay session's user, when known (saves one request). Attribute `user-guid`. */
  userGuid: string | null;
  /** An institution code: the search is skipped. Attribute `institution`. */
  institution: string | null;
  /** The member a mode other than `connect` acts on. Attribute `member-guid`. */
  memberGuid: string | null;
  mode: AtriumConnectMode;
  /** A `sessionStorage` key: a reload (or the OAuth redirect's return) carries the flow on. Attribute `persist-key`. */
  persistKey: string | null;
  /** How an OAuth bank's page opens: in a popup, or by leaving this tab and coming back. */
  oauth: 'popup' | 'redirect';
  /** Where the bank's page sends the person back (default: this page's address). Attribute `redirect-url`. */
  redirectUrl: string | null;
  locale: AtriumConnectLocale | string;
  colorScheme: 'light' | 'dark' | 'auto';
  messages: Partial<Record<AtriumConnectMessageKey, string>>;
  readonly step: AtriumConnectStep | null;
  /** Starts again from the first step, as a new run. */
  start(): Promise<void>;
  /** Moves focus to the step's heading (before the first step, when it shows); focus then follows the steps. */
  focus(options?: FocusOptions): void;
  addEventListener<K extends keyof AtriumConnectEventMap>(
    type: K,
    listener: (this: AtriumConnectElement, event: AtriumConnectEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

export interface AtriumConnectEventMap extends HTMLElementEventMap {
  'atrium-success': CustomEvent<AtriumSuccessDetail>;
  'atrium-exit': CustomEvent<AtriumExitDetail>;
  'atrium-event': CustomEvent<AtriumEventDetail>;
}

/** Registers the element under `tag` (default `atrium-connect`); importing registers nothing. */
export declare function defineAtriumConnect(tag?: string): typeof AtriumConnectElement;

declare global {
  interface HTMLElementTagNameMap {
    'atrium-connect': AtriumConnectElement;
  }
}
