/**
 * The statistics view's state (issue 5): the figures from the backend for the chosen annotators and sources, and
 * the CSV export — the native save dialog and a backend write in the desktop app, a download in the browser.
 */
import type { AnnotationSource, StatsQuery, TimingStats } from '../../electron/ipc/contract.ts';
import { type AppHost, describe } from './appHost.ts';

export class StatsState {
  stats: TimingStats | null = $state.raw(null);
  loading = $state(false);
  annotators: readonly string[] = $state.raw([]);
  /** Empty = everyone / every source. */
  annotator = $state('');
  source: AnnotationSource | '' = $state('');
  metric: 'median' | 'mean' = $state('median');
  exporting = $state(false);
  private generation = 0;

  constructor(private readonly app: AppHost) {}

  query(): StatsQuery {
    return {
      ...(this.annotator ? { annotators: [this.annotator] } : {}),
      ...(this.source ? { sources: [this.source] } : {}),
      // The trend's days are the viewer's days (a one-off reading, not reactive state).
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      utcOffsetMinutes: -new Date().getTimezoneOffset(),
    };
  }

  async load(): Promise<void> {
    const generation = ++this.generation;
    this.loading = true;
    try {
      const [stats, facets] = await Promise.all([
        this.app.api.timingStats(this.query()),
        this.app.api.reviewFacets(),
      ]);
      if (generation !== this.generation) return;
      this.stats = stats;
      this.annotators = facets.annotators;
    } catch (error) {
      if (generation === this.generation) this.app.say('error', describe(error));
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** The CSV of every annotation (with the filters), saved where the user says. */
  async exportCsv(): Promise<void> {
    const app = this.app;
    const name = `${app.project?.name ?? 'project'}-statistics.csv`;
    this.exporting = true;
    try {
      const shell = app.backend.shell;
      if (shell) {
        const file = await shell.pickSaveFile('Save the statistics CSV', name);
        if (!file) return;
        app.say('info', (await app.api.exportStatsCsv(file, this.query())).message);
        return;
      }
      const text = await app.api.statsCsv(this.query());
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      const rows = Math.max(0, text.split('\n').length - 2);
      app.say('info', `Downloaded ${name}: ${rows} annotation${rows === 1 ? '' : 's'}`);
    } catch (error) {
      app.say('error', describe(error));
    } finally {
      this.exporting = false;
    }
  }
}
