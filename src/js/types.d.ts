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
  /** Retries of reads (GET) on `network`, `timeout`, 429, 502–504; full-jitter backoff, `Retry-After` honoured. */
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number };
}

/** The last argument of every method. */
export interface CallOptions {
  /** Aborting rejects with code `aborted` and stops any retry or request in flight. */
  signal?: AbortSignal;
}

/** The machine-readable `code` of an `AtriumError`. */
export type AtriumErrorCode =
  | "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "too_large"
  | "rate_limited" | "server" | "timeout" | "network" | "aborted" | "invalid_input" | "decode";

/** What every AtriumClient promise rejects with. */
export declare class AtriumError extends Error {
  readonly name: "AtriumError";
  /** The HTTP status, or 0 when there was no response. */
  readonly status: number;
  readonly code: AtriumErrorCode;
  /** Whether sending the same request again later may succeed. Never true for a 409. */
  readonly retryable: boolean;
  /** The relay's `x-request-id`, for support; null without a response. */
  readonly requestId: string | null;
}

/** Atrium's pagination object. */
export interface Pagination {
  current_page: number;
  per_page: number;
  total_entries: number;
  total_pages: number;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

export interface PagingOptions {
  page?: number;
  records_per_page?: number;
}

// Models (shared/atrium-api.md §4). Every field but the key is present, null when Atrium
// leaves it out. Enumerations are strings: values Atrium adds later pass through.

export interface User {
  guid: string;
  identifier: string | null;
  is_disabled: boolean | null;
  metadata: string | null;
}

export interface Institution {
  code: string;
  medium_logo_url: string | null;
  name: string | null;
  small_logo_url: string | null;
  supports_account_identification: boolean | null;
  supports_account_statement: boolean | null;
  supports_account_verification: boolean | null;
  supports_oauth: boolean | null;
  supports_transaction_history: boolean | null;
  url: string | null;
}

export interface CredentialOption { label: string | null; value: string | null; }
export interface ImageOption { label: string | null; value: string | null; data_uri: string | null; }

/** An institution's or a member's credential field. */
export interface Credential {
  guid: string;
  label: string | null;
  field_name: string | null;
  /** `LOGIN`, `PASSWORD`, `OPTIONS`, … */
  type: string | null;
  options: CredentialOption[] | null;
  display_order: number | null;
}

export interface Challenge {
  guid: string;
  label: string | null;
  field_name: string | null;
  /** `TEXT`, `OPTIONS`, `TOKEN`, `IMAGE_DATA`, `IMAGE_OPTIONS`, … */
  type: string | null;
  image_data: string | null;
  options: CredentialOption[] | null;
  image_options: ImageOption[] | null;
}

/** A connection status (§5); other strings may appear as Atrium adds statuses. */
export type ConnectionStatus =
  | "CREATED" | "PREVENTED" | "DENIED" | "CHALLENGED" | "REJECTED" | "LOCKED" | "CONNECTED"
  | "IMPEDED" | "RECONNECTED" | "DEGRADED" | "DISCONNECTED" | "DISCONTINUED" | "CLOSED"
  | "DELAYED" | "FAILED" | "UPDATED" | "DISABLED" | "IMPORTED" | "RESUMED" | "EXPIRED"
  | "IMPAIRED" | "PENDING" | (string & {});

export interface Member {
  guid: string;
  aggregated_at: string | null;
  connection_status: ConnectionStatus | null;
  identifier: string | null;
  institution_code: string | null;
  is_being_aggregated: boolean | null;
  is_oauth: boolean | null;
  metadata: string | null;
  name: string | null;
  oauth_window_uri: string | null;
  status: string | null;
  successfully_aggregated_at: string | null;
  user_guid: string | null;
}

export interface MemberStatus {
  guid: string;
  aggregated_at: string | null;
  challenges: Challenge[] | null;
  connection_status: ConnectionStatus | null;
  has_processed_accounts: boolean | null;
  has_processed_transactions: boolean | null;
  is_authenticated: boolean | null;
  is_being_aggregated: boolean | null;
  status: string | null;
  successfully_aggregated_at: string | null;
}

export interface Account {
  guid: string;
  account_number: string | null;
  apr: number | null;
  apy: number | null;
  available_balance: number | null;
  available_credit: number | null;
  balance: number | null;
  cash_balance: number | null;
  cash_surrender_value: number | null;
  created_at: string | null;
  credit_limit: number | null;
  currency_code: string | null;
  day_payment_is_due: number | null;
  death_benefit: number | null;
  holdings_value: number | null;
  institution_code: string | null;
  insured_name: string | null;
  interest_rate: number | null;
  is_closed: boolean | null;
  last_payment: number | null;
  last_payment_at: string | null;
  loan_amount: number | null;
  matures_on: string | null;
  member_guid: string | null;
  minimum_balance: number | null;
  minimum_payment: number | null;
  name: string | null;
  original_balance: number | null;
  payment_due_at: string | null;
  payoff_balance: number | null;
  pay_out_amount: number | null;
  premium_amount: number | null;
  started_on: string | null;
  subtype: string | null;
  total_account_value: number | null;
  /** `CHECKING`, `SAVINGS`, `CREDIT_CARD`, `LOAN`, `MORTGAGE`, `INVESTMENT`, … */
  type: string | null;
  updated_at: string | null;
  user_guid: string | null;
}

export interface Transaction {
  guid: string;
  account_guid: string | null;
  amount: number | null;
  category: string | null;
  check_number: number | null;
  check_number_string: string | null;
  created_at: string | null;
  currency_code: string | null;
  /** `YYYY-MM-DD`. */
  date: string | null;
  description: string | null;
  is_bill_pay: boolean | null;
  is_direct_deposit: boolean | null;
  is_expense: boolean | null;
  is_fee: boolean | null;
  is_income: boolean | null;
  is_international: boolean | null;
  is_overdraft_fee: boolean | null;
  is_payroll_advance: boolean | null;
  is_subscription: boolean | null;
  latitude: number | null;
  longitude: number | null;
  member_guid: string | null;
  memo: string | null;
  merchant_category_code: number | null;
  merchant_guid: string | null;
  merchant_location_guid: string | null;
  original_description: string | null;
  posted_at: string | null;
  /** `POSTED`, `PENDING`, … */
  status: string | null;
  top_level_category: string | null;
  transacted_at: string | null;
  /** `CREDIT`, `DEBIT`. */
  type: string | null;
  updated_at: string | null;
  user_guid: string | null;
}

export interface Holding {
  guid: string;
  account_guid: string | null;
  cost_basis: number | null;
  created_at: string | null;
  currency_code: string | null;
  cusip: string | null;
  daily_change: number | null;
  description: string | null;
  holding_type: string | null;
  market_value: number | null;
  member_guid: string | null;
  purchase_price: number | null;
  shares: number | null;
  symbol: string | null;
  updated_at: string | null;
  user_guid: string | null;
}

export interface Statement {
  guid: string;
  account_guid: string | null;
  content_hash: string | null;
  created_at: string | null;
  member_guid: string | null;
  updated_at: string | null;
  uri: string | null;
  user_guid: string | null;
}

export interface AccountNumber {
  account_guid: string;
  account_number: string | null;
  institution_number: string | null;
  member_guid: string | null;
  routing_number: string | null;
  transit_number: string | null;
  user_guid: string | null;
}

export interface AccountOwner {
  guid: string;
  account_guid: string | null;
  address: string | null;
  city: string | null;
  country: string | null;
  email: string | null;
  member_guid: string | null;
  owner_name: string | null;
  postal_code: string | null;
  state: string | null;
  user_guid: string | null;
}

export interface Merchant {
  guid: string;
  created_at: string | null;
  logo_url: string | null;
  name: string | null;
  updated_at: string | null;
  website_url: string | null;
}

export interface MerchantLocation {
  guid: string;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  merchant_guid: string | null;
  phone_number: string | null;
  postal_code: string | null;
  state: string | null;
  store_number: string | null;
  street_address: string | null;
}

export interface ConnectWidget {
  guid: string;
  connect_widget_url: string | null;
}

export interface CleansedTransaction {
  identifier: string;
  amount: number | null;
  category: string | null;
  category_guid: string | null;
  description: string | null;
  is_bill_pay: boolean | null;
  is_direct_deposit: boolean | null;
  is_expense: boolean | null;
  is_fee: boolean | null;
  is_income: boolean | null;
  is_international: boolean | null;
  is_overdraft_fee: boolean | null;
  is_payroll_advance: boolean | null;
  is_subscription: boolean | null;
  merchant_category_code: number | null;
  merchant_guid: string | null;
  original_description: string | null;
  type: string | null;
}

// Options.

export interface ListInstitutionsOptions extends PagingOptions {
  /** A case-insensitive part of the institution's name. */
  name?: string;
  supports_account_identification?: boolean;
  supports_account_statement?: boolean;
  supports_account_verification?: boolean;
  supports_transaction_history?: boolean;
}

/** A credential value or an MFA answer. */
export interface Answer { guid: string; value: string; }

export interface CreateMemberOptions {
  institution_code: string;
  /** Required unless `is_oauth`. */
  credentials?: Answer[];
  identifier?: string;
  metadata?: string;
  skip_aggregation?: boolean;
  is_oauth?: boolean;
  referral_source?: "BROWSER" | "APP";
  ui_message_webview_url_scheme?: string;
  client_redirect_url?: string;
}

export interface UpdateMemberOptions {
  credentials?: Answer[];
  identifier?: string;
  metadata?: string;
  background_aggregation_is_disabled?: boolean;
}

/** The one field of a user a browser may change. */
export interface UpdateUserOptions { metadata: string; }

export interface OAuthWindowOptions {
  referral_source?: "BROWSER" | "APP";
  ui_message_webview_url_scheme?: string;
  skip_aggregation?: boolean;
  client_redirect_url?: string;
}

export interface ListAccountsOptions extends PagingOptions { member_guid?: string; }

export type ListAccountNumbersOptions = { member_guid: string } | { account_guid: string };

export interface ListTransactionsOptions extends PagingOptions {
  /** One account's transactions; or */
  account_guid?: string;
  /** one member's; neither: the user's. */
  member_guid?: string;
  /** `YYYY-MM-DD`; Atrium's default is 90 days back. */
  from_date?: string;
  /** `YYYY-MM-DD`; Atrium's default is 5 days ahead. */
  to_date?: string;
}

export interface ListHoldingsOptions extends PagingOptions {
  member_guid?: string;
  account_guid?: string;
}

export interface ListStatementsOptions extends PagingOptions { member_guid: string; }

export interface ListMerchantLocationsOptions extends PagingOptions { merchant_guid: string; }

export interface ConnectWidgetOptions {
  is_mobile_webview?: boolean;
  ui_message_webview_url_scheme?: string;
  color_scheme?: "light" | "dark";
  mode?: "aggregation" | "verification";
  current_institution_code?: string;
  current_member_guid?: string;
  disable_institution_search?: boolean;
  include_transactions?: boolean;
  update_credentials?: boolean;
  ui_message_version?: number;
  wait_for_full_aggregation?: boolean;
}

export interface CleanseItem {
  identifier: string;
  description: string;
  amount?: number;
  type?: "CREDIT" | "DEBIT";
  merchant_category_code?: number;
}

/** The paginated list methods `pages()` and `all()` walk. */
export type ListMethod =
  | "listInstitutions" | "listMembers" | "listAccounts" | "listTransactions"
  | "listHoldings" | "listStatements" | "listMerchants" | "listMerchantLocations";

export type ListOptions =
  | ListInstitutionsOptions | PagingOptions | ListAccountsOptions | ListTransactionsOptions
  | ListHoldingsOptions | ListStatementsOptions | ListMerchantLocationsOptions;

export type ListItem = Institution | Member | Account | Transaction | Holding | Statement | Merchant | MerchantLocation;

// Flows (`connect`, `aggregate`, `updateCredentials`, `verify`, `identify`, `runProcess`).

/** An aggregation-type process, by its endpoint's name. */
export type ProcessName = "aggregate" | "verify" | "identify" | "extend_history" | "fetch_statements" | "balance";

export interface FlowOptions {
  /** Aborting cancels the flow. */
  signal?: AbortSignal;
  /** The whole flow's limit (default 10 minutes), then outcome `timed_out`. */
  timeoutMs?: number;
  /** On 409 (another process runs on the member), wait for it to end, then start. */
  waitIfBusy?: boolean;
}

export type FlowOutcome = "connected" | "needs_credentials" | "needs_user_action" | "failed" | "cancelled" | "timed_out";

export interface FlowResult {
  outcome: FlowOutcome;
  connection_status: ConnectionStatus | null;
  /** The member as last seen. */
  member: Member | null;
  /** When set, fresh data is there to read. */
  successfully_aggregated_at: string | null;
  /** For `needs_credentials`: the member's credential form to show. */
  credentials: Credential[] | null;
  /** For `needs_user_action` on an OAuth member: where to send the user. */
  oauth_window_uri: string | null;
  /** Why it failed or timed out, when an error says. */
  error: AtriumError | null;
}

export type FlowEvent = "status" | "challenge" | "end";
export type FlowHandler = ((status: ConnectionStatus) => void) | ((challenges: Challenge[]) => void) | ((result: FlowResult) => void);

export interface FlowRunOptions {
  /** Returns the answers (or a promise of them); throwing cancels the flow. */
  onChallenge?: (challenges: Challenge[]) => Answer[] | Promise<Answer[]>;
  onStatus?: (status: ConnectionStatus) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Per-event handler types for `MemberFlow.on` (merged into the class). */
export interface MemberFlow {
  on(event: "status", handler: (status: ConnectionStatus) => void): void;
  on(event: "challenge", handler: (challenges: Challenge[]) => void): void;
  on(event: "end", handler: (result: FlowResult) => void): void;
}
