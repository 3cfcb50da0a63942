/**
 * The encoder's threads give the cores to a click (issue 16). A ViT encode runs seconds on every core; a click
 * that comes meanwhile (the next image is prefetched while the user annotates this one) shared the cores with it
 * and took 2.1× its idle time (`npm run bench -- clicks`, ViT-B: 364 ms against 171 ms; 1.12× with this). With
 * the encoder worker's thread at a lower priority, the kernel runs the decoder first whenever both want a core;
 * alone, the encoder runs at full speed as before.
 *
 * Linux only: there the nice value belongs to a thread, and threads inherit it from the thread that starts them,
 * so lowering the encoder worker's thread before its onnxruntime session exists lowers every thread of that
 * session. On macOS and Windows the same call would lower the whole process, the decoder with it.
 */
import os from 'node:os';

/** Nice 10: the kernel weighs a nice-0 thread ~9× higher, so a click gets ~90 % of a contended core. */
export const ENCODER_NICE = 10;

/**
 * Lower the calling thread (and the threads it starts from now on) to {@link ENCODER_NICE}. Never throws: a
 * container may forbid it, and the app works without it, only with slower clicks during encodes.
 */
export function lowerThisThreadForEncodes(): void {
  if (process.platform !== 'linux') return;
  try {
    // libuv's uv_os_setpriority(0, …) is setpriority(PRIO_PROCESS, 0, …): on Linux, the calling thread only.
    os.setPriority(0, Math.max(os.getPriority(0), ENCODER_NICE));
  } catch {
    // Left at the inherited priority.
  }
}
