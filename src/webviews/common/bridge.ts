/**
 * The webview side of the message contract: a typed wrapper over acquireVsCodeApi(), the `ready`
 * handshake, and the webview state kept by VS Code (which the panel serializer hands back to the
 * host after a reload).
 */
interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface Bridge<ToHost, ToWebview, State> {
  post(msg: ToHost): void;
  /** Registers the handler and sends `ready`; the host answers with a full snapshot. */
  start(handler: (msg: ToWebview) => void): void;
  getState(): Partial<State>;
  setState(patch: Partial<State>): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export function createBridge<ToHost extends { type: string }, ToWebview extends { type: string }, State extends object>(): Bridge<ToHost, ToWebview, State> {
  const api = acquireVsCodeApi();
  let state: Partial<State> = (api.getState() as Partial<State> | undefined) ?? {};
  const post = (msg: ToHost) => api.postMessage(msg);
  const bridge: Bridge<ToHost, ToWebview, State> = {
    post,
    start(handler) {
      window.addEventListener('message', (ev: MessageEvent) => {
        const data = ev.data as unknown;
        if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
        try {
          handler(data as ToWebview);
        } catch (e) {
          bridge.log('error', `handling ${(data as { type: string }).type}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        }
      });
      window.addEventListener('error', (ev) => bridge.log('error', `${ev.message} (${ev.filename}:${ev.lineno})`));
      post({ type: 'ready' } as ToHost);
    },
    getState: () => state,
    setState(patch) {
      state = { ...state, ...patch };
      api.setState(state);
    },
    log(level, message) {
      post({ type: 'log', level, message: message.slice(0, 4000) } as unknown as ToHost);
    },
  };
  return bridge;
}
