import { Inflight } from '../inflight';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

test('callers of one key share the work while it runs; other keys run their own', async () => {
  const inflight = new Inflight<string>();
  const first = deferred<string>();
  const started: string[] = [];
  const start = (key: string, work: Promise<string>) => () => (started.push(key), work);
  const a1 = inflight.run('a', start('a', first.promise));
  const a2 = inflight.run('a', start('a', Promise.resolve('never')));
  const b = inflight.run('b', start('b', Promise.resolve('b')));
  expect(started).toEqual(['a', 'b']);
  first.resolve('shared');
  expect(await Promise.all([a1, a2, b])).toEqual(['shared', 'shared', 'b']);
});

test('a key is forgotten once its work settles, failed or not, so the next caller starts anew', async () => {
  const inflight = new Inflight<string>();
  const failing = deferred<string>();
  const x1 = inflight.run('x', () => failing.promise);
  const x2 = inflight.run('x', () => Promise.resolve('not this'));
  failing.reject(new Error('down'));
  await expect(x1).rejects.toThrow('down');
  await expect(x2).rejects.toThrow('down');
  expect(inflight.size).toBe(0);
  expect(await inflight.run('x', () => Promise.resolve('again'))).toBe('again');
  expect(inflight.size).toBe(0);
});
