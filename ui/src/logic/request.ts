// A request from anywhere in the app (a shortcut, a drop, another screen, the e2e hook) to the one screen
// that carries it out. Screens are created lazily (the first time they are shown), so a request sent
// before its screen exists waits for it; afterwards it is delivered at once. Only the latest waiting
// request is kept: asking twice before the screen appears means the second one.

export interface Request<T> {
  /** Delivers `value` to the handler, or keeps it until a handler is registered. */
  send: (value: T) => void;
  /** Registers the one handler (a waiting request is delivered now); returns a function that removes it. */
  handle: (handler: (value: T) => void) => () => void;
}

export function request<T>(): Request<T> {
  let handler: ((value: T) => void) | null = null;
  let waiting: { value: T } | null = null;
  return {
    send(value) {
      if (handler) handler(value);
      else waiting = { value };
    },
    handle(h) {
      handler = h;
      if (waiting) {
        const { value } = waiting;
        waiting = null;
        h(value);
      }
      return () => {
        if (handler === h) handler = null;
      };
    },
  };
}
