/**
 * Routes as data: the methods a route answers, a pattern for the
 * percent-decoded path, and a handler. The first route that answers the
 * method and matches the path handles the request; none is a 404 (a known
 * path with another method included: the API has never answered 405).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** the percent-decoded path */
  path: string;
  url: URL;
  /** the pattern's match on `path` */
  match: RegExpExecArray;
}

export interface Route {
  methods: readonly string[];
  pattern: RegExp;
  handle: (r: RouteRequest) => Promise<void>;
}

export function route(methods: string | readonly string[], pattern: RegExp, handle: Route['handle']): Route {
  return { methods: typeof methods === 'string' ? [methods] : methods, pattern, handle };
}

export function findRoute(routes: readonly Route[], method: string, path: string): { route: Route; match: RegExpExecArray } | undefined {
  for (const r of routes) {
    if (!r.methods.includes(method)) continue;
    const match = r.pattern.exec(path);
    if (match !== null) return { route: r, match };
  }
  return undefined;
}
