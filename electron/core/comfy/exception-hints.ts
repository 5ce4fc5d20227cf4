// A readable sentence for the exception types a failure report names, where the bare type says little to a user.
// Comfy Cloud documents its own types (out of memory, a model that would not download, credits); the common ones a
// self-hosted ComfyUI raises are here too. The server's own message is always shown beside it.

const HINTS: Readonly<Record<string, string>> = {
  OOMError: 'The machine running the job ran out of memory; try a smaller image, batch or model.',
  OutOfMemoryError: 'The GPU ran out of memory; try a smaller image, batch or model.',
  ModelDownloadError: 'A model the workflow needs could not be downloaded to the machine running it.',
  ImageDownloadError: 'An input image the workflow needs could not be downloaded.',
  InsufficientFundsError: 'Your account has no credits left for this job; add credits and run it again.',
  InactiveSubscriptionError: 'Your subscription is not active; renew it to run jobs.',
  ValidationError: 'The workflow was refused before it ran: an input or a node is not valid on this server.',
  PanicError: 'The machine running the job failed unexpectedly; running it again usually works.',
  ServiceError: 'The service running the job had an internal error; running it again usually works.',
  WebSocketError: 'The service lost its connection to the machine running the job.',
  DispatcherError: 'The service could not hand the job to a machine; running it again usually works.',
  FileNotFoundError: 'A file the workflow needs (a model or an input) is not on the machine running it.',
};

/** The sentence for an exception type (`torch.OutOfMemoryError` is read as `OutOfMemoryError`), if there is one. */
export function exceptionHint(exceptionType: string): string | undefined {
  const name = exceptionType.slice(exceptionType.lastIndexOf('.') + 1);
  return Object.hasOwn(HINTS, name) ? HINTS[name] : undefined;
}

/** Every type with a sentence, for tests and documentation. */
export const HINTED_EXCEPTION_TYPES: readonly string[] = Object.keys(HINTS);
