/**
 * Serve mode's HTTP routes, shared by the server (electron/serve) and the renderer's client: methods of the
 * contract are POSTed to API_PATH/<method> as wire-encoded argument arrays, events arrive as server-sent events.
 * Every request carries the session token (header, cookie, or `token` query parameter for <img> URLs).
 */
export const API_PATH = '/api/call';
export const EVENTS_PATH = '/api/events';
export const IMAGE_PATH = '/files/image';
export const THUMB_PATH = '/files/thumb';
export const TOKEN_HEADER = 'x-sam-token';
export const TOKEN_COOKIE = 'sam_token';
export const TOKEN_PARAM = 'token';
