// The headless command's exit codes, for scripts to branch on (documented in --help).
export const EXIT = {
  ok: 0,
  /** The job is not known to the server, a waited-for job did not complete, or a command failed. */
  failed: 1,
  /** Bad command line or configuration. */
  usage: 2,
  /** The server could not be asked (unreachable, timed out, refused our credentials, answered nonsense). */
  serverUnavailable: 3,
  /** Another Comfy Tray process (the app, or another watch) is using the data folder. */
  dataDirInUse: 4,
} as const;
