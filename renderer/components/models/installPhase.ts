/** What an install is doing now, in one line (the Models panel's download list and the suggestions). */
import type { ModelInstallStatus } from '../../../electron/ipc/contract.ts';
import { formatBytes } from '../labels.ts';

export function installPhase(st: ModelInstallStatus): string {
  if (st.state === 'cancelling') return 'Cancelling…';
  if (st.phase === 'convert') return 'Converting the checkpoint to ONNX (a few minutes)…';
  if (st.phase === 'check') return 'Checking the model folder…';
  const size = st.total !== null ? ` of ${formatBytes(st.total)}` : '';
  return `Downloading ${st.file ?? ''} (${st.fileIndex}/${st.fileCount}): ${formatBytes(st.done)}${size}`;
}
