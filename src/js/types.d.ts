/** Options of `new AtriumClient(...)`. */
export interface AtriumClientOptions {
  /** The relay's base URL, for example `https://bank.example/relay`; `""` for this page's origin. */
  relayUrl: string;
  /** The relay token that binds this client to one Atrium user. */
  token: string;
  /** The user to act for; by default the relay session's own user. */
  userGuid?: string;
}

/** The machine-readable `code` of an `AtriumError`. */
export type AtriumErrorCode =
  | "invalid_input" | "network" | "timeout" | "aborted" | "decode"
  | "bad_request" | "unauthorized" | "token_expired" | "forbidden" | "not_found"
  | "method_not_allowed" | "not_acceptable" | "conflict" | "unprocessable"
  | "rate_limited" | "upstream_unavailable" | "server_error";

/** What every AtriumClient promise rejects with. */
export declare class AtriumError extends Error {
  readonly name: "AtriumError";
  /** The HTTP status, or 0 when the request was never answered (or never sent). */
  readonly status: number;
  readonly code: AtriumErrorCode;
  /** Whether sending the same request again later may succeed. */
  readonly retryable: boolean;
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

export interface ListInstitutionsOptions {
  /** A case-insensitive part of the institution's name. */
  name?: string;
  page?: number;
  records_per_page?: number;
  supports_account_identification?: boolean;
  supports_account_statement?: boolean;
  supports_account_verification?: boolean;
  supports_transaction_history?: boolean;
}
