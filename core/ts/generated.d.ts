// Generated from atrium-core's Rust types by `core/tests/typescript.rs`; do not edit.
// Models: every field but the key is present, null where Atrium leaves it out.

/** A connection status (§5); other strings may appear as Atrium adds statuses. */
export type ConnectionStatus =
  | "CREATED"
  | "PREVENTED"
  | "DENIED"
  | "CHALLENGED"
  | "REJECTED"
  | "LOCKED"
  | "CONNECTED"
  | "IMPEDED"
  | "RECONNECTED"
  | "DEGRADED"
  | "DISCONNECTED"
  | "DISCONTINUED"
  | "CLOSED"
  | "DELAYED"
  | "FAILED"
  | "UPDATED"
  | "DISABLED"
  | "IMPORTED"
  | "RESUMED"
  | "EXPIRED"
  | "IMPAIRED"
  | "PENDING"
  | (string & {});
/** The machine-readable `code` of an `AtriumError`. */
export type AtriumErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "rate_limited"
  | "server"
  | "timeout"
  | "network"
  | "aborted"
  | "invalid_input"
  | "decode"
  | "oauth";
/** The relay's own `code` of an answer it gave itself; others may appear. */
export type RelayErrorCode =
  | "bad_request"
  | "unauthorized"
  | "token_malformed"
  | "token_signature"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_algorithm"
  | "token_audience"
  | "token_issuer"
  | "token_unknown_kid"
  | "token_user_claim"
  | "jwks_unavailable"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "invalid_input"
  | "upstream_unavailable"
  | "upstream_auth"
  | "upstream_timeout"
  | "upstream_error"
  | "payload_too_large"
  | "rate_limited"
  | "busy"
  | "too_many_streams"
  | "shared_store_unavailable"
  | (string & {});
/** How a flow ended. */
export type FlowOutcome =
  | "connected"
  | "needs_credentials"
  | "needs_user_action"
  | "failed"
  | "cancelled"
  | "timed_out"
  | "duplicate"
  | "busy";
/** What to do with a member in a status before aggregating (the guide's groups). */
export type StatusGroup =
  | "aggregatable"
  | "needs_credentials"
  | "transitory"
  | "never"
  | "user_action";
/** Where a run stands in a status. */
export type StatusProgress =
  | "running"
  | "waiting_for_user"
  | "ended";
/** An aggregation-type process, by its endpoint's name. */
export type ProcessName =
  | "aggregate"
  | "verify"
  | "identify"
  | "extend_history"
  | "fetch_statements"
  | "balance";
/** What a flow was started as: `connect`, `update_credentials`, `reauthorize`, or a process. */
export type FlowKind =
  | "connect"
  | "update_credentials"
  | "reauthorize"
  | "aggregate"
  | "verify"
  | "identify"
  | "extend_history"
  | "fetch_statements"
  | "balance";
/** Why an OAuth window ended without a connection (MX's `error_reason`, or `CLOSED`); others may appear. */
export type OAuthReason =
  | "CLOSED"
  | "CANCELLED"
  | "DENIED"
  | "IMPEDED"
  | "PROVIDER_ERROR"
  | "SERVER_ERROR"
  | (string & {});

export type Pagination = {
  current_page: number;
  per_page: number;
  total_entries: number;
  total_pages: number;
};

export type User = {
  guid: string;
  identifier: string | null;
  is_disabled: boolean | null;
  metadata: string | null;
};

export type Institution = {
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
};

export type CredentialOption = {
  label: string | null;
  value: string | null;
};

export type ImageOption = {
  label: string | null;
  value: string | null;
  data_uri: string | null;
};

export type Credential = {
  guid: string;
  label: string | null;
  field_name: string | null;
  /**
   * `LOGIN`, `PASSWORD`, `OPTIONS`, …
   */
  type: string | null;
  options: Array<CredentialOption> | null;
  display_order: number | null;
};

export type Challenge = {
  guid: string;
  label: string | null;
  field_name: string | null;
  type: string | null;
  image_data: string | null;
  options: Array<CredentialOption> | null;
  image_options: Array<ImageOption> | null;
};

export type Member = {
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
};

export type MemberStatus = {
  guid: string;
  aggregated_at: string | null;
  challenges: Array<Challenge> | null;
  connection_status: ConnectionStatus | null;
  has_processed_accounts: boolean | null;
  has_processed_transactions: boolean | null;
  is_authenticated: boolean | null;
  is_being_aggregated: boolean | null;
  status: string | null;
  successfully_aggregated_at: string | null;
};

export type Account = {
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
  type: string | null;
  updated_at: string | null;
  user_guid: string | null;
};

export type Transaction = {
  guid: string;
  account_guid: string | null;
  amount: number | null;
  category: string | null;
  check_number: number | null;
  check_number_string: string | null;
  created_at: string | null;
  currency_code: string | null;
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
  status: string | null;
  top_level_category: string | null;
  transacted_at: string | null;
  type: string | null;
  updated_at: string | null;
  user_guid: string | null;
};

export type Holding = {
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
};

