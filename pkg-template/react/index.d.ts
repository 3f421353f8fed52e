import type { DetailedHTMLProps, HTMLAttributes, ReactElement, RefCallback } from 'react';
import type {
  AtriumConnectElement,
  AtriumConnectLocale,
  AtriumConnectMessageKey,
  AtriumConnectMode,
  AtriumEventDetail,
  AtriumExitDetail,
  AtriumSuccessDetail,
} from '../connect/index.js';

export interface AtriumConnectOptions {
  /** The relay's URL (default: this page's origin). */
  relayUrl?: string;
  /** A relay token, or a function returning one (asked again after a 401). */
  token: string | (() => string | Promise<string>);
  userGuid?: string;
  /** An institution code: the search is skipped. */
  institution?: string;
  /** The member a mode other than `connect` acts on. */
  memberGuid?: string;
  mode?: AtriumConnectMode;
  locale?: AtriumConnectLocale | string;
  colorScheme?: 'light' | 'dark' | 'auto';
  messages?: Partial<Record<AtriumConnectMessageKey, string>>;
  /** A `sessionStorage` key: a reload (or the OAuth redirect's return) carries the flow on. */
  persistKey?: string;
  oauth?: 'popup' | 'redirect';
  redirectUrl?: string;
  /** The member is connected (once per run). */
  onSuccess?: (detail: AtriumSuccessDetail) => void;
  /** The person left, or closed an end without a connection (once per run). */
  onExit?: (detail: AtriumExitDetail) => void;
  /** Each step change and each status, for analytics. */
  onEvent?: (detail: AtriumEventDetail) => void;
}

export interface AtriumConnectHandle {
  /** For `<atrium-connect ref={ref} />`. */
  ref: RefCallback<AtriumConnectElement>;
  /** Starts the element again from its first step (a new run). */
  start(): void;
}

export declare function useAtriumConnect(options: AtriumConnectOptions): AtriumConnectHandle;

export interface AtriumConnectProps extends AtriumConnectOptions {
  id?: string;
  className?: string;
}

export declare function AtriumConnect(props: AtriumConnectProps): ReactElement;

/** The element's attributes, for `<atrium-connect …>` written in JSX with `useAtriumConnect`. */
export interface AtriumConnectAttributes {
  'relay-url'?: string;
  'user-guid'?: string;
  institution?: string;
  'member-guid'?: string;
  mode?: AtriumConnectMode;
  locale?: AtriumConnectLocale | (string & {});
  'color-scheme'?: 'light' | 'dark' | 'auto';
  'persist-key'?: string;
  oauth?: 'popup' | 'redirect';
  'redirect-url'?: string;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'atrium-connect': DetailedHTMLProps<HTMLAttributes<AtriumConnectElement>, AtriumConnectElement> & AtriumConnectAttributes;
    }
  }
}
