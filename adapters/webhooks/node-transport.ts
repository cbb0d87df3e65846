/**
 * Callback delivery over `node:http`/`node:https` with the address check
 * inside the connection's own DNS lookup: every address the host resolves to
 * is checked against the allow-list and the connection goes to one of those
 * checked addresses, so a host cannot pass the check and then resolve
 * elsewhere (DNS rebinding). An IP-literal host is checked before
 * connecting. Redirects are never followed (`node:http` does not), and each
 * attempt is bounded by its timeout. Works under Node, Bun and Deno's node
 * compatibility.
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AudoEqError } from '../../core/domain/errors.ts';
import { addressAllowed, type CallbackAllowList } from '../../core/app/jobs/address-policy.ts';
import type { CallbackRequest, CallbackTransport, HostResolver } from '../../core/app/jobs/callbacks.ts';

function notAllowed(host: string, address: string): AudoEqError {
  return new AudoEqError('callback_not_allowed', `The callback host ${host} resolves to ${address}, a loopback, link-local, private or metadata address.`);
}

/**
 * All addresses of `host` (IPv4 and IPv6), as the system resolver sees them.
 *
 * @example await resolveHostAddresses('localhost') // ['127.0.0.1', '::1']
 */
export const resolveHostAddresses: HostResolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses.map((entry) => entry.address))));
  });

/** A `lookup` for node:net that refuses the host unless every address it resolves to is allowed. */
function guardedLookup(allowList: CallbackAllowList): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family, hints: options.hints }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const blocked = addresses.find((entry) => !addressAllowed(hostname, entry.address, allowList));
      if (blocked) return callback(notAllowed(hostname, blocked.address), '', 0);
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * Creates the transport.
 *
 * @example
 * const transport = createNodeCallbackTransport({ hosts: [], ranges: [] });
 * await transport.post({ url: 'https://hooks.example.com/x', body: '{}', headers: {}, timeoutMs: 5000 }); // { statusCode: 200 }
 */
export function createNodeCallbackTransport(allowList: CallbackAllowList): CallbackTransport {
  const lookup = guardedLookup(allowList);
  return {
    post(request: CallbackRequest) {
      return new Promise((resolve, reject) => {
        const url = new URL(request.url);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (isIP(host) && !addressAllowed(host, host, allowList)) return reject(notAllowed(host, host));
        const body = new TextEncoder().encode(request.body);
        const options: RequestOptions = {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(body.byteLength) },
          lookup,
          timeout: request.timeoutMs,
          // One fresh connection per attempt: a pooled socket would skip the lookup (and its check).
          agent: false,
        };
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const outgoing = send(url, options, (response) => {
          response.resume();
          response.on('end', () => resolve({ statusCode: response.statusCode ?? 0 }));
          response.on('error', reject);
        });
        outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    },
  };
}
