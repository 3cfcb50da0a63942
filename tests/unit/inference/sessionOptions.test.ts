import { describe, expect, it } from 'vitest';
import { sessionOptionsFor } from '../../../electron/inference/sessionOptions.ts';

describe('onnxruntime session options per role (issue 16)', () => {
  it('plans no memory pattern for the encoder: it would hold every attention-sized intermediate at once', () => {
    expect(sessionOptionsFor('encoder', { provider: 'cpu', threads: 0 }).enableMemPattern).toBe(false);
  });

  it("keeps onnxruntime's memory pattern for the decoders, whose intermediates are small", () => {
    expect(sessionOptionsFor('decoder', { provider: 'cpu', threads: 0 })).not.toHaveProperty(
      'enableMemPattern',
    );
  });

  it('never spins threads, and leaves the thread count to onnxruntime unless one is given', () => {
    for (const role of ['encoder', 'decoder'] as const) {
      const auto = sessionOptionsFor(role, { provider: 'cuda', threads: 0 });
      expect(auto).not.toHaveProperty('intraOpNumThreads');
      expect(auto.executionProviders).toEqual(['cuda']);
      expect(auto.extra).toEqual({
        session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
      });
      expect(sessionOptionsFor(role, { provider: 'cpu', threads: 3 }).intraOpNumThreads).toBe(3);
    }
  });
});
