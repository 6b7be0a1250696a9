import { launchEnv } from './config';

/**
 * What a service adds to its `/health` answer so that the launcher can tell it from another program
 * answering on the same port: the id of the launch that started it (absent when started by hand).
 */
export function launchIdentity(env: Record<string, string | undefined> = process.env): { launch?: string } {
  const { launchId } = launchEnv(env);
  return launchId ? { launch: launchId } : {};
}

/**
 * Calls `onGone` once the launcher that started this process is gone (killed, even with SIGKILL, so
 * it could not stop its services): the process is then re-parented and its parent id changes. Does
 * nothing for a process started by hand.
 */
export function watchLauncher(
  onGone: () => void,
  env: Record<string, string | undefined> = process.env,
  everyMs = 1000,
): void {
  const { launcherPid } = launchEnv(env);
  if (!launcherPid) return;
  const timer = setInterval(() => {
    if (process.ppid !== launcherPid) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
}
