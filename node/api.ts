/** The node's HTTP API; its routes, one group per file, and its router live in api/. */
export * from './api/index.ts';
