// Starts @simulacrum/auth0-simulator (installed in bench/node_modules) the way its README's "Code"
// section does, but listening on 127.0.0.1 and the port given as the first argument (0 = any free
// port), and prints one line the harness waits for: `peer ready port=N user=… password=…`.
// (The simulator's own `port` option only accepts 3000-9999, so the default configuration is kept
// and the port is given to `listen`, which takes any; tokens use the request's Host as issuer.)
//
// The simulator serves HTTPS only and reads its certificate from $HOME/.simulacrum/certs/
// (localhost.pem, localhost-key.pem); bench/run.py makes a throwaway self-signed pair there under
// a bench-local HOME, so nothing in the real home directory is touched.
//
// It is loaded through its CommonJS build, as the package's own `bin/start.cjs` does: in its ES
// module build `import * as jwt from "jsonwebtoken"` leaves `jwt.sign` undefined on Node 20, so
// every token request fails with "jwt.sign is not a function".
import { createRequire } from "node:module";

const { simulation, defaultUser } = createRequire(import.meta.url)("@simulacrum/auth0-simulator");

const port = Number(process.argv[2] ?? 0);
const server = await simulation().listen(port, "127.0.0.1");
console.log(`peer ready port=${server.port} user=${defaultUser.email} password=${defaultUser.password}`);
// The harness stops it with SIGTERM; the timer bounds a run whose harness died.
setTimeout(() => process.exit(0), 600_000).unref();
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
