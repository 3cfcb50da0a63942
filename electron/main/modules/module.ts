/** One concern of the main process, with an explicit lifecycle (composed in electron/main/main.ts). */
export interface AppModule {
  readonly name: string;
  start(): void | Promise<void>;
  stop?(): void | Promise<void>;
}
