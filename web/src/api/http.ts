// The HTTP client: axios with the bearer token, sliding renewal from the `token` header, one
// trip to the login page on 401 however many requests fail at once, and the server's `message`
// shown for every other error (never twice, never for a cancelled request).
import axios, { AxiosError, HttpStatusCode, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import type { ApiErrorBody } from './types';

/** Where the token lives between page loads. */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export const TOKEN_KEY = 'chat.token';

export const browserTokenStore: TokenStore = {
  get: () => window.localStorage.getItem(TOKEN_KEY),
  set: (token) => {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  },
};

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return { get: () => token, set: (next) => (token = next) };
}

export interface ApiHooks {
  /** The session ended (401 on an authenticated request): called once until the next login. */
  onUnauthorized?: () => void;
  /** A failed request's message for people (not for 401s, not for cancellations). */
  onError?: (message: string, error: ApiError) => void;
}

/** Per-request options on top of axios's. */
export interface RequestOptions extends AxiosRequestConfig {
  /** The caller shows the error itself (a form's field errors, say): no toast. */
  silent?: boolean;
}

/** An error answer of the API, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  readonly retryAfter?: number;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

export function toApiError(error: AxiosError<ApiErrorBody>): ApiError {
  const response = error.response;
  if (!response) {
    return new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection and try again.');
  }
  const body = response.data;
  const fields: Record<string, string> = {};
  for (const field of body?.errors ?? []) fields[field.field] = field.message;
  const retry = Number(response.headers?.['retry-after']);
  const message =
    body && typeof body.message === 'string' && body.message
      ? body.message
      : `The server answered ${response.status}`;
  return new ApiError(
    response.status,
    body?.code ?? 'http_error',
    message,
    fields,
    Number.isFinite(retry) ? retry : undefined,
  );
}

export function isCancelled(error: unknown): boolean {
  return axios.isCancel(error) || (error instanceof Error && error.name === 'CanceledError');
}

export interface Api {
  http: AxiosInstance;
  tokens: TokenStore;
  /** Stores a new session's token and re-arms the 401 handler. */
  signIn(token: string): void;
  signOut(): void;
}

export function createApi(baseURL: string, tokens: TokenStore, hooks: ApiHooks = {}): Api {
  const http = axios.create({ baseURL, timeout: 30_000 });
  let sessionEnded = false;
  const sentWithCurrentToken = (config: { headers?: unknown } | undefined) => {
    const headers = config?.headers as Record<string, unknown> | undefined;
    const current = tokens.get();
    return Boolean(current) && headers?.['Authorization'] === `Bearer ${current}`;
  };

  http.interceptors.request.use((config) => {
    const token = tokens.get();
    if (token) config.headers.set('Authorization', `Bearer ${token}`);
    return config;
  });

  http.interceptors.response.use(
    (response) => {
      const renewed = response.headers['token'];
      // Only for the session that sent the request: a late answer from before a new login must
      // not put the old account's token back.
      if (typeof renewed === 'string' && renewed && sentWithCurrentToken(response.config)) tokens.set(renewed);
      return response;
    },
    (raw: unknown) => {
      if (isCancelled(raw) || !(raw instanceof AxiosError)) return Promise.reject(raw);
      const error = toApiError(raw);
      const config = (raw.config ?? {}) as RequestOptions;
      const hadToken = Boolean(config.headers?.['Authorization']);
      if (error.status === HttpStatusCode.Unauthorized && hadToken) {
        // A 401 for a token that is no longer ours (a new login since) ends nothing.
        if (!sentWithCurrentToken(config)) return Promise.reject(error);
        tokens.set(null);
        if (!sessionEnded) {
          sessionEnded = true;
          hooks.onUnauthorized?.();
        }
      } else if (!config.silent) {
        hooks.onError?.(error.message, error);
      }
      return Promise.reject(error);
    },
  );

  return {
    http,
    tokens,
    signIn(token) {
      tokens.set(token);
      sessionEnded = false;
    },
    signOut() {
      tokens.set(null);
    },
  };
}

/**
 * Hands out an AbortSignal per call and aborts the previous one: for search-as-you-type and any
 * request a newer one supersedes. `cancel()` aborts the last one (when leaving a page).
 */
export function latestOnly() {
  let controller: AbortController | null = null;
  return {
    next(): AbortSignal {
      controller?.abort();
      controller = new AbortController();
      return controller.signal;
    },
    cancel() {
      controller?.abort();
      controller = null;
    },
  };
}
