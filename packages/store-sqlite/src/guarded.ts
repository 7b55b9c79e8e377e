/**
 * `target` with every method's failure passed through `onError` (with the method's name) before it is thrown (a rejected
 * promise too). Methods run on the target itself, so its private fields keep working.
 */
export function guarded<T extends object>(target: T, onError: (err: unknown, method: string) => unknown): T {
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  return new Proxy(target, {
    get(t, key) {
      const value: unknown = Reflect.get(t, key, t);
      if (typeof value !== 'function') return value;
      let wrapper = wrappers.get(key);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]) => {
          let result: unknown;
          try {
            result = method.apply(t, args);
          } catch (err) {
            throw onError(err, String(key));
          }
          if (result instanceof Promise) {
            return result.catch((err: unknown) => {
              throw onError(err, String(key));
            });
          }
          return result;
        };
        wrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });
}
