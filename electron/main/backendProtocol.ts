/** Messages between the main process and the backend utility process (structured clone: typed arrays pass). */
import type { AppEvent } from '../ipc/contract.ts';

export interface BackendRequest {
  readonly id: number;
  /** A contract method, or one of the file reads behind the sam-file:// protocol. */
  readonly method: string;
  readonly args: unknown[];
}

export type BackendMessage =
  | { readonly kind: 'event'; readonly event: AppEvent }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | {
      readonly kind: 'reply';
      readonly id: number;
      readonly ok: false;
      readonly error: { message: string; userError: boolean };
    };
