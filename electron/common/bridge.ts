/**
 * Serve mode's HTTP routes, shared by the server (electron/serve) and the renderer's client: methods of the
 * contract are POSTed to API_PATH/<method> as wire-encoded argument arrays, events arrive as server-sent events.
 * API calls carry the session token in the TOKEN_HEADER header, nothing else (issue 18); <img> and EventSource URLs
 * carry it as the `token` query parameter. The page's static files also open with the cookie the printed URL sets.
 */
export const API_PATH = '/api/call';
export const EVENTS_PATH = '/api/events';
export const IMAGE_PATH = '/files/image';
export const THUMB_PATH = '/files/thumb';
/** An export the server just wrote, by the id `exportProject` returned (issue 17); the token as for images. */
export const DOWNLOAD_PATH = '/files/export';
export const TOKEN_HEADER = 'x-sam-token';
/** Per port: cookies are not, and two servers on one host must not overwrite each other's (issue 18). */
export const tokenCookie = (port: number): string => `sam_token_${port}`;
export const TOKEN_PARAM = 'token';
