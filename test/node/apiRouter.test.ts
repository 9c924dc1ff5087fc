/**
 * The API's router (node/api/router.ts): routes are data, tried in order; the
 * method and the whole decoded path must match. HTTP-level behaviour (404 for
 * unknown paths and methods, every route's answers) is pinned by api.test.ts,
 * apiGuard.test.ts and e2e/apiHardening.test.ts over a real node.
 */
import { describe, expect, it } from 'vitest';
import { findRoute, route } from '../../node/api/router.ts';

const noop = async (): Promise<void> => undefined;

const routes = [
  route('GET', /^\/v1\/things\/([0-9a-f]{4})$/, noop),
  route(['GET', 'HEAD', 'PUT'], /^\/v1\/blobs\/([^/]+)$/, noop),
  route('GET', /^\/v1\/things\/(.+)$/, noop),
];

describe('findRoute', () => {
  it('takes the first route whose method and pattern match, with the match', () => {
    const found = findRoute(routes, 'GET', '/v1/things/ab12');
    expect(found?.route).toBe(routes[0]);
    expect(found?.match[1]).toBe('ab12');
    expect(findRoute(routes, 'GET', '/v1/things/zz')?.route).toBe(routes[2]);
  });

  it('matches any of a route\'s methods, and no other', () => {
    for (const method of ['GET', 'HEAD', 'PUT']) expect(findRoute(routes, method, '/v1/blobs/x')?.route).toBe(routes[1]);
    for (const method of ['POST', 'DELETE', 'get']) expect(findRoute(routes, method, '/v1/blobs/x')).toBeUndefined();
  });

  it('matches the whole path only', () => {
    expect(findRoute(routes, 'GET', '/v1/blobs/x/y')).toBeUndefined();
    expect(findRoute(routes, 'GET', '/v2/v1/blobs/x')).toBeUndefined();
    expect(findRoute(routes, 'GET', '/v1/things/')).toBeUndefined();
  });
});
