// What no Rust type describes: the client's own options, the error class, pages, flows and
// their results. The models, options and enumerations come from `core/ts/generated.d.ts`.

/** Where the relay token comes from: a string, or a function (maybe async) asked again once after a 401. */
export type TokenSource = string | (() => string | Promise<string>);

/** Options of `new AtriumClient(...)`. */
export interface AtriumClientOptions {
  /** The relay's base URL, for example `https://bank.example/relay`; `""` for this page's origin. */
  relayUrl: string;
  token: TokenSource;
  /** The user to act for; by default the relay session's own user (`GET {relayUrl}/atrium/session`). */
  userGuid?: string;
  /** Per attempt; then the request fails with code `timeout`. Default 30000. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Where OAuth windows' completion messages come from (an origin), when not the origin of the window's URI. Messages from any other origin are ignored. */
  oauthOrigin?: string;
}

/** The last argument of every method. */
export interface CallOptions {
  /** Aborting rejects with code `aborted` and stops any retry or request in flight. */
  signal?: AbortSignal;
}

/** What every AtriumClient promise rejects with: every fact the library knows of the failure. */
export declare class AtriumError extends Error {
  readonly name: "AtriumError";
  /** The HTTP status, or 0 when there was no response. */
  readonly status: number;
  readonly code: AtriumErrorCode;
  /** Whether sending the same request again later may succeed. Never for a 409, nor for the relay's `upstream_auth`. */
  readonly retryable: boolean;
  /** The relay's `x-request-id`, for support; null without a response. */
  readonly requestId: string | null;
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs: number | null;
  /** The relay's own code when the relay (not Atrium) answered, e.g. `token_expired`, `upstream_auth`. */
  readonly relayCode: RelayErrorCode | null;
  /** For `decode`: where the answer differed from the documented shape, e.g. `members[3].guid`. */
  readonly path: string | null;
  /** For the client's own `timeout`: the limit that ran out. */
  readonly timeoutMs: number | null;
  /** For `oauth`: why the OAuth window ended without a connection (`CLOSED` when the user closed it, or MX's `error_reason`: `DENIED`, `CANCELLED`, `IMPEDED`, …). */
  readonly oauthReason: OAuthReason | null;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

/** The paginated list methods `pages()` and `all()` walk. */
export type ListMethod =
  | "listInstitutions" | "listMembers" | "listAccounts" | "listTransactions"
  | "listHoldings" | "listStatements" | "listMerchants" | "listMerchantLocations";

export type ListOptions =
  | ListInstitutionsOptions | PagingOptions | ListAccountsOptions | ListTransactionsOptions
  | ListHoldingsOptions | ListStatementsOptions | ListMerchantLocationsOptions;

export type ListItem = Institution | Member | Account | Transaction | Holding | Statement | Merchant | MerchantLocation;

/** The items each list method gives. */
export interface ListItems {
  listInstitutions: Institution;
  listMembers: Member;
  listAccounts: Account;
  listTransactions: Transaction;
  listHoldings: Holding;
  listStatements: Statement;
  listMerchants: Merchant;
  listMerchantLocations: MerchantLocation;
}

/** The options each list method takes. */
export interface ListOptionsOf {
  listInstitutions: ListInstitutionsOptions;
  listMembers: PagingOptions;
  listAccounts: ListAccountsOptions;
  listTransactions: ListTransactionsOptions;
  listHoldings: ListHoldingsOptions;
  listStatements: ListStatementsOptions;
  listMerchants: PagingOptions;
  listMerchantLocations: ListMerchantLocationsOptions;
}

/** `pages()` and `all()` typed by the method they walk (merged into the class). */
export interface AtriumClient {
  pages<M extends ListMethod>(method: M, options?: ListOptionsOf[M], call?: CallOptions): AsyncIterable<Page<ListItems[M]>>;
  all<M extends ListMethod>(method: M, options?: ListOptionsOf[M] & { concurrency?: number }, call?: CallOptions): Promise<ListItems[M][]>;
}

/** What a connection status means (`statusInfo(status)`), as the library's own rules read it. */
export interface StatusInfo {
  status: ConnectionStatus;
  /** False for a status Atrium added after this library. */
  known: boolean;
  group: StatusGroup;
  /** A run is still going whatever `is_being_aggregated` says. */
  transient: boolean;
  progress: StatusProgress;
  /** How a run that ended in this status ends. */
  outcome: FlowOutcome;
}

// Flows (`connect`, `aggregate`, `updateCredentials`, `reauthorize`, `verify`, `identify`, `runProcess`).

export type FlowOptions = FlowSettings & {
  /** Aborting cancels the flow. */
  signal?: AbortSignal;
  /** Keep the flow's snapshot in `sessionStorage` under this key while it runs (removed at its end): `client.resumeSaved(key)` carries it on after a reload. */
  persistKey?: string;
};

/** A flow's end. `done` resolves with it for whatever the API answered: it never rejects. */
export interface FlowResult {
  outcome: FlowOutcome;
  connection_status: ConnectionStatus | null;
  /** The member as last seen; for `duplicate`, the member that already exists (when it can be found). */
  member: Member | null;
  /** When set, fresh data is there to read. */
  successfully_aggregated_at: string | null;
  /** For `needs_credentials`: the member's credential form to show. */
  credentials: Credential[] | null;
  /** For an OAuth member: where to send the user. */
  oauth_window_uri: string | null;
  /** Why it failed, timed out, or found the member busy or duplicated. */
  error: AtriumError | null;
  /** The flow run's id, the same in every resume of it. */
  run_id: string;
  /** False when a page of this origin (a reload, another tab) already reported this run's end: act on a result (exchange, store) only when true. */
  first_report: boolean;
}

/** The `oauth` event: send the end user to the OAuth window (`flow.openOAuth(win)`, or a redirect after saving `flow.snapshot()`). */
export interface OAuthRequest {
  oauth_window_uri: string;
  member_guid: string;
}

export type FlowEvent = "status" | "challenge" | "oauth" | "end";
export type FlowHandler = ((status: ConnectionStatus) => void) | ((challenges: Challenge[]) => void) | ((request: OAuthRequest) => void) | ((result: FlowResult) => void);

export interface FlowRunOptions {
  /** Returns the answers (or a promise of them); throwing cancels the flow. */
  onChallenge?: (challenges: Challenge[]) => Answer[] | Promise<Answer[]>;
  onStatus?: (status: ConnectionStatus) => void;
  /** Send the end user to the OAuth window; without it (or an `oauth` handler) an OAuth member ends the flow as `needs_user_action`. */
  onOAuth?: (request: OAuthRequest) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Per-event handler types for `MemberFlow.on` (merged into the class). */
export interface MemberFlow {
  on(event: "status", handler: (status: ConnectionStatus) => void): void;
  on(event: "challenge", handler: (challenges: Challenge[]) => void): void;
  on(event: "oauth", handler: (request: OAuthRequest) => void): void;
  on(event: "end", handler: (result: FlowResult) => void): void;
}
