/**
 * A minimal event emitter for the extension's vscode-free modules. `Signal.event` has the shape
 * of `vscode.Event<T>` (listener, thisArgs, disposables → { dispose }), so it can be handed to
 * VS Code APIs and to API consumers unchanged, while unit tests run without `vscode`.
 */
export interface DisposableLike {
  dispose(): unknown;
}

export type SignalEvent<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: DisposableLike[]) => DisposableLike;

export class Signal<T> implements DisposableLike {
  private listeners = new Set<(e: T) => unknown>();
  private disposed = false;

  readonly event: SignalEvent<T> = (listener, thisArgs, disposables) => {
    const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
    if (!this.disposed) this.listeners.add(bound);
    const subscription = { dispose: () => void this.listeners.delete(bound) };
    disposables?.push(subscription);
    return subscription;
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        // One faulty listener (for example in a plugin extension) must not stop the others.
        console.error('[bus-lab] event listener failed:', error);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
