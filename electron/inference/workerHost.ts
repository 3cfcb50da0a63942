/**
 * Host side of one inference worker thread: typed calls with ids, transfer of large arrays, and recovery.
 * onnxruntime's `session.run` is synchronous and blocks its thread for the whole run, so it never runs on the
 * caller's thread. If the worker dies (native crash, out of memory, kill), every pending call rejects with a
 * clear error and the next call starts a fresh worker and re-initialises it with the same model.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../common/errors.ts';
import type {
  InitArgs,
  InitResult,
  WorkerApi,
  WorkerExit,
  WorkerMethod,
  WorkerRequest,
  WorkerResponse,
  WorkerRole,
} from './worker/protocol.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  label: string;
}

export class WorkerCrashError extends UserError {}

/** Start an inference worker thread running worker/main (from source through tsx, or compiled). */
export function spawnInferenceWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker/main.ts', here).href;
    return new Worker(new URL('./worker/tsxBootstrap.js', here), { workerData: { entry } });
  }
  return new Worker(new URL('./worker/main.js', here));
}

export class WorkerHost {
  private worker: Worker | undefined;
  private ready: Promise<InitResult> | undefined;
  private initArgs: InitArgs | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private restarts = 0;
  private closed = false;

  /**
   * @param spawn starts the thread; hosts that bundle the worker (Electron) or tests that need to crash it
   *   pass their own.
   */
  constructor(
    readonly role: WorkerRole,
    private readonly onCrash?: (error: WorkerCrashError) => void,
    private readonly spawn: () => Worker = spawnInferenceWorker,
  ) {}

  /** How many times the worker has been replaced after dying. */
  get restartCount(): number {
    return this.restarts;
  }

  /** Whether a call is running or queued in the worker. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Load a model in the worker; replayed automatically after a crash. */
  init(args: InitArgs): Promise<InitResult> {
    // A model load still reading its folder when the service closed must not start a worker (it would keep the
    // process alive: issue 18, serve on a project it cannot open).
    if (this.closed) return Promise.reject(new UserError(`the ${this.role} worker is closed`));
    this.initArgs = args;
    this.stopWorker();
    return this.start();
  }

  async call<M extends Exclude<WorkerMethod, 'init'>>(
    method: M,
    args: WorkerApi[M][0],
    label: string,
    transfer: ArrayBuffer[] = [],
  ): Promise<WorkerApi[M][1]> {
    if (this.closed) throw new UserError(`the ${this.role} worker is closed`);
    await this.start();
    return this.send(method, args, label, transfer) as Promise<WorkerApi[M][1]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    const busy = this.busy;
    this.detach(new UserError(`the ${this.role} worker was closed`));
    if (worker) await this.retire(worker, busy);
  }

  /**
   * End a worker the host no longer uses (its callers are already answered). An idle one is terminated; one
   * that may be inside onnxruntime (a request pending) is asked to exit after it: terminating a thread during a
   * native run aborts the whole process when the run returns (seen: a model switch during a ViT-B encode). Its
   * run finishes in the background, at the encoder's lower priority when it is an encode (threadPriority.ts).
   */
  private async retire(worker: Worker, busy: boolean): Promise<void> {
    if (!busy) {
      await worker.terminate();
      return;
    }
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const exit: WorkerExit = { control: 'exit' };
    worker.postMessage(exit);
    await exited;
  }

  private start(): Promise<InitResult> {
    if (this.ready) return this.ready;
    if (!this.initArgs) throw new Error(`${this.role} worker used before init`);
    const worker = this.spawn();
    this.worker = worker;
    worker.on('message', (message: WorkerResponse) => this.settle(message));
    worker.on('error', (error) => this.crashed(worker, `stopped with an uncaught error: ${error.message}`));
    worker.on('exit', (code) => this.crashed(worker, `exited (code ${code})`));
    const ready = this.send('init', this.initArgs, `loading ${this.initArgs.dir}`, []) as Promise<InitResult>;
    this.ready = ready;
    // A failed init (bad model file) leaves no half-started worker behind: the next call tries again.
    ready.catch(() => {
      if (this.ready === ready) this.stopWorker();
    });
    return ready;
  }

  private send(
    method: WorkerMethod,
    args: unknown,
    label: string,
    transfer: ArrayBuffer[],
  ): Promise<unknown> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new UserError(`the ${this.role} worker is not running`));
    const id = this.nextId++;
    const request: WorkerRequest = { id, method, args } as WorkerRequest;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, label });
      worker.postMessage(request, transfer);
    });
  }

  private settle(message: WorkerResponse): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) {
      pending.resolve(message.result);
      return;
    }
    const error = message.error.userError
      ? new UserError(message.error.message)
      : new Error(message.error.message);
    if (message.error.stack && !message.error.userError) error.stack = message.error.stack;
    pending.reject(error);
  }

  private crashed(worker: Worker, how: string): void {
    if (worker !== this.worker) return;
    const running = [...this.pending.values()].map((p) => p.label);
    const during = running.length ? ` while ${running[0]}` : '';
    const error = new WorkerCrashError(
      `the inference ${this.role} worker ${how}${during}; it will be restarted`,
    );
    this.detach(error);
    this.restarts++;
    this.onCrash?.(error);
  }

  /** Forget the current worker and reject everything it owed. */
  private detach(error: Error): void {
    this.worker = undefined;
    this.ready = undefined;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }

  private stopWorker(): void {
    const worker = this.worker;
    if (!worker) return;
    const busy = this.busy;
    this.detach(new UserError(`the ${this.role} worker was restarted`));
    void this.retire(worker, busy);
  }
}
