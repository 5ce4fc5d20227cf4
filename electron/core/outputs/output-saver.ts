// Saves every output of every finished job to the user's disk, exactly once. The journal's `saved` stage is the
// source of truth: a job is accepted there before anything is downloaded, the final name is noted before a file takes
// it, each file is recorded only once it is on disk under its final name with the right size, and whatever is still
// missing is retried after a reconnect, on a timer, or after the app restarts. A download the network cut continues
// where it stopped. Failures are reported once per job and never lose the pending work; only a file the server no
// longer has is given up, when a reconnect or restart asks for it again and finds it still missing after a few
// passes spread over hours, or at once one whose name the server refuses or that is larger than one output may be.
// A download stops past that size, or when the disk nears its free-space floor (download-limits.ts). Each job has one owner (the app, or a
// headless run with a folder of its own), whose saver alone saves it, so its files all go to the same folder.
import { setMaxListeners } from 'node:events';
import { rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { JobView, OutputRef } from '../../shared/app-state.js';
import { mergeOutputs } from '../comfy/outputs.js';
import type { RemoteJob } from '../comfy/remote-jobs.js';
import { Emitter } from '../emitter.js';
import { ComfyTrayError, errorMessage } from '../errors.js';
import type { JobBackend } from '../jobs/backend.js';
import type { FinishedRecord, Journal } from '../jobs/journal.js';
import { createLogger } from '../logger.js';
import { downloadTo, type PartialDownload } from './download.js';
import { dateTokens, renderTemplate, type TemplateValues } from './file-template.js';
import { Limiter } from './limiter.js';
import type { DownloadLimits } from './download-limits.js';
import { downloadLimits, serverSaveOptions, validateOutputOptions, type OutputOptions, type ResolvedServerSave } from './output-options.js';
import { ensureFolderInside, fitPathLength, fsError, realRoot, sanitizeComponent, sanitizeSubpath } from './path-safety.js';
import { claimFor, claimHolds } from './publish-claim.js';
import { coded, GIVE_UP_AFTER_MS, NOT_FOUND_PASSES, notFound, OFFLINE_CODES, permanent, refusedName, retryableNow } from './save-failures.js';
import {
  awaitingReconnect,
  missingForGood,
  parseSavedStage,
  refusedFile,
  SAVED_STAGE,
  savedKey,
  SIDECAR_KEY,
  type ClaimedFile,
  type GiveUpRule,
  type SavedFileRecord,
  type SavedStage,
  type SaveOwner,
} from './saved-stage.js';
import { sidecarJson } from './sidecar.js';
import { newTempPath, removeStaleTemps, tempPrefix } from './temp-files.js';
import { describeBytes } from '../user-file.js';
import { publishUnique, type Published } from './unique-name.js';

export interface SavedFile {
  readonly nodeId: string;
  readonly kind: string;
  readonly index: number;
  readonly type: string;
  readonly subfolder: string;
  /** The server's name for it. */
  readonly filename: string;
  /** Where it is on this machine. */
  readonly path: string;
  readonly size: number;
}

export interface OutputSaverEvents {
  /** Every wanted output of the job is on disk (once per job). */
  saved: { serverId: string; jobId: string; files: readonly SavedFile[]; sidecar?: string };
  /** Saving failed for a reason the user can act on (once per job); the missing files are retried later. */
  'save-failed': { serverId: string; jobId: string; code: string; reason: string; pending: number };
  /**
   * Saving the job is over with `missing` files the server no longer has (or can never serve): nothing is tried
   * again (once per job). `files` are the job's outputs that were saved, like `saved`'s, so a consumer can report
   * both what is on disk and what is not. The failure itself was reported by `save-failed`.
   */
  'save-given-up': { serverId: string; jobId: string; code: string; reason: string; missing: number; files: readonly SavedFile[] };
}

/** The publish record (claim) of one file for `saveFile`: noted before publishing, dropped when it cannot hold. */
interface FileClaim {
  /** The claim from an earlier pass, if any. */
  readonly claimed: ClaimedFile | undefined;
  /** Notes in the journal the name about to be taken, before it is. */
  readonly claim: (claimed: ClaimedFile) => Promise<void>;
  /** The file did not take the claimed name (publishing failed), or a claim from before no longer holds. */
  readonly release: () => void;
}

/** Only these statuses produce outputs worth keeping (a failed job keeps what its earlier nodes saved). */
const SAVED_STATUSES = new Set(['completed', 'failed']);

/**
 * Why a pass runs: the job was just announced (`new`: it may be accepted), the server connected again (or the app
 * started), or the retry timer fired. Only the first two ask again for files the server said it does not have.
 */
type PassKind = 'new' | 'reconnect' | 'timer';
const PASS_RANK: Readonly<Record<PassKind, number>> = { timer: 0, reconnect: 1, new: 2 };

interface ServerSlot {
  readonly backend: JobBackend;
  readonly limiter: Limiter;
  readonly off: () => void;
  /** Resolves once the job's announced outputs were checked against the server's record (see the tracker). */
  readonly recordChecked: (jobId: string) => Promise<void>;
}

export class OutputSaver {
  readonly events: Emitter<OutputSaverEvents>;
  private readonly servers = new Map<string, ServerSlot>();
  private readonly running = new Map<string, Promise<void>>();
  /** A pass asked for while one runs, by job: what kind the next pass is (the strongest asked for). */
  private readonly again = new Map<string, PassKind>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly failedPasses = new Map<string, number>();
  /** Downloads the network cut, by file tag: the next pass asks for the rest. Removed when stopping. */
  private readonly partials = new Map<string, PartialDownload>();
  private readonly abort = new AbortController();
  private readonly log = createLogger('Outputs');
  private readonly limits: DownloadLimits;
  private started = false;
  private stopped = false;

  constructor(
    private readonly journal: Journal,
    private readonly options: OutputOptions,
    onListenerError?: (error: unknown) => void,
  ) {
    validateOutputOptions(options);
    this.limits = downloadLimits(options);
    this.events = new Emitter<OutputSaverEvents>(onListenerError);
    // Every download in flight listens to this one signal (here, in the HTTP client): more than ten at a time is
    // normal, not the leak Node warns about.
    setMaxListeners(0, this.abort.signal);
  }

  /**
   * `recordChecked`: a job announced before its server record was written (an own job, from its live events) is
   * saved once that record was checked, so that an output only the record lists is saved in the same pass.
   */
  addServer(backend: JobBackend, recordChecked: (jobId: string) => Promise<void> = () => Promise.resolve()): void {
    const off = backend.events.on('connected', () => this.retryPending(backend.serverId));
    this.servers.set(backend.serverId, { backend, limiter: new Limiter(this.options.concurrency ?? 2), off, recordChecked });
  }

  /** Pending saves (from before a restart too) start on each server's next connect. */
  start(): void {
    this.started = true;
  }

  /**
   * Aborts downloads in flight; their temporary files and those kept for resuming are removed (a part's last bytes
   * may never have reached the disk, so a part is only continued within one run). What is missing stays pending.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    for (const slot of this.servers.values()) slot.off();
    await this.settled();
    const parts = [...this.partials.values()];
    this.partials.clear();
    await Promise.all(parts.map((part) => rm(part.path, { force: true }).catch(() => undefined)));
  }

  /** Resolves once no save is in flight. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** The engine calls this for every `job-finished`; duplicates are harmless. */
  jobFinished(job: JobView): void {
    if (!this.started || !SAVED_STATUSES.has(job.status) || job.outputs.length === 0) return;
    if (this.stopped) this.accept(job.serverId, job.id);
    else this.trigger(job.serverId, job.id, 'new');
  }

  /** Tries every job of the server whose saving is unfinished (after a reconnect, at start). */
  retryPending(serverId: string): void {
    if (!this.started || this.stopped) return;
    for (const record of this.journal.finishedJobs(serverId)) {
      const stage = parseSavedStage(record.handled[SAVED_STAGE]);
      if (stage && stage.state !== 'done' && stage.gaveUp !== true) this.trigger(serverId, record.id, 'reconnect');
    }
  }

  /** What the journal says about saving one job; undefined when saving never started for it. */
  saveState(serverId: string, jobId: string): SavedStage | undefined {
    return parseSavedStage(this.journal.finishedRecord(serverId, jobId)?.handled[SAVED_STAGE]);
  }

  /** True while a timer is set to try the job's failed save again (a reconnect or a restart always does). */
  retryPlanned(serverId: string, jobId: string): boolean {
    return this.retryTimers.has(`${serverId}\u0000${jobId}`);
  }

  // ---- one job ----

  /**
   * Notes in the journal that the job's outputs are to be saved, without saving them yet: for jobs announced while
   * the engine stops, so the next start saves them. The engine's final journal flush writes it.
   */
  private accept(serverId: string, jobId: string): void {
    const record = this.journal.finishedRecord(serverId, jobId);
    const stage = record && !parseSavedStage(record.handled[SAVED_STAGE]) ? acceptedStage(this.options, serverId, record) : undefined;
    if (stage) this.journal.markHandled(serverId, jobId, SAVED_STAGE, stage).catch(() => undefined);
  }

  /** One pass per job at a time; a trigger during a pass runs another pass after it. */
  private trigger(serverId: string, jobId: string, kind: PassKind): void {
    const key = `${serverId}\u0000${jobId}`;
    if (this.running.has(key)) {
      const asked = this.again.get(key);
      if (asked === undefined || PASS_RANK[kind] > PASS_RANK[asked]) this.again.set(key, kind);
      return;
    }
    const timer = this.retryTimers.get(key);
    if (timer) clearTimeout(timer);
    this.retryTimers.delete(key);
    const run = (async () => {
      for (let next: PassKind | undefined = kind; next !== undefined && !this.stopped; next = this.again.get(key)) {
        this.again.delete(key);
        await this.saveJob(serverId, jobId, next);
      }
    })()
      .catch((error: unknown) => this.log.error('saving failed unexpectedly', { serverId, jobId, error: errorMessage(error) }))
      .finally(() => {
        this.running.delete(key);
        const next = this.again.get(key);
        this.again.delete(key);
        if (next !== undefined && !this.stopped) this.trigger(serverId, jobId, next);
      });
    this.running.set(key, run);
  }

  private async saveJob(serverId: string, jobId: string, kind: PassKind): Promise<void> {
    const slot = this.servers.get(serverId);
    const settings = serverSaveOptions(this.options, serverId);
    const record = this.journal.finishedRecord(serverId, jobId);
    if (!slot || !settings.enabled || !record || this.stopped) return;
    let stage = parseSavedStage(record.handled[SAVED_STAGE]);
    if (stage?.state === 'done' || stage?.gaveUp === true) return;
    const owner = this.owner();
    // Another owner's job goes on into that owner's folder, never half into this one.
    if (stage?.owner !== undefined && stage.owner !== owner) return;
    if (stage && stage.owner === undefined) {
      // Recorded before jobs had owners: this saver takes it, and from now on it alone saves it.
      stage = { ...stage, owner };
      await this.record(serverId, jobId, stage);
    }
    if (!stage) {
      if (kind !== 'new') return;
      // Accepted before the first byte: from here on a restart resumes this job instead of forgetting it. (The
      // engine's journal accepts it as it records the job finished, `acceptedStage`; this is for other journals.)
      stage = { state: 'pending', files: {}, publishing: {}, owner };
      await this.record(serverId, jobId, stage);
    }
    const current = stage;
    const rule: GiveUpRule = { now: this.now(), afterMs: this.options.giveUpAfterMs ?? GIVE_UP_AFTER_MS };
    /** What keeps the job from being complete and a later pass may still fix (files given up are not in it). */
    const failures: ComfyTrayError[] = [];
    let counted = false;
    let wanted: OutputRef[] = [];
    let remote: RemoteJob | undefined;
    let rootReal = '';
    try {
      // A job announced before its server record was written (one of ours, from its live events) is checked against
      // that record first; outputs only the record lists are then the journal's too. Accepted above either way, so a
      // crash meanwhile resumes the job at the next start.
      await this.unlessStopped(slot.recordChecked(jobId));
      if (this.stopped) return;
      const checked = this.journal.finishedRecord(serverId, jobId) ?? record;
      ({ wanted, remote } = await this.authoritativeOutputs(slot.backend, checked));
      rootReal = await realRoot(settings.folder);
    } catch (error) {
      failures.push(coded(error));
    }
    /** Files the server said it does not have, which a timer pass does not ask for again (waiting does not help). */
    const awaiting: OutputRef[] = [];
    /**
     * Files this pass found missing and gives up: only a reconnect or a restart, only after asking (the file may be
     * back), never a timer pass.
     */
    const missing = new Set<string>();
    const todo =
      failures.length > 0
        ? []
        : wanted.filter((ref) => {
            const key = savedKey(ref);
            if (current.files[key] !== undefined || refusedFile(current, key)) return false;
            if (kind === 'timer' && awaitingReconnect(current, key)) awaiting.push(ref);
            else return true;
            return false;
          });
    await Promise.all(
      todo.map(async (ref) => {
        const key = savedKey(ref);
        try {
          const claims: FileClaim = {
            claimed: current.publishing[key],
            claim: async (claimed) => {
              current.publishing[key] = claimed;
              await this.record(serverId, jobId, current);
            },
            // Only then: a file published under the claimed name stays claimed whatever fails after, so the next
            // pass takes it as saved instead of downloading it again as "name (1)".
            release: () => delete current.publishing[key],
          };
          const saved = await slot.limiter.run(() => this.saveFile(slot.backend, settings, rootReal, record, ref, claims));
          current.files[key] = saved;
          delete current.publishing[key];
          delete current.notFound?.[key];
          delete current.notFoundSince?.[key];
          delete current.notFoundLatest?.[key];
          // Not waited for (one fsync less per file): should a crash lose it, the claim written before publishing
          // still names the file, and the next pass takes it as saved. The pass's last record carries it anyway.
          this.journal.noteHandled(serverId, jobId, SAVED_STAGE, stageCopy(current));
        } catch (error) {
          if (this.stopped) return;
          const failure = coded(error);
          const wasMissing = current.notFoundLatest?.[key] === true;
          if (wasMissing) delete current.notFoundLatest?.[key];
          if (refusedName(failure)) {
            current.refused = { ...current.refused, [key]: true };
          } else if (failure.code === 'OUTPUT_TOO_LARGE') {
            current.tooLarge = { ...current.tooLarge, [key]: true };
          } else if (notFound(failure)) {
            current.notFound = { ...current.notFound, [key]: (current.notFound?.[key] ?? 0) + 1 };
            current.notFoundSince = { ...current.notFoundSince, [key]: current.notFoundSince?.[key] ?? rule.now };
            current.notFoundLatest = { ...current.notFoundLatest, [key]: true };
            if (kind !== 'timer' && missingForGood(current, key, rule)) missing.add(key);
          }
          counted ||= wasMissing || notFound(failure);
          if (!refusedFile(current, key) && !missing.has(key)) failures.push(failure);
        }
      }),
    );
    if (this.stopped) return;
    // After the files asked for: a failure a pass just saw is the one worth reporting.
    for (const ref of awaiting) {
      failures.push(new ComfyTrayError('OUTPUT_NOT_FOUND', `${describeOutput(slot.backend, ref)} was not on the server; asking again after a reconnect`));
    }
    if (failures.length === 0 && this.options.sidecar === true && current.sidecar === undefined && wanted.length > 0) {
      try {
        current.sidecar = await this.writeSidecar(slot.backend, settings, rootReal, record, wanted, current, remote);
        delete current.publishing[SIDECAR_KEY];
      } catch (error) {
        failures.push(coded(error));
      }
    }
    const key = `${serverId}\u0000${jobId}`;
    const gone = wanted.filter((ref) => refusedFile(current, savedKey(ref)) || missing.has(savedKey(ref)));
    if (failures.length === 0 && gone.length > 0) {
      await this.giveUp(slot.backend, jobId, current, wanted, gone);
      this.failedPasses.delete(key);
      return;
    }
    if (failures.length === 0) {
      const { error: _error, notFound: _notFound, notFoundSince: _since, notFoundLatest: _latest, refused: _refused, tooLarge: _tooLarge, ...rest } = current;
      await this.record(serverId, jobId, { ...rest, state: 'done' });
      this.failedPasses.delete(key);
      this.events.emit('saved', {
        serverId,
        jobId,
        files: savedFiles(wanted, current),
        ...(current.sidecar && { sidecar: current.sidecar.path }),
      });
      return;
    }
    const failure = failures.find((f) => !OFFLINE_CODES.has(f.code)) ?? failures[0]!;
    const reportable = !OFFLINE_CODES.has(failure.code);
    const alreadyReported = current.error !== undefined;
    if (reportable) await this.record(serverId, jobId, { ...current, state: 'failed', error: { code: failure.code, reason: failure.message } });
    else if (counted) await this.record(serverId, jobId, current);
    if (reportable && !alreadyReported) {
      const pending = wanted.filter((ref) => current.files[savedKey(ref)] === undefined).length;
      this.events.emit('save-failed', { serverId, jobId, code: failure.code, reason: failure.message, pending: Math.max(pending, 1) });
    }
    // A path this machine refuses, or a file the server does not have, fails the same way on every timer: only a
    // reconnect or a restart tries again. Any other failure of the job's files still gets the timer (the timer's
    // passes leave the missing files alone).
    if (failures.every((f) => permanent(f))) {
      this.log.info('saving failed; retrying after a reconnect or restart', { serverId, jobId, code: failure.code });
      return;
    }
    this.log.info('saving incomplete; retrying later', { serverId, jobId, code: failure.code });
    this.scheduleRetry(serverId, jobId, key);
  }

  /**
   * Ends saving the job with files the server no longer has or never serves, or that are larger than one output may
   * be (everything else is on disk): recorded as failed with the reason, and never tried again. Reported as a failure
   * only if no earlier pass did.
   */
  private async giveUp(backend: JobBackend, jobId: string, stage: SavedStage, wanted: readonly OutputRef[], gone: readonly OutputRef[]): Promise<void> {
    const serverId = backend.serverId;
    const alreadyReported = stage.error !== undefined;
    const refused = gone.filter((ref) => stage.refused?.[savedKey(ref)] === true);
    const oversized = gone.filter((ref) => stage.refused?.[savedKey(ref)] !== true && stage.tooLarge?.[savedKey(ref)] === true);
    const missing = gone.filter((ref) => !refused.includes(ref) && !oversized.includes(ref));
    const what = (refs: readonly OutputRef[]): string => (refs.length === 1 ? describeOutput(backend, refs[0]!) : `${refs.length} files of ${backend.name}`);
    const are = (refs: readonly OutputRef[]): string => (refs.length === 1 ? 'is' : 'are');
    const reasons = [
      ...(missing.length > 0 ? [`${what(missing)} ${are(missing)} no longer on the server (not found ${NOT_FOUND_PASSES} times)`] : []),
      ...(refused.length > 0 ? [`${what(refused)} cannot be downloaded: the server refuses ${refused.length === 1 ? 'its name' : 'their names'} (HTTP 400)`] : []),
      ...(oversized.length > 0 ? [`${what(oversized)} ${are(oversized)} larger than ${describeBytes(this.limits.maxBytes)}, the most one output may take`] : []),
    ];
    // The code of the reason that applies to every file given up: "too large" only when all of them are.
    const code = oversized.length === gone.length ? 'OUTPUT_TOO_LARGE' : 'OUTPUT_NOT_FOUND';
    const error = { code, reason: `${reasons.join('; ')}; not trying again` };
    await this.record(serverId, jobId, { ...stage, state: 'failed', gaveUp: true, error });
    this.log.warn('saving given up: outputs the server does not serve or that are too large', { serverId, jobId, missing: missing.length, refused: refused.length, tooLarge: oversized.length });
    if (!alreadyReported) this.events.emit('save-failed', { serverId, jobId, ...error, pending: gone.length });
    this.events.emit('save-given-up', { serverId, jobId, ...error, missing: gone.length, files: savedFiles(wanted, stage) });
  }

  /** The server's own record of the job's outputs (the finished event may have missed some), else the journal's. */
  private async authoritativeOutputs(backend: JobBackend, record: FinishedRecord): Promise<{ wanted: OutputRef[]; remote?: RemoteJob }> {
    const remote = await backend.lookup(record.id);
    const all = remote?.outputs ? mergeOutputs(remote.outputs, record.outputs) : [...record.outputs];
    const wanted = all.filter((ref) => this.options.saveTemp === true || ref.type !== 'temp');
    return { wanted, ...(remote && { remote }) };
  }

  /** Waits for `promise`, or until the saver stops, whichever comes first. */
  private unlessStopped(promise: Promise<void>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done);
      promise.then(done, done);
    });
  }

  // ---- one file ----

  private async saveFile(
    backend: JobBackend,
    settings: ResolvedServerSave,
    rootReal: string,
    record: FinishedRecord,
    ref: OutputRef,
    claims: FileClaim,
  ): Promise<SavedFileRecord> {
    const prefix = tempPrefix(backend.serverId, record.id, savedKey(ref));
    let partial = this.partials.get(prefix);
    this.partials.delete(prefix);
    const { claimed } = claims;
    if (claimed && (await claimHolds(claimed))) {
      // Published before a crash kept the journal from recording it: that is the file, nothing to download. The
      // crash may have come before the temporary name was unlinked: that second name of the file goes.
      await removeStaleTemps(dirname(claimed.path), prefix);
      if (partial) await rm(partial.path, { force: true }).catch(() => undefined);
      return { path: claimed.path, size: claimed.size };
    }
    if (claimed) claims.release();
    const segments = fitPathLength(rootReal, renderTemplate(settings.template, templateValues(backend, record, ref)));
    const name = segments.pop()!;
    const dir = await ensureFolderInside(rootReal, segments);
    if (partial && dirname(partial.path) !== dir) {
      await rm(partial.path, { force: true }).catch(() => undefined);
      partial = undefined;
    }
    await removeStaleTemps(dir, prefix, partial?.path);
    const temp = partial?.path ?? newTempPath(dir, prefix);
    const what = describeOutput(backend, ref);
    const attempts = Math.max(1, this.options.attempts ?? 3);
    let size = 0;
    for (let attempt = 1; ; attempt++) {
      const resume = partial;
      partial = undefined;
      try {
        size = await downloadTo((range, signal) => backend.fetchOutput(ref, range, signal), temp, {
          signal: this.abort.signal,
          what,
          ...(resume && { resume }),
          onInterrupted: (part) => (partial = part),
          limits: this.limits,
          ...(this.options.createWriteStream && { createWriteStream: this.options.createWriteStream }),
        });
        break;
      } catch (error) {
        const again = !this.abort.signal.aborted && attempt < attempts && retryableNow(error);
        if (again) {
          const waited = await delay((this.options.retryDelayMs ?? 500) * 2 ** (attempt - 1), undefined, { signal: this.abort.signal }).then(() => true, () => false);
          if (waited) continue;
        }
        // A part the network left is continued by a later pass (a reconnect, the timer); stopping removes it.
        if (partial && !this.abort.signal.aborted) this.partials.set(prefix, partial);
        else if (partial) await rm(temp, { force: true }).catch(() => undefined);
        throw error;
      }
    }
    // Checked before the file takes its final name (a hard link or a rename keeps its bytes): a disk that lost
    // writes leaves nothing under a final name, and nothing after publishing can fail and disown a published file.
    const onDisk = await stat(temp).catch((error: unknown) => {
      throw fsError(error, `Could not check the download of ${what}`);
    });
    if (onDisk.size !== size) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new ComfyTrayError('OUTPUT_TRUNCATED', `${what}: ${onDisk.size} bytes on disk, expected ${size}`);
    }
    let published: Published;
    try {
      published = await publishUnique(temp, dir, name, async (target) => claims.claim(await claimFor(temp, target, size)));
    } catch (error) {
      // Not published: a later file at the claimed path must not pass for this one.
      claims.release();
      await rm(temp, { force: true }).catch(() => undefined);
      throw fsError(error, `Could not save ${what}`);
    }
    // Saved by a run whose record of it was lost (a journal set aside announces recent jobs again): kept as saved.
    if (published.existing) this.log.info('the output was already saved under its name, same bytes; not saved again', { serverId: backend.serverId, jobId: record.id });
    return { path: published.path, size };
  }

  private async writeSidecar(
    backend: JobBackend,
    settings: ResolvedServerSave,
    rootReal: string,
    record: FinishedRecord,
    wanted: readonly OutputRef[],
    stage: SavedStage,
    remote: RemoteJob | undefined,
  ): Promise<SavedFileRecord> {
    const prefix = tempPrefix(backend.serverId, record.id, SIDECAR_KEY);
    const claimed = stage.publishing[SIDECAR_KEY];
    if (claimed && (await claimHolds(claimed))) {
      await removeStaleTemps(dirname(claimed.path), prefix);
      return { path: claimed.path, size: claimed.size };
    }
    const first = wanted[0]!;
    const segments = renderTemplate(settings.template, templateValues(backend, record, first));
    segments.pop();
    const fitted = fitPathLength(rootReal, [...segments, sanitizeComponent(`${record.id}.job.json`)]);
    const name = fitted.pop()!;
    const dir = await ensureFolderInside(rootReal, fitted);
    const text = sidecarJson(
      { id: backend.serverId, name: backend.name, url: backend.url },
      record,
      wanted.flatMap((ref) => {
        const file = stage.files[savedKey(ref)];
        return file ? [{ ref, ...file }] : [];
      }),
      remote,
    );
    const size = Buffer.byteLength(text);
    await removeStaleTemps(dir, prefix);
    const temp = newTempPath(dir, prefix);
    try {
      await writeFile(temp, text, { flag: 'wx' });
      const { path } = await publishUnique(temp, dir, name, async (target) => {
        stage.publishing[SIDECAR_KEY] = await claimFor(temp, target, size);
        await this.record(backend.serverId, record.id, stage);
      });
      return { path, size };
    } catch (error) {
      delete stage.publishing[SIDECAR_KEY];
      await rm(temp, { force: true }).catch(() => undefined);
      throw fsError(error, `Could not write the job file in ${dir}`);
    }
  }

  private async record(serverId: string, jobId: string, stage: SavedStage): Promise<void> {
    await this.journal.markHandled(serverId, jobId, SAVED_STAGE, stageCopy(stage));
  }

  private owner(): SaveOwner {
    return this.options.owner ?? 'app';
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private scheduleRetry(serverId: string, jobId: string, key: string): void {
    if (this.stopped) return;
    const passes = (this.failedPasses.get(key) ?? 0) + 1;
    this.failedPasses.set(key, passes);
    const base = this.options.retryLaterMs ?? 30_000;
    const wait = Math.min(base * 2 ** Math.min(passes - 1, 20), this.options.retryMaxMs ?? 15 * 60_000);
    clearTimeout(this.retryTimers.get(key));
    const timer = setTimeout(() => {
      this.retryTimers.delete(key);
      this.trigger(serverId, jobId, 'timer');
    }, wait);
    timer.unref();
    this.retryTimers.set(key, timer);
  }
}

