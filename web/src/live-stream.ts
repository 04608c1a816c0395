/** Connection state shown next to a live view. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

const LABELS: Record<LiveState, string> = {
  connecting: 'connecting…',
  live: '● live',
  reconnecting: 'reconnecting…',
  closed: 'disconnected',
};

/**
 * Listens to a server-sent event stream. The browser's EventSource reconnects by itself after a drop (the
 * server then sends a fresh snapshot); it gives up only on an answer that is not a stream (404, 503), and
 * then this tries again a little later.
 */
export function openLiveStream(
  url: string,
  handlers: Record<string, (data: unknown) => void>,
  onState: (state: LiveState) => void,
): () => void {
  let source: EventSource | undefined;
  let retry: number | undefined;
  let stopped = false;
  const connect = () => {
    source = new EventSource(url);
    onState('connecting');
    source.onopen = () => onState('live');
    source.onerror = () => {
      if (source?.readyState === EventSource.CLOSED) {
        onState('closed');
        if (!stopped) retry = window.setTimeout(connect, 5000);
      } else {
        onState('reconnecting');
      }
    };
    for (const [event, handle] of Object.entries(handlers)) {
      source.addEventListener(event, (message) => handle(JSON.parse((message as MessageEvent<string>).data)));
    }
  };
  connect();
  return () => {
    stopped = true;
    window.clearTimeout(retry);
    source?.close();
  };
}

export function showLiveState(element: HTMLElement, root: HTMLElement, state: LiveState): void {
  element.textContent = LABELS[state];
  element.dataset['state'] = state;
  root.dataset['live'] = state;
}