export type Statement = {
  guid: string;
  account_guid: string | null;
  content_hash: string | null;
  created_at: string | null;
  member_guid: string | null;
  updated_at: string | null;
  uri: string | null;
  user_guid: string | null;
};

export type AccountNumber = {
  account_guid: string;
  account_number: string | null;
  institution_number: string | null;
  member_guid: string | null;
  routing_number: string | null;
  transit_number: string | null;
  user_guid: string | null;
};

export type AccountOwner = {
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
};

export type Merchant = {
  guid: string;
  created_at: string | null;
  logo_url: string | null;
  name: string | null;
  updated_at: string | null;
  website_url: string | null;
};

export type MerchantLocation = {
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
};

export type ConnectWidget = {
  guid: string;
  connect_widget_url: string | null;
};

export type CleansedTransaction = {
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
};

export type ReferralSource = "BROWSER" | "APP";
export type ColorScheme = "light" | "dark";
export type WidgetMode = "aggregation" | "verification";
export type TransactionType = "CREDIT" | "DEBIT";
export type PagingOptions = {
  page?: number;
  records_per_page?: number;
};

export type RetryOptions = {
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
};

export type ListInstitutionsOptions = {
  /**
   * A case-insensitive part of the institution's name.
   */
  name?: string;
  page?: number;
  records_per_page?: number;
  supports_account_identification?: boolean;
  supports_account_statement?: boolean;
  supports_account_verification?: boolean;
  supports_transaction_history?: boolean;
};

export type Answer = {
  guid: string;
  value: string;
};

export type CreateMemberOptions = {
  institution_code: string;
  /**
   * Required unless `is_oauth`.
   */
  credentials?: Array<Answer>;
  identifier?: string;
  metadata?: string;
  skip_aggregation?: boolean;
  is_oauth?: boolean;
  referral_source?: ReferralSource;
  ui_message_webview_url_scheme?: string;
  client_redirect_url?: string;
};

export type UpdateMemberOptions = {
  credentials?: Array<Answer>;
  identifier?: string;
  metadata?: string;
  background_aggregation_is_disabled?: boolean;
};

export type UpdateUserOptions = {
  metadata: string;
};

export type ListAccountsOptions = {
  member_guid?: string;
  page?: number;
  records_per_page?: number;
};

export type ListAccountNumbersOptions = { member_guid: string } | { account_guid: string };

export type ListHoldingsOptions = {
  member_guid?: string;
  account_guid?: string;
  page?: number;
  records_per_page?: number;
};

export type ListTransactionsOptions = {
  /**
   * One account's transactions; or
   */
  account_guid?: string;
  /**
   * one member's; neither: the user's.
   */
  member_guid?: string;
  /**
   * `YYYY-MM-DD`; Atrium's default is 90 days back.
   */
  from_date?: string;
  /**
   * `YYYY-MM-DD`; Atrium's default is 5 days ahead.
   */
  to_date?: string;
  page?: number;
  records_per_page?: number;
};

export type ListStatementsOptions = {
  member_guid: string;
  page?: number;
  records_per_page?: number;
};

export type ListMerchantLocationsOptions = {
  merchant_guid: string;
  page?: number;
  records_per_page?: number;
};

export type OAuthWindowOptions = {
  referral_source?: ReferralSource;
  ui_message_webview_url_scheme?: string;
  skip_aggregation?: boolean;
  client_redirect_url?: string;
};

export type ConnectWidgetOptions = {
  is_mobile_webview?: boolean;
  ui_message_webview_url_scheme?: string;
  color_scheme?: ColorScheme;
  mode?: WidgetMode;
  current_institution_code?: string;
  current_member_guid?: string;
  disable_institution_search?: boolean;
  include_transactions?: boolean;
  update_credentials?: boolean;
  ui_message_version?: number;
  wait_for_full_aggregation?: boolean;
};

export type CleanseItem = {
  identifier: string;
  description: string;
  amount?: number;
  type?: TransactionType;
  merchant_category_code?: number;
};

export type FlowSettings = {
  /**
   * The whole flow's limit, then `timed_out`. Default 10 minutes.
   */
  timeoutMs?: number;
  /**
   * On a 409 (another kind of process runs), wait for it to end, then start.
   */
  waitIfBusy?: boolean;
};

export type FlowSnapshot = {
  /**
   * The format's version (1).
   */
  v: number;
  /**
   * The flow run's id, the same in every resume of it: whether its end was reported is
   * asked by it.
   */
  run_id: string;
  kind: FlowKind;
  /**
   * The user whose member it is (null when the flow had not learnt it yet).
   */
  user_guid: string | null;
  /**
   * Null before a `connect` created its member: such a snapshot cannot be resumed.
   */
  member_guid: string | null;
  /**
   * Whether the flow's own request (create, update, start) was sent: a resume then
   * follows what runs and starts nothing.
   */
  started: boolean;
  /**
   * Processes still to run after the aggregation.
   */
  then: ProcessName[];
  connection_status: ConnectionStatus | null;
  /**
   * The OAuth window the flow sent the end user to (its messages are heard again).
   */
  oauth_window_uri: string | null;
};

