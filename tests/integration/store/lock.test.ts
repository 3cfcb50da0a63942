import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProject } from '../../../electron/store/projectDb.ts';
import { closeLater, newProject, tempDir } from '../../helpers/projects.ts';
import { child, exited, waitForLine } from './spawn.ts';

describe('two instances on one project', () => {
  it('the second gets a one-line "open elsewhere" error naming the holder, never a shared write', async () => {
    const dir = tempDir();
    newProject(dir).close();
    const file = path.join(dir, 'p.samproj');
    const holder = child('holder.ts', [file]);
    try {
      await waitForLine(holder, /^ready$/);
      expect(() => openProject(file, { busyTimeoutMs: 50 })).toThrow(
        new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: open elsewhere by process ${holder.pid} on .*; close it there first$`,
        ),
      );
      // …also for a read-only open (a CLI export while the app has it open)
      expect(() => openProject(file, { busyTimeoutMs: 50, readOnly: true })).toThrow(/open elsewhere/);
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });

  it('a lock left by a killed process is no lock: the project opens and the stale owner note is replaced', async () => {
    const dir = tempDir();
    newProject(dir).close();
    const file = path.join(dir, 'p.samproj');
    const holder = child('holder.ts', [file]);
    await waitForLine(holder, /^ready$/);
    holder.kill('SIGKILL');
    await exited(holder);
    expect(JSON.parse(readFileSync(`${file}.owner`, 'utf8')).pid).toBe(holder.pid); // the stale note is still there
    const project = closeLater(openProject(file));
    expect(JSON.parse(readFileSync(`${file}.owner`, 'utf8')).pid).toBe(process.pid);
    expect(project.db.pragma('integrity_check', { simple: true })).toBe('ok');
    project.close();
    expect(existsSync(`${file}.owner`)).toBe(false);
  });

  it('a read-only open (a CLI export) holds the project like any open, named in the message', async () => {
    const dir = tempDir();
    newProject(dir).close();
    const file = path.join(dir, 'p.samproj');
    const reader = child('holder.ts', [file, 'read']);
    try {
      await waitForLine(reader, /^ready$/);
      const elsewhere = new RegExp(`: open elsewhere by process ${reader.pid} on .*; close it there first$`);
      expect(() => openProject(file, { busyTimeoutMs: 50 })).toThrow(elsewhere);
      expect(() => openProject(file, { busyTimeoutMs: 50, readOnly: true })).toThrow(elsewhere);
    } finally {
      reader.kill('SIGKILL');
      await exited(reader);
    }
    closeLater(openProject(file)).close();
  });

  it('one process cannot open the same project twice either', () => {
    const dir = tempDir();
    const project = newProject(dir);
    expect(() => openProject(project.file, { busyTimeoutMs: 20 })).toThrow(/open elsewhere/);
  });
});
