// Covers electron/server/config.ts: what the organisation server accepts as its configuration,
// and what it refuses before it starts.
import { describe, expect, it } from 'vitest';
import { parseConfigFile, parseListen, resolveServerConfig, ServerConfigError, serverEnvironment } from '../../electron/server/config';

const database = 'postgres://mailwarden@db.example.edu/mailwarden';

describe('the server configuration', () => {
  it('defaults to plain HTTP on 127.0.0.1:8443, whose own address is its public one', () => {
    const config = resolveServerConfig({ database }, {}, {});
    expect([config.host, config.port, config.tls, config.publicUrl.href, config.sessionHours]).toEqual(['127.0.0.1', 8443, null, 'http://127.0.0.1:8443/', 12]);
  });

  it('takes flags over the environment over the file', () => {
    const file = { listen: '127.0.0.1:1000', database: 'postgres://file/db' };
    const env = { [serverEnvironment.listen]: '127.0.0.1:2000', [serverEnvironment.database]: 'postgres://env/db' };
    expect(resolveServerConfig(file, env, {}).port).toBe(2000);
    expect(resolveServerConfig(file, env, { listen: '127.0.0.1:3000' }).port).toBe(3000);
    expect(resolveServerConfig(file, env, {}).database).toBe('postgres://env/db');
    expect(resolveServerConfig(file, {}, {}).database).toBe('postgres://file/db');
  });

  it('refuses plain HTTP on a public address unless a reverse proxy ends TLS', () => {
    expect(() => resolveServerConfig({ database, listen: '0.0.0.0:80' }, {}, {})).toThrow(/plain HTTP on 0\.0\.0\.0 would send passwords unencrypted/);
    const proxied = resolveServerConfig(
      { database, listen: '0.0.0.0:8080', publicUrl: 'https://mailwarden.example.edu' },
      { [serverEnvironment.behindProxy]: 'true' },
      {},
    );
    expect([proxied.behindProxy, proxied.tls]).toEqual([true, null]);
    const tls = resolveServerConfig(
      { database, listen: ':443', publicUrl: 'https://mailwarden.example.edu', tls: { certFile: '/c.pem', keyFile: '/k.pem' } },
      {},
      {},
    );
    expect(tls.host).toBe('0.0.0.0');
  });

  it('needs the public address whenever people reach it from elsewhere, and it must be an https origin', () => {
    expect(() => resolveServerConfig({ database, listen: '0.0.0.0:443', tls: { certFile: 'c', keyFile: 'k' } }, {}, {})).toThrow(/--public-url is needed/);
    expect(() =>
      resolveServerConfig({ database, listen: '0.0.0.0:443', tls: { certFile: 'c', keyFile: 'k' }, publicUrl: 'http://mailwarden.example.edu' }, {}, {}),
    ).toThrow(/must be https/);
    expect(() => resolveServerConfig({ database, publicUrl: 'https://mailwarden.example.edu/app' }, {}, {})).toThrow(/an origin with nothing after/);
    expect(() => resolveServerConfig({ database, publicUrl: 'not a url' }, {}, {})).toThrow(ServerConfigError);
  });

  it('refuses a certificate without its key, no database, and a listen address that is not one', () => {
    expect(() => resolveServerConfig({ database }, {}, { tlsCert: '/c.pem' })).toThrow(/both a certificate and its key/);
    expect(() => resolveServerConfig({}, {}, {})).toThrow(/no database/);
    for (const bad of ['8443', 'example.edu:443', '127.0.0.1:-1', '127.0.0.1:70000', '[::1:443'])
      expect(() => parseListen(bad), bad).toThrow(ServerConfigError);
    expect(parseListen('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
    expect(() => resolveServerConfig({ database }, { [serverEnvironment.behindProxy]: 'maybe' }, {})).toThrow(/true or false/);
  });

  it('reads a config file, resolving its paths against the file, and names what is wrong in one', () => {
    const config = parseConfigFile(
      JSON.stringify({ tls: { certFile: 'tls/cert.pem', keyFile: '/etc/k.pem' }, serverKeyFile: 'server.key', limits: { burst: 10 } }),
      '/etc/mailwarden/server.json',
    );
    expect(config.tls).toEqual({ certFile: '/etc/mailwarden/tls/cert.pem', keyFile: '/etc/k.pem' });
    expect(config.serverKeyFile).toBe('/etc/mailwarden/server.key');
    expect(resolveServerConfig({ ...config, database }, {}, {}).limits).toMatchObject({ burst: 10, maxInFlight: 64 });
    expect(() => parseConfigFile('{"listen": 8443}', 'server.json')).toThrow(/server\.json: listen: /);
    expect(() => parseConfigFile('{"lisen": "x"}', 'server.json')).toThrow(/lisen/);
    expect(() => parseConfigFile('{', 'server.json')).toThrow(/not valid JSON/);
  });
});
