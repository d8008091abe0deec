// HTTPS trust: the CA named on the ready line is the one the emulator serves and signs its
// leaf with, and it is what makes Node trust the emulator (Node's bundled roots alone fail).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { CA_PATH, EMULATOR_URL, ISSUER } from './emulator.mjs';

const PORT = Number(new URL(ISSUER).port);
const caPem = readFileSync(CA_PATH, 'utf8');
const caCert = new X509Certificate(caPem);

/** TLS handshake with the emulator; resolves with the socket's verdict and peer certificate. */
function handshake({ host, ca }) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port: PORT, servername: host === '127.0.0.1' ? undefined : host, ca });
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerX509Certificate();
      const authorized = socket.authorized;
      socket.end();
      resolve({ leaf, authorized });
    });
    socket.once('error', reject);
  });
}

describe('HTTPS trust', () => {
  it('the ready line names a single CA certificate, the same one /__emulator/ca.pem serves', async () => {
    const certsInFile = caPem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    assert.equal(certsInFile.length, 1, 'the CA file should hold exactly the emulator CA');
    assert.equal(caCert.ca, true, 'the CA certificate lacks CA:TRUE');

    const res = await fetch(new URL('/__emulator/ca.pem', EMULATOR_URL));
    assert.equal(res.status, 200);
    const served = new X509Certificate(await res.text());
    assert.equal(served.fingerprint256, caCert.fingerprint256);
  });

  it('the leaf the emulator presents chains to that CA and names localhost, 127.0.0.1 and ::1', async () => {
    const { leaf, authorized } = await handshake({ host: 'localhost', ca: caPem });
    assert.equal(authorized, true);
    assert.equal(leaf.ca, false, 'the server certificate is itself a CA');
    assert.ok(leaf.checkIssued(caCert), 'the leaf is not issued by the emulator CA');
    assert.ok(leaf.verify(caCert.publicKey), 'the leaf signature does not verify with the CA key');
    assert.equal(leaf.checkHost('localhost'), 'localhost');
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkIP('::1'), '::1');
  });

  it('an IP-literal connection to 127.0.0.1 is trusted too', async () => {
    const { authorized } = await handshake({ host: '127.0.0.1', ca: caPem });
    assert.equal(authorized, true);
  });

  it('Node\'s bundled roots without the emulator CA reject the emulator', async () => {
    await assert.rejects(handshake({ host: 'localhost', ca: tls.rootCertificates }), (err) => {
      assert.ok(
        ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']
          .includes(err.code),
        `unexpected error ${err.code}: ${err.message}`,
      );
      return true;
    });
  });
});
