/**
 * The backend (project store + inference, electron/services/appBackend.ts) runs in a utility process:
 * onnxruntime-node is reported to crash inside Electron's main process (onnxruntime#20084, #29763), and a
 * native crash there must not take the window down. If the process dies, pending calls reject with a clear
 * message, the renderer is told, and a new process starts and reopens the project that was open.
 */
import { type UtilityProcess, utilityProcess } from 'electron';
import type { AppEvent, AppMethod } from '../ipc/contract.ts';
import type { BackendRequest, BackendMessage } from './backendProtocol.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class BackendCrashError extends Error {
  override readonly name = 'UserError';
}

export class BackendHost {
  private child: UtilityProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private openProjectFile: string | undefined;
  private stopping = false;

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly onEvent: (event: AppEvent) => void,
  ) {}

  start(): void {
    const child = utilityProcess.fork(this.entry, [], {
      serviceName: 'SAM Annotate backend',
      env: { ...process.env, ...this.env },
    });
    this.child = child;
    child.on('message', (message: BackendMessage) => {
      if (message.kind === 'event') return this.onEvent(message.event);
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else {
        const error = new Error(message.error.message);
        if (message.error.userError) error.name = 'UserError';
        pending.reject(error);
      }
    });
    child.on('exit', (code) => {
      if (child !== this.child) return;
      this.child = undefined;
      const error = new BackendCrashError(
        `the backend process stopped (exit code ${code}); it was restarted — repeat the last action`,
      );
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      if (this.stopping) return;
      this.onEvent({ type: 'inference-crash', message: error.message });
      this.start();
      if (this.openProjectFile) void this.call('openProject', [this.openProjectFile]).catch(() => undefined);
    });
  }

  async call(method: AppMethod | 'imageBytes' | 'thumbBytes', args: unknown[]): Promise<unknown> {
    const child = this.child;
    if (!child) throw new BackendCrashError('the backend process is not running');
    const id = this.nextId++;
    const request: BackendRequest = { id, method, args };
    const result = await new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.postMessage(request);
    });
    if (method === 'openProject' || method === 'createProject' || method === 'createSampleProject') {
      this.openProjectFile = (result as { file: string }).file;
    }
    if (method === 'closeProject') this.openProjectFile = undefined;
    return result;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    // Close the project (ends the annotation session, checkpoints the WAL) before the process goes.
    await this.call('closeProject', []).catch(() => undefined);
    child.kill();
  }
}