/** A copy for the journal, which keeps the value in memory: the pass keeps changing its own object. */
function stageCopy(stage: SavedStage): SavedStage {
  return {
    ...stage,
    files: { ...stage.files },
    publishing: { ...stage.publishing },
    ...(stage.notFound && { notFound: { ...stage.notFound } }),
    ...(stage.notFoundSince && { notFoundSince: { ...stage.notFoundSince } }),
    ...(stage.notFoundLatest && { notFoundLatest: { ...stage.notFoundLatest } }),
    ...(stage.refused && { refused: { ...stage.refused } }),
    ...(stage.tooLarge && { tooLarge: { ...stage.tooLarge } }),
  };
}

/**
 * The `saved` stage a finished job starts with when `options` save its outputs: accepted, nothing saved yet; undefined
 * when they are not to be saved. The engine has the journal write it in the line that records the job finished
 * (JournalOptions.initialHandled): no crash can then leave a job recorded as finished whose outputs nobody will save,
 * and the first pass needs no write of its own before downloading.
 */
export function acceptedStage(options: OutputOptions, serverId: string, record: Pick<FinishedRecord, 'status' | 'outputs'>): SavedStage | undefined {
  if (!SAVED_STATUSES.has(record.status) || record.outputs.length === 0 || !serverSaveOptions(options, serverId).enabled) return undefined;
  return { state: 'pending', files: {}, publishing: {}, owner: options.owner ?? 'app' };
}

