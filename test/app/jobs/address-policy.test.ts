import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addressAllowed, isBlockedAddress, parseAllowList, parseIpv4, parseIpv6 } from '../../../core/app/jobs/address-policy.ts';

test('loopback, link-local, metadata, private, shared, multicast and reserved IPv4 addresses are blocked', () => {
  for (const address of ['127.0.0.1', '127.255.255.254', '0.0.0.0', '10.0.0.1', '100.64.0.1', '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.168.1.1', '224.0.0.1', '255.255.255.255', '198.18.0.1']) {
    assert.ok(isBlockedAddress(address), address);
  }
});

test('public IPv4 addresses next to the blocked ranges pass', () => {
  for (const address of ['93.184.216.34', '8.8.8.8', '172.15.255.255', '172.32.0.0', '100.63.255.255', '169.253.0.1', '11.0.0.1']) {
    assert.not.ok(isBlockedAddress(address), address);
  }
});

test('IPv6 loopback, unique-local (metadata fd00:ec2::254), link-local and IPv4-mapped private addresses are blocked; public ones pass', () => {
  for (const address of ['::1', '::', 'fd00:ec2::254', 'fc00::1', 'fe80::1%eth0', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe', '[::1]']) {
    assert.ok(isBlockedAddress(address), address);
  }
  for (const address of ['2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8']) assert.not.ok(isBlockedAddress(address), address);
});

test('text that is not an address is blocked rather than guessed at', () => {
  for (const text of ['localhost', '1.2.3', '1.2.3.256', '::g', '1:2:3:4:5:6:7:8:9', '']) assert.ok(isBlockedAddress(text), text);
  assert.is(parseIpv4('01.2.3.4'), 16909060);
  assert.is(parseIpv6('1::'), 1n << 112n);
});

test('the allow-list admits named hosts and addresses inside listed ranges only', () => {
  const allow = parseAllowList(['hooks.internal', '10.1.0.0/16', '127.0.0.1', 'fd12::/16']);
  assert.equal(allow.hosts, ['hooks.internal']);
  assert.ok(addressAllowed('HOOKS.internal', '10.9.9.9', allow));
  assert.ok(addressAllowed('x.example', '10.1.200.3', allow));
  assert.not.ok(addressAllowed('x.example', '10.2.0.1', allow));
  assert.ok(addressAllowed('x.example', '127.0.0.1', allow));
  assert.not.ok(addressAllowed('x.example', '127.0.0.2', allow));
  assert.ok(addressAllowed('x.example', 'fd12:3::1', allow));
  assert.not.ok(addressAllowed('x.example', '169.254.169.254', allow));
  assert.ok(addressAllowed('x.example', '93.184.216.34', parseAllowList([])));
});

test.run();
