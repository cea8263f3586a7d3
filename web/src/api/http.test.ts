import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApi, isCancelled, latestOnly, memoryTokenStore } from './http';

let server: Server;
let base = '';
const seenAuth: string[] = [];

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seenAuth.push(req.headers.authorization ?? '');
    const path = req.url ?? '';
    if (path === '/ok') return reply(res, 200, { ok: true }, { token: 'renewed-token' });
    if (path === '/unauth')
      return reply(res, 401, { statusCode: 401, code: 'token_invalid', message: 'Log in again' });
    if (path === '/bad')
      return reply(res, 400, {
        statusCode: 400,
        code: 'validation_failed',
        message: 'Invalid input: username',
        errors: [{ field: 'username', message: 'must be 3-32 characters' }],
      });
    if (path === '/limited')
      return reply(res, 429, { statusCode: 429, code: 'rate_limited', message: 'Slow down' }, { 'retry-after': '7' });
    if (path.startsWith('/slow')) {
      setTimeout(() => reply(res, 200, { path }), 150);
      return;
    }
    reply(res, 404, { statusCode: 404, code: 'not_found', message: 'No such route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the API client', () => {
  it('sends the bearer token and keeps the renewed one', async () => {
    const tokens = memoryTokenStore('first-token');
    const api = createApi(base, tokens);
    await api.http.get('/ok');
    expect(seenAuth.at(-1)).toBe('Bearer first-token');
    expect(tokens.get()).toBe('renewed-token');
    await api.http.get('/ok');
    expect(seenAuth.at(-1)).toBe('Bearer renewed-token');
  });

  it('ends the session once for many 401s, without error toasts', async () => {
    const tokens = memoryTokenStore('stale');
    let ended = 0;
    const toasts: string[] = [];
    const api = createApi(base, tokens, { onUnauthorized: () => ended++, onError: (m) => toasts.push(m) });
    const results = await Promise.allSettled([api.http.get('/unauth'), api.http.get('/unauth'), api.http.get('/unauth')]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(ended).toBe(1);
    expect(toasts).toEqual([]);
    expect(tokens.get()).toBeNull();
    // A new login re-arms it.
    api.signIn('fresh');
    await api.http.get('/unauth').catch(() => undefined);
    expect(ended).toBe(2);
  });

  it('shows the server message once, with field errors and Retry-After kept', async () => {
    const toasts: string[] = [];
    const api = createApi(base, memoryTokenStore(), { onError: (m) => toasts.push(m) });
    const error = await api.http.get('/bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('validation_failed');
    expect((error as ApiError).fields).toEqual({ username: 'must be 3-32 characters' });
    expect(toasts).toEqual(['Invalid input: username']);
    const limited = (await api.http.get('/limited').catch((e: unknown) => e)) as ApiError;
    expect([limited.status, limited.retryAfter]).toEqual([429, 7]);
    await api.http.get('/bad', { silent: true } as object).catch(() => undefined);
    expect(toasts).toHaveLength(2);
  });

  it('cancels a superseded request without a toast', async () => {
    const toasts: string[] = [];
    const api = createApi(base, memoryTokenStore(), { onError: (m) => toasts.push(m) });
    const latest = latestOnly();
    const first = api.http.get('/slow?q=a', { signal: latest.next() });
    const second = api.http.get('/slow?q=ab', { signal: latest.next() });
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('rejected');
    expect(isCancelled((a as PromiseRejectedResult).reason)).toBe(true);
    expect(b.status === 'fulfilled' && b.value.data.path).toBe('/slow?q=ab');
    expect(toasts).toEqual([]);
  });

  it('reports an unreachable server as status 0', async () => {
    const api = createApi('http://127.0.0.1:1', memoryTokenStore());
    const error = (await api.http.get('/x').catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.code]).toEqual([0, 'network_error']);
  });
});