function templateValues(backend: JobBackend, record: FinishedRecord, ref: OutputRef): TemplateValues {
  return {
    server: backend.name,
    ...dateTokens(record.endedAt ?? Date.now()),
    job: record.id,
    node: ref.nodeId,
    index: String(ref.index),
    filename: ref.filename,
    subfolder: ref.subfolder,
    workflow: record.workflowName ?? '',
  };
}

/**
 * An output as messages name it: the server, then the server's path for it made safe as the saver makes names (a
 * message is shown in notifications and printed by the CLI: a bidi override in a server's name must not reach them).
 */
function describeOutput(backend: JobBackend, ref: OutputRef): string {
  return `${backend.name} ${[...sanitizeSubpath(ref.subfolder), sanitizeComponent(ref.filename)].join('/')}`;
}

/** The wanted outputs that are on disk, as events report them. */
function savedFiles(wanted: readonly OutputRef[], stage: SavedStage): SavedFile[] {
  return wanted.flatMap((ref) => {
    const file = stage.files[savedKey(ref)];
    return file ? [savedFile(ref, file)] : [];
  });
}

function savedFile(ref: OutputRef, file: SavedFileRecord): SavedFile {
  return { nodeId: ref.nodeId, kind: ref.kind, index: ref.index, type: ref.type, subfolder: ref.subfolder, filename: ref.filename, path: file.path, size: file.size };
}
