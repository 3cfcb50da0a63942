/**
 * The encoder's threads give the cores to a click (issue 16). A ViT encode runs seconds on every core; a click
 * that comes meanwhile (the next image is prefetched while the user annotates this one) shared the cores with it
 * and took ~5× its idle time (browser bench, ViT-B: 254 ms cold against ~50 ms idle). With the encoder worker's
 * thread at a lower priority, the kernel runs the decoder first whenever both want a core; alone, the encoder
 * runs at full speed as before.
 *
 * Linux only: there the nice value belongs to a thread, and threads inherit it from the thread that starts them,
 * so lowering the encoder worker's thread before its onnxruntime session exists lowers every thread of that
 * session. On macOS and Windows the same call would lower the whole process, the decoder with it.
 */
import os from 'node:os';

/** Nice 10: the kernel weighs a nice-0 thread ~9× higher, so a click gets ~90 % of a contended core. */
export const ENCODER_NICE = 10;

/**
 * Lower the calling thread (and the threads it starts from now on) to {@link ENCODER_NICE}. Returns what was
 * done, for the log; never throws (a container may forbid it, and the app works without it).
 */
export function lowerThisThreadForEncodes(platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'linux') return 'encoder priority unchanged (per-thread priority needs Linux)';
  try {
    // libuv's uv_os_setpriority(0, …) is setpriority(PRIO_PROCESS, 0, …): on Linux, the calling thread only.
    os.setPriority(0, Math.max(os.getPriority(0), ENCODER_NICE));
    return `encoder threads at nice ${os.getPriority(0)}`;
  } catch (error) {
    return `encoder priority unchanged (${error instanceof Error ? error.message : String(error)})`;
  }
}
