/** Review mode, headless: keys → decisions → backend writes → undo/redo as reverse events (issue 5). */
import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS, type ReviewItem } from '../../electron/ipc/contract.ts';
import { chordOf } from '../../renderer/core/commands/shortcuts.ts';
import { REVIEW_COMMANDS } from '../../renderer/core/review/commands.ts';
import { PAGE, ReviewSession } from '../../renderer/core/review/session.ts';
import { FakeReviewBackend } from './fakeReviewBackend.ts';

async function reviewing(count = 5) {
  const backend = new FakeReviewBackend(count);
  const opened: ReviewItem[] = [];
  let sheet = 0;
  const session = new ReviewSession(backend, {
    openInAnnotator: (item) => opened.push(item),
    toggleShortcuts: () => sheet++,
  });
  await session.reload();
  const press = (key: string, mods: { mod?: boolean; shift?: boolean } = {}) =>
    session.keyDown({ key, alt: false, shift: mods.shift ?? false, mod: mods.mod ?? false });
  return { backend, session, press, opened, sheets: () => sheet };
}

const currentId = (s: ReviewSession) => s.current?.annotation.id;

describe('review session', () => {
  it('A / R / F decide the current mask, write it once and move on; counters follow', async () => {
    const { backend, session, press } = await reviewing();
    expect(currentId(session)).toBe(1); // lowest predicted IoU first
    expect(session.total).toBe(5);
    expect(press('a')).toBe(true);
    expect(currentId(session)).toBe(2); // moved on before the write returned
    press('r');
    press('f');
    await session.settled();
    expect(backend.events).toEqual([
      { id: 1, from: 'draft', to: 'accepted' },
      { id: 2, from: 'draft', to: 'rejected' },
      { id: 3, from: 'draft', to: 'needs-fix' },
    ]);
    expect(currentId(session)).toBe(4);
    expect(session.decided).toBe(3);
    expect(session.byStatus).toEqual({ draft: 2, accepted: 1, rejected: 1, 'needs-fix': 1 });
    // Draft + needs-fix is the default filter: the accepted and rejected masks left it.
    expect(session.total).toBe(3);
    expect(session.items.map((i) => i.annotation.status)).toEqual([
      'accepted',
      'rejected',
      'needs-fix',
      'draft',
      'draft',
    ]);
    // The backend's answer (reviewer, time) replaced the optimistic item.
    expect(session.items[0]!.lastReview).toMatchObject({ reviewer: 'rita', toStatus: 'accepted' });
    expect(session.history.labels).toEqual(['Accept', 'Reject', 'Needs fix']);
  });

  it('Ctrl+Z records the reverse change and shows that mask again; Ctrl+Shift+Z records it again', async () => {
    const { backend, session, press } = await reviewing();
    press('a');
    press('r');
    await session.settled();
    expect(press('z', { mod: true })).toBe(true);
    await session.settled();
    expect(backend.events.at(-1)).toEqual({ id: 2, from: 'rejected', to: 'draft', comment: 'undo' });
    expect(backend.status(2)).toBe('draft');
    expect(currentId(session)).toBe(2);
    expect(session.decided).toBe(1);
    expect([session.history.undoLength, session.history.redoLength]).toEqual([1, 1]);

    press('z', { mod: true });
    await session.settled();
    expect(backend.events.at(-1)).toEqual({ id: 1, from: 'accepted', to: 'draft', comment: 'undo' });
    expect(currentId(session)).toBe(1);
    expect(session.byStatus).toEqual({ draft: 5, accepted: 0, rejected: 0, 'needs-fix': 0 });
    expect(session.total).toBe(5);

    press('Z', { mod: true, shift: true });
    await session.settled();
    expect(backend.events.at(-1)).toEqual({ id: 1, from: 'draft', to: 'accepted', comment: 'redo' });
    expect(backend.events).toHaveLength(5);
    expect(session.decided).toBe(1);
  });

  it('keys pressed faster than the writes return decide successive masks, in order', async () => {
    const { backend, session, press } = await reviewing();
    press('a');
    press('a');
    press('r');
    await session.settled();
    expect(backend.events.map((e) => [e.id, e.to])).toEqual([
      [1, 'accepted'],
      [2, 'accepted'],
      [3, 'rejected'],
    ]);
    for (let i = 0; i < 3; i++) press('z', { mod: true });
    await session.settled();
    expect([1, 2, 3, 4, 5].map((id) => backend.status(id))).toEqual([
      'draft',
      'draft',
      'draft',
      'draft',
      'draft',
    ]);
    expect(session.history.undoLength).toBe(0);
  });

  it('a failed write puts the status back, says why and leaves no undo step', async () => {
    const { backend, session, press } = await reviewing();
    backend.failNext = 'cannot write p.samproj: no space left on the device';
    press('a');
    await session.settled();
    expect(session.lastError).toBe('cannot write p.samproj: no space left on the device');
    expect(session.items[0]!.annotation.status).toBe('draft');
    expect(currentId(session)).toBe(1);
    expect(session.history.undoLength).toBe(0);
    expect(session.decided).toBe(0);
    expect(session.total).toBe(5);
  });

  it('J / K move, E opens the mask in the annotator, Z toggles the close-up, ? the shortcut sheet', async () => {
    const { session, press, opened, sheets } = await reviewing();
    press('j');
    press('ArrowDown');
    expect(currentId(session)).toBe(3);
    press('k');
    expect(currentId(session)).toBe(2);
    press('e');
    expect(opened.map((i) => i.annotation.id)).toEqual([2]);
    press('z');
    expect(session.zoom).toBe('image');
    press('?');
    expect(sheets()).toBe(1);
    expect(press('q')).toBe(false);
    expect(session.history.undoLength).toBe(0); // navigation is never recorded
  });

  it('pages on: the next page starts after the loaded masks that still match the filter', async () => {
    const { backend, session, press } = await reviewing(250);
    expect(session.items).toHaveLength(PAGE);
    for (let i = 0; i < 5; i++) press('a');
    await session.settled();
    await session.more();
    // 100 loaded, 5 of them accepted (out of the draft + needs-fix filter): the backend's list continues at 95.
    expect(backend.queries.at(-1)).toMatchObject({
      offset: 95,
      limit: PAGE,
      statuses: ['draft', 'needs-fix'],
    });
    const ids = session.items.map((i) => i.annotation.id);
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Stepping past the last loaded mask loads the rest.
    session.select(199);
    press('j');
    await session.settled();
    expect(session.items).toHaveLength(250);
    expect(currentId(session)).toBe(201);
  });

  it('a filter change reloads from the start, and the registry has one command per chord', async () => {
    const { backend, session } = await reviewing();
    await session.setFilters({ statuses: [], sort: 'stability', order: 'desc', minIou: 0.52 });
    expect(backend.queries.at(-1)).toEqual({
      minIou: 0.52,
      sort: 'stability',
      order: 'desc',
      offset: 0,
      limit: PAGE,
    });
    const chords = REVIEW_COMMANDS.flatMap((c) => c.shortcuts);
    expect(new Set(chords).size).toBe(chords.length);
    expect(chordOf({ key: 'a', alt: false, shift: false, mod: false })).toBe('A');
    // The native Edit menu's undo/redo reach review mode under the same ids.
    for (const id of ['edit.undo', 'edit.redo'])
      expect(MENU_COMMANDS).toContain(REVIEW_COMMANDS.find((c) => c.id === id)!.id);
  });
});
