/** One command manager for the annotator and review mode (issue 17): lookup by id and key, availability, run. */
import { describe, expect, it } from 'vitest';
import { CommandManager } from '../../renderer/core/commands/manager.ts';
import { type AnyCommand, defineCommand } from '../../renderer/core/commands/types.ts';
import { History } from '../../renderer/core/history.ts';

interface Counter {
  value: number;
  enabled: boolean;
}

const bump = defineCommand<void, Counter>({
  id: 'counter.bump',
  label: 'Bump',
  group: 'Edit',
  shortcuts: ['Mod+B'],
  capture: 'record',
  available: (c) => c.enabled,
  perform(c) {
    c.value++;
    return { undo: () => void c.value--, redo: () => void c.value++ };
  },
});

function manager(counter: Counter) {
  const history = new History();
  const errors: unknown[] = [];
  const commands: AnyCommand<Counter>[] = [bump];
  const m = new CommandManager(commands, { host: counter, history, fail: (e) => errors.push(e) });
  return { m, history, errors };
}

const key = (k: string, mod = false) => ({ key: k, alt: false, shift: false, mod });

describe('CommandManager', () => {
  it('runs an available command as one history step, and undo takes it back', async () => {
    const counter = { value: 0, enabled: true };
    const { m, history } = manager(counter);
    expect(m.run('counter.bump')).toBe(true);
    expect(counter.value).toBe(1);
    expect(history.undoLength).toBe(1);
    await history.undo();
    expect(counter.value).toBe(0);
  });

  it('finds a command by its shortcut; an unavailable one still uses the key but does nothing', () => {
    const counter = { value: 0, enabled: false };
    const { m, history } = manager(counter);
    expect(m.forKey(key('b', true))?.id).toBe('counter.bump');
    expect(m.runShortcut(key('b', true))).toBe(true);
    expect(m.runShortcut(key('b'))).toBe(false);
    expect(counter.value).toBe(0);
    expect(history.undoLength).toBe(0);
    expect(m.isAvailable('counter.bump')).toBe(false);
  });

  it('refuses an unknown id by name', () => {
    const { m } = manager({ value: 0, enabled: true });
    expect(() => m.run('counter.nope')).toThrow('unknown command counter.nope');
    expect(m.isAvailable('counter.nope')).toBe(false);
  });
});
