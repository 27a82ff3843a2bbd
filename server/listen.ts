import type { Server } from 'node:net';

/**
 * Listens and turns the usual start-up failures into a message that names the
 * setting to change, instead of a bare EADDRINUSE stack.
 */
export function listen(server: Server, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${port} is already in use on ${host}; stop the other program or set ${variable} to a free port (0 picks one)`
          : err.code === 'EACCES'
            ? `no permission to listen on port ${port}; use a port above 1023 or set ${variable}`
            : `cannot listen on ${host}:${port} (${err.code ?? err.message}); check ${variable} and HOST`;
      reject(new Error(`${variable}: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
